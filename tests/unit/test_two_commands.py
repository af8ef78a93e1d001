"""The README's two commands are the project's front door: CI must run exactly the test one."""

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit


def readme_commands(root: Path) -> list[str]:
    first_section = (root / "README.md").read_text(encoding="utf-8").split("\n## ")[0]
    return re.findall(r"```sh\n(.+?)\n```", first_section, re.S)


def test_readme_first_section_gives_exactly_two_commands(project_root: Path) -> None:
    run, test = readme_commands(project_root)
    assert "mattran serve" in run
    assert "pytest" in test


def test_ci_runs_the_readme_test_command(project_root: Path) -> None:
    _, test = readme_commands(project_root)
    assert test in (project_root / ".ci/run").read_text(encoding="utf-8").splitlines()
