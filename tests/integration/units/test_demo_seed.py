from __future__ import annotations

import pytest

from backend import db
from backend.features.identity.service import AccountService, Caller
from backend.features.registry.service import RegistryService
from backend.lib.clock import FrozenClock
from backend.lib.text import fold
from backend.seed import DEMO_AREA_CADRE, DEMO_COMMUNE_OFFICER, DEMO_PASSWORD, seed_demo
from backend.settings import Settings

pytestmark = pytest.mark.integration


async def demo_areas() -> list[tuple]:
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT a.code, a.name, a.kind, a.path, a.name_folded, c.path AS commune_path, c.kind AS commune_kind"
            " FROM units a JOIN units c ON c.code = a.parent WHERE a.level = 'residential_area' ORDER BY a.code"
        )
    return [tuple(row) for row in rows]


async def test_demo_areas_are_realistic_and_under_real_communes(
    connected: str, settings: Settings, clock: FrozenClock
) -> None:
    created = await seed_demo(settings, clock, seed=7)
    areas = await demo_areas()
    assert len(areas) == created["residential_areas"] >= 34 * 3 * 4
    for code, name, kind, path, name_folded, commune_path, commune_kind in areas:
        assert path == f"{commune_path}/{code}"
        assert name_folded == fold(name)
        if commune_kind == "phuong":
            assert kind == "to_dan_pho" and name.startswith("Tổ dân phố số ")
    assert any(name.startswith(("Thôn ", "Bản ", "Ấp ")) and name != fold(name) for _, name, *_ in areas)


async def test_demo_seed_is_deterministic_and_idempotent(
    connected: str, settings: Settings, clock: FrozenClock
) -> None:
    await seed_demo(settings, clock, seed=7)
    first = await demo_areas()
    await seed_demo(settings, clock, seed=7)
    assert await demo_areas() == first


async def test_demo_sign_ins_reach_demo_households(connected: str, settings: Settings, clock: FrozenClock) -> None:
    created = await seed_demo(settings, clock, seed=7)
    assert created["accounts"] == 2
    assert (await seed_demo(settings, clock, seed=7))["accounts"] == 0
    accounts = AccountService(settings, clock)
    for username in (DEMO_COMMUNE_OFFICER, DEMO_AREA_CADRE):
        account_id = await accounts.authenticate(username, DEMO_PASSWORD, Caller(ip="127.0.0.1"))
        principal = await accounts.principal(account_id, "mattran-web", frozenset())
        # A list worth searching (the demo commune's areas get the first households), not one house.
        page = await RegistryService(settings, clock).list_households(principal, None, None, None, 10)
        assert len(page.items) == 10 and page.next_cursor, username
