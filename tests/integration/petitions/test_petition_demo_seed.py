"""The demo petitions: filed in the demo areas through the service, and seeding again adds nothing."""

from __future__ import annotations

import pytest

from backend.db import connection
from backend.features.petitions.demo import DEMO_PETITIONS, seed_demo_petitions
from backend.features.units.service import UnitService
from backend.lib.clock import FrozenClock
from backend.settings import Settings

pytestmark = pytest.mark.integration


async def test_demo_petitions_are_seeded_once(connected: str, settings: Settings, clock: FrozenClock) -> None:
    await UnitService(clock).seed_demo_areas(2025)

    first = await seed_demo_petitions(settings, clock, 2025)
    again = await seed_demo_petitions(settings, clock, 2025)

    assert (first, again) == ({"petitions": len(DEMO_PETITIONS)}, {"petitions": 0})
    async with connection() as conn:
        rows = await conn.fetch("SELECT origin_unit_path, state, due_at FROM petitions")
    assert len(rows) == len(DEMO_PETITIONS)
    assert all(row["state"] == "received" and row["due_at"] is not None for row in rows)
    assert all(row["origin_unit_path"].count("/") == 3 for row in rows)  # TW/province/commune/area
