"""`mattran migrate` keeps the official units in step with the catalogue, idempotently."""

from __future__ import annotations

import asyncio

import pytest

from backend import db
from backend.features.units.service import UnitService
from backend.lib.clock import FrozenClock
from backend.migrations import migrate
from backend.settings import Settings

pytestmark = pytest.mark.integration


async def units_snapshot() -> list[tuple]:
    async with db.connection() as conn:
        rows = await conn.fetch("SELECT code, parent, path, name, valid_to, updated_at FROM units ORDER BY code")
    return [tuple(row) for row in rows]


async def test_second_migrate_changes_nothing(connected: str, settings: Settings, clock: FrozenClock) -> None:
    before = await units_snapshot()
    assert await migrate(settings, clock) == {"inserted": 0, "updated": 0, "moved": 0, "retired": 0}
    assert await units_snapshot() == before


async def test_concurrent_migrations_wait_for_each_other(
    connected: str, settings: Settings, clock: FrozenClock
) -> None:
    results = await asyncio.gather(migrate(settings, clock), migrate(settings, clock), migrate(settings, clock))
    assert all(result["inserted"] == 0 for result in results)


async def test_a_local_rename_is_put_back(connected: str, clock: FrozenClock) -> None:
    async with db.connection() as conn:
        await conn.execute("UPDATE units SET name = 'Phường Sai Tên', name_folded = 'x' WHERE code = '00070'")
    assert (await UnitService(clock).sync_official_catalogue())["updated"] == 1
    assert (await UnitService(clock).get_unit("00070")).name == "Phường Hoàn Kiếm"


async def test_units_missing_from_the_catalogue_are_retired_not_deleted(connected: str, clock: FrozenClock) -> None:
    async with db.connection() as conn:
        await conn.execute(
            "INSERT INTO units (code, parent, path, level, kind, name, name_folded, short_name_folded, source)"
            " VALUES ('99999', '01', 'TW/01/99999', 'commune', 'xa', 'Xã Cũ', 'xa cu', 'cu', 'official')"
        )
    changes = await UnitService(clock).sync_official_catalogue()
    assert changes["retired"] == 1
    retired = await UnitService(clock).get_unit("99999")
    assert retired.valid_to is not None and str(retired.valid_to) == "2026-03-02"


async def test_a_moved_unit_takes_its_descendants_along(connected: str, clock: FrozenClock) -> None:
    service = UnitService(clock)
    await service.seed_demo_areas(seed=1)
    async with db.connection() as conn:
        area = await conn.fetchrow(
            "SELECT code, parent FROM units WHERE level = 'residential_area' AND path NOT LIKE 'TW/04/%'"
            " ORDER BY code LIMIT 1"
        )
        commune = area["parent"]
        real_path = await conn.fetchval("SELECT path FROM units WHERE code = $1", commune)
        areas_below = await conn.fetchval("SELECT count(*) FROM units WHERE parent = $1", commune)
        # Simulate an older catalogue that had the commune (and so its areas) under province 04.
        stale_path = f"TW/04/{commune}"
        await conn.execute(
            "UPDATE units SET path = $2 || substr(path, length($1) + 1) WHERE path = $1 OR path LIKE $1 || '/%'",
            real_path,
            stale_path,
        )
        await conn.execute("UPDATE units SET parent = '04' WHERE code = $1", commune)
    changes = await service.sync_official_catalogue()
    assert changes["moved"] == 1 + areas_below
    assert changes["updated"] == 1  # the commune's parent
    unit = await service.get_unit(area["code"])
    assert unit.path == f"{real_path}/{area['code']}"
    assert [a.code for a in unit.ancestors] == real_path.split("/")
