"""Demo reports: the last full week of the demo areas with households, most of them reported, once."""

from __future__ import annotations

import pytest

from backend.db import connection
from backend.features.registry.demo import seed_demo_households
from backend.features.reports.demo import seed_demo_reports
from backend.features.units.service import UnitService
from backend.lib.clock import FrozenClock

pytestmark = pytest.mark.integration


async def test_demo_reports_are_idempotent(connected: str, clock: FrozenClock) -> None:
    await UnitService(clock).seed_demo_areas(7)
    await seed_demo_households(clock, 7, 250)
    async with connection() as conn:
        areas = await conn.fetchval("SELECT count(DISTINCT unit_code) FROM households")
    first = await seed_demo_reports(clock, 7)
    assert 0 < first["unit_reports"] < areas  # some areas stay silent
    assert await seed_demo_reports(clock, 7) == {"unit_reports": 0}
    async with connection() as conn:
        weeks = await conn.fetch("SELECT DISTINCT week_start::text, status FROM unit_reports")
    assert [tuple(w) for w in weeks] == [("2026-02-23", "submitted")]
