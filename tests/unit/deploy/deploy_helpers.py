"""Reading deploy/: the compose file as Docker Compose interpolates it, the Kubernetes manifests, and the
environment each deployment gives the app."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

DEPLOY = Path(__file__).resolve().parents[3] / "deploy"
K8S = DEPLOY / "k8s"
# What deploy/docker-entrypoint.sh turns from NAME_FILE into NAME.
FILE_SUFFIX = "_FILE"
# Variables the deployments set that are read by something other than backend/settings.py.
NON_SETTINGS = {
    "PGPASSWORD": "asyncpg and libpq: the database password, kept out of the URLs",
    "FORWARDED_ALLOW_IPS": "uvicorn: which peers' X-Forwarded-* headers are trusted",
}
# Compose interpolation as the compose specification defines it: ${NAME}, ${NAME:-default}, ${NAME-default},
# ${NAME:?error}, ${NAME?error}; $$ is a literal dollar.
_INTERPOLATION = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


class MissingVariable(KeyError):
    pass


def interpolate(text: str, variables: Mapping[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        name, op, arg = match["name"], match["op"], match["arg"]
        value = variables.get(name)
        empty = value is None or (value == "" and op is not None and op.startswith(":"))
        if op in ("-", ":-"):
            return arg if empty else str(value)
        if op in ("?", ":?") and empty:
            raise MissingVariable(f"{name}: {arg}")
        if value is None:
            raise MissingVariable(name)
        return value

    return _INTERPOLATION.sub(replace, text.replace("$$", "\0")).replace("\0", "$")


def compose(variables: Mapping[str, str]) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(interpolate((DEPLOY / "compose.yaml").read_text(), variables))
    return document


def compose_interpolation_names() -> set[str]:
    return {match["name"] for match in _INTERPOLATION.finditer((DEPLOY / "compose.yaml").read_text())}


def k8s_documents() -> Iterator[tuple[Path, dict[str, Any]]]:
    for path in sorted(K8S.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        for document in yaml.safe_load_all(path.read_text()):
            if document:
                yield path, document


def env_file(path: Path) -> dict[str, str]:
    """NAME=value lines (comments and blank lines skipped), as kustomize's secretGenerator `envs` reads them."""
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if line.strip() and not line.startswith("#"))
    return {name.strip(): value for name, value in pairs}


def dockerfile_env() -> dict[str, str]:
    """The ENV of the image's final stage (key=value pairs, line continuations joined)."""
    text = (DEPLOY / "Dockerfile").read_text().replace("\\\n", " ")
    final = text.split("\nFROM ")[-1]
    env: dict[str, str] = {}
    for line in final.splitlines():
        if line.startswith("ENV "):
            env.update(pair.split("=", 1) for pair in line[4:].split())
    return env
