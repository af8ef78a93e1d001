"""Shared data of the assistant's integration tests (fixtures live in conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass

# Categories of the petitions filed in the demo commune (three of them in its first area).
FILED = ("moi_truong", "moi_truong", "ha_tang", "dat_dai")


@dataclass(frozen=True)
class World:
    commune: str
    area: str
    officer: dict[str, str]
    outsider: dict[str, str]
    outsider_commune: str
