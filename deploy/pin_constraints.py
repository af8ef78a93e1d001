"""Rewrite deploy/constraints.txt: every runtime dependency of the project (resolved by pip, without the test
extra), at the version installed in the environment this runs in, where the test suite passes.

    .venv/bin/python deploy/pin_constraints.py    # from the repository root, after `pip install -e '.[test]'`
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
HEADER = """\
# Exact versions of mattran's runtime dependencies for the production image (deploy/Dockerfile installs with
# `pip install --constraint`): the versions the test suite ran with on Python 3.11 / linux x86_64.
# Made by deploy/pin_constraints.py; tests/unit/deploy/test_deploy_image.py checks that every dependency of
# pyproject.toml is pinned here within its range.
"""


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        pip = [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet"]
        subprocess.run([*pip, "--report", str(report), str(ROOT)], check=True)
        resolved = json.loads(report.read_text())["install"]
    installed = {canonicalize_name(dist.metadata["Name"]): dist.version for dist in metadata.distributions()}
    pins = []
    for item in resolved:
        name = canonicalize_name(item["metadata"]["name"])
        if name != "mattran":
            pins.append(f"{name}=={installed.get(name, item['metadata']['version'])}")
    (ROOT / "deploy" / "constraints.txt").write_text(HEADER + "\n".join(sorted(pins)) + "\n")


if __name__ == "__main__":
    main()
