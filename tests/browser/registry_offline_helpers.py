"""Steps shared by the registry's offline browser tests: people, an area, a household, the database, kept pages."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
from playwright.async_api import Page

from backend.features.identity.service import AccountService
from backend.features.registry.service import RegistryService
from backend.features.units.service import UnitService
from backend.lib.access import Principal
from backend.lib.clock import SystemClock
from schemas.registry import HouseholdCreate, ResidentCreate
from schemas.units import ResidentialAreaCreate
from support.identity import make_account
from support.servers import LiveApp

COMMUNE = "00070"


async def person(live_app: LiveApp, username: str, role: str, unit: str) -> Principal:
    clock = SystemClock()
    account_id = await make_account(live_app.settings, clock, username, role, unit)
    return await AccountService(live_app.settings, clock).principal(account_id, "mattran-web", frozenset())


async def an_area(live_app: LiveApp) -> tuple[Principal, str]:
    officer = await person(live_app, "can.bo.xa", "commune_officer", COMMUNE)
    area = await UnitService(SystemClock()).create_residential_area(
        officer, COMMUNE, ResidentialAreaCreate(name="Tổ dân phố số 5", kind="to_dan_pho")
    )
    return officer, area.code


async def a_household_with_its_head(
    live_app: LiveApp, officer: Principal, area: str, **head: Any
) -> tuple[uuid.UUID, uuid.UUID]:
    """12 phố Hàng Bài, at version 2 (the head recorded): Đặng Thị Hoa, born 1962, with `head`'s fields."""
    household_id, resident_id = uuid.uuid4(), uuid.uuid4()
    registry = RegistryService(live_app.settings, SystemClock())
    await registry.create_household(
        officer, HouseholdCreate(id=household_id, unit_code=area, house_number="12", street="phố Hàng Bài")
    )
    fields = {"full_name": "Đặng Thị Hoa", "relation_to_head": "head", "birth_year": 1962} | head
    await registry.create_resident(officer, ResidentCreate(id=resident_id, household_id=household_id, **fields))
    return household_id, resident_id


async def fetch(database: str, sql: str, *args: object) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(database)
    try:
        return list(await connection.fetch(sql, *args))
    finally:
        await connection.close()


async def kept_offline(page: Page, path: str) -> None:
    await page.wait_for_function(f"caches.match({path!r}).then(Boolean)", timeout=30_000)
