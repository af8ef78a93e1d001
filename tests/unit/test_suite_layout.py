"""Test modules share one namespace (no __init__.py, pytest's prepend import mode): two files with the same
name stop the whole run at collection. Catch it here with a clear message instead."""

from collections import Counter
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit


def test_test_module_names_are_unique(project_root: Path) -> None:
    names = Counter(path.name for path in (project_root / "tests").rglob("test_*.py"))
    assert [name for name, count in names.items() if count > 1] == []
