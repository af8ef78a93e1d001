"""A cadre at the door: find the household without diacritics, see its members (sensitive fields never
on the list), and record a visit with no signal that reaches the server once back online."""

from __future__ import annotations

import uuid

import asyncpg
import pytest
from playwright.async_api import BrowserContext, Page, expect
from registry_offline_helpers import an_area

from backend.features.identity.service import AccountService
from backend.features.registry.service import RegistryService
from backend.features.units.service import UnitService
from backend.lib.clock import SystemClock
from pwa.features.registry import pages as registry_pages
from schemas.registry import HouseholdCreate, ResidentCreate
from schemas.units import ResidentialAreaCreate
from support.browser import service_worker_in_control, sign_in
from support.identity import make_account
from support.servers import LiveApp


async def a_household(live_app: LiveApp) -> uuid.UUID:
    clock = SystemClock()
    officer_id = await make_account(live_app.settings, clock, "can.bo.xa", "commune_officer", "00070")
    officer = await AccountService(live_app.settings, clock).principal(officer_id, "mattran-web", frozenset())
    area = await UnitService(clock).create_residential_area(
        officer, "00070", ResidentialAreaCreate(name="Tổ dân phố số 5", kind="to_dan_pho")
    )
    registry = RegistryService(live_app.settings, clock)
    household_id = uuid.uuid4()
    await registry.create_household(
        officer, HouseholdCreate(id=household_id, unit_code=area.code, house_number="12", street="phố Hàng Bài")
    )
    await registry.create_resident(
        officer,
        ResidentCreate(
            id=uuid.uuid4(),
            household_id=household_id,
            full_name="Đặng Thị Hoa",
            relation_to_head="head",
            birth_year=1962,
            id_number="001162012345",
            religion="Phật giáo",
        ),
    )
    return household_id


async def test_find_a_household_and_record_a_visit_offline(
    page: Page, live_app: LiveApp, browser_context: BrowserContext, database: str
) -> None:
    household_id = await a_household(live_app)
    await sign_in(page, live_app.origin, "can.bo.xa", "/households")
    await page.fill("#hq", "dang thi")
    await expect(page.locator("#app .results li").first).to_contain_text("Đặng Thị Hoa")
    await page.click("#app .results li a")
    await page.wait_for_url(f"**/household?id={household_id}")
    await expect(page.locator("h1")).to_have_text("Đặng Thị Hoa")
    await expect(page.locator("body")).not_to_contain_text("001162012345")
    await expect(page.locator("body")).not_to_contain_text("Phật giáo")

    await service_worker_in_control(page)
    await page.reload()
    await browser_context.set_offline(True)
    await page.fill("#purpose", "Thăm hỏi sau bão")
    await page.fill("#needs", "Cần hỗ trợ sửa mái nhà")
    await page.click("form[data-outbox] button[type=submit]")
    await expect(page.locator("#banner-outbox")).to_have_text("Đang chờ gửi (1)")
    await browser_context.set_offline(False)
    await page.evaluate("window.dispatchEvent(new Event('online'))")
    await expect(page.locator("#banner-outbox")).to_be_hidden(timeout=15000)
    connection = await asyncpg.connect(database)
    try:
        visits = await connection.fetch("SELECT purpose, needs FROM visits WHERE household_id = $1", household_id)
    finally:
        await connection.close()
    assert [(v["purpose"], v["needs"]) for v in visits] == [("Thăm hỏi sau bão", "Cần hỗ trợ sửa mái nhà")]


async def test_more_households_are_added_below_the_list(
    page: Page, live_app: LiveApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An area of a few hundred households is browsed, not only searched: "Xem thêm hộ" adds the next page
    under the list (live), and the list ends without the button."""
    monkeypatch.setattr(registry_pages, "LISTED", 2)
    officer, area = await an_area(live_app)
    registry = RegistryService(live_app.settings, SystemClock())
    for number in range(1, 6):
        await registry.create_household(
            officer, HouseholdCreate(id=uuid.uuid4(), unit_code=area, house_number=str(number), street="phố Huế")
        )
    await sign_in(page, live_app.origin, "can.bo.xa", f"/households?unit={area}")
    await expect(page.locator("#ssr")).to_have_count(0)  # the live page took over
    listed = page.locator("main .results li")
    await expect(listed).to_have_count(2)
    await page.click("a.more")
    await expect(listed).to_have_count(4)
    await page.click("a.more")
    await expect(listed).to_have_count(5)
    await expect(page.locator("a.more")).to_have_count(0)
    await expect(listed.nth(4)).to_contain_text("5 phố Huế")
    assert "cursor" not in page.url  # added to the same page, not a page of its own
