"""A cadre with no signal adds a household and its head from "my areas" (forms and field errors work from
the phone's copies), and both reach the server exactly once when the signal returns; a commune officer
resolves, field by field, the conflict two cadres' offline edits of one household made."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

from playwright.async_api import BrowserContext, Page, expect
from registry_offline_helpers import a_household_with_its_head, an_area, fetch, kept_offline, person

from backend.features.registry.service import RegistryService
from backend.features.sync.service import SyncService
from backend.lib.clock import SystemClock
from schemas.registry import HouseholdCreate
from schemas.sync import SyncOperation, SyncRequest
from support.browser import service_worker_in_control, sign_in
from support.servers import LiveApp


async def test_a_household_and_its_head_added_offline_reach_the_server_once(
    page: Page, live_app: LiveApp, browser_context: BrowserContext, database: str
) -> None:
    _, area = await an_area(live_app)
    await person(live_app, "can.bo.to5", "area_cadre", area)
    await sign_in(page, live_app.origin, "can.bo.to5", "/areas")
    await expect(page.locator(".area-name")).to_have_text(["Tổ dân phố số 5"])
    await expect(page.locator(".area-facts")).to_contain_text("0 hộ")
    await service_worker_in_control(page)
    await page.reload()  # now the worker keeps this page, and the pages it links to for the door
    await kept_offline(page, f"/household/new?unit={area}")
    await page.click("text=Thêm hộ gia đình")
    await page.wait_for_url(f"**/household/new?unit={area}")
    await kept_offline(page, "/resident/new")

    await browser_context.set_offline(True)
    await page.fill("#house_number", "45")
    await page.fill("#street", "ngõ Trạm")
    await page.check("input[name=circumstances][value=ho_can_ngheo]")
    await page.click("form[data-outbox] button[type=submit]")
    # Next: the head of the new household, on the phone's copy of the form.
    await page.wait_for_url("**/resident/new?household=*")
    household_id = uuid.UUID(parse_qs(urlsplit(page.url).query)["household"][0])
    await expect(page.locator("#banner-outbox")).to_have_text("Đang chờ gửi (1)")
    await expect(page.locator("input[name=household_id]")).to_have_value(str(household_id))
    await expect(page.locator("#relation_to_head")).to_have_value("head")

    await page.fill("#full_name", "Lê Văn Tám")
    await page.fill("#birth_year", "1870")
    await page.fill("#phone", "số máy bàn")
    await page.click("form[data-outbox] button[type=submit]")
    await expect(page.locator("#birth_year-error")).to_contain_text("từ 1880 đến")
    await expect(page.locator("#phone-error")).to_have_text(
        "Số điện thoại chỉ gồm chữ số (có thể có dấu cách, dấu chấm, +84)."
    )
    await expect(page.locator("#banner-outbox")).to_have_text("Đang chờ gửi (1)")  # nothing queued
    await page.fill("#birth_year", "1958")
    await page.fill("#phone", "0987 654 321")
    await expect(page.locator("#phone-error")).to_be_hidden()
    await page.click("form[data-outbox] button[type=submit]")
    await expect(page.locator("#banner-outbox")).to_have_text("Đang chờ gửi (2)")

    await browser_context.set_offline(False)
    await page.evaluate("window.dispatchEvent(new Event('online'))")
    await expect(page.locator("#banner-outbox")).to_be_hidden(timeout=15000)
    await page.evaluate("window.dispatchEvent(new Event('online'))")  # a second replay changes nothing
    households = await fetch(
        database, "SELECT id, house_number, street, circumstances, head_resident_id FROM households"
    )
    assert [(h["id"], h["house_number"], h["street"], h["circumstances"]) for h in households] == [
        (household_id, "45", "ngõ Trạm", ["ho_can_ngheo"])
    ]
    residents = await fetch(
        database, "SELECT id, household_id, full_name, birth_year, phone, relation_to_head FROM residents"
    )
    assert [(r["household_id"], r["full_name"], r["birth_year"], r["relation_to_head"]) for r in residents] == [
        (household_id, "Lê Văn Tám", 1958, "head")
    ]
    assert households[0]["head_resident_id"] == residents[0]["id"]  # the first head recorded


async def test_a_commune_officer_resolves_two_cadres_offline_edits(
    page: Page, live_app: LiveApp, database: str
) -> None:
    officer, area = await an_area(live_app)
    household_id = uuid.uuid4()
    await RegistryService(live_app.settings, SystemClock()).create_household(
        officer, HouseholdCreate(id=household_id, unit_code=area, house_number="12", street="phố Hàng Bài")
    )
    sync = SyncService(live_app.settings, SystemClock())
    edits = (("can.bo.a", "Mái nhà dột", "Ngõ 12"), ("can.bo.b", "Cần sửa mái trước mùa mưa", "Ngõ 14"))
    answers = []
    for username, notes, street in edits:
        cadre = await person(live_app, username, "area_cadre", area)
        operation = SyncOperation(
            op_id=uuid.uuid4(),
            entity="household",
            action="update",
            entity_id=household_id,
            base_version=1,
            fields={"notes": notes, "street": street},
            at=datetime.now(UTC),
        )
        request = SyncRequest(device_id=f"phone-{username}", operations=[operation], pull=False)
        answers.append((await sync.sync(cadre, request, "vi")).results[0])
    assert [answer.status for answer in answers] == ["applied", "conflict"]

    await sign_in(page, live_app.origin, "can.bo.xa", "/conflicts")
    await page.click(f"a[href='/conflict?id={answers[1].conflict_id}']")
    await expect(page.locator("#app .conflict-field")).to_have_count(2)  # live: the choices work
    await expect(page.locator("#app")).to_contain_text("Cán bộ can.bo.b")
    await page.click("#app label[for=take-notes-client]")  # the second cadre's notes...
    await expect(page.locator("#app label[for=take-notes-client]")).to_have_class("choice chosen")
    await page.click("#app label[for=take-street-value]")  # ...and a street neither of them wrote
    await page.fill("#value-street", "Ngõ 12A")
    await page.click("#app button:has-text('Xác nhận xử lý')")
    await expect(page.locator("#app .resolved")).to_have_text("Đã xử lý xung đột.")

    [household] = await fetch(database, "SELECT notes, street, version FROM households WHERE id = $1", household_id)
    # Version 2: the first cadre's edit; 3: the street typed in; 4: the notes taken from the second cadre.
    assert (household["notes"], household["street"], household["version"]) == (
        "Cần sửa mái trước mùa mưa",
        "Ngõ 12A",
        4,
    )
    [conflict] = await fetch(database, "SELECT status, resolution::text FROM sync_conflicts")
    assert conflict["status"] == "resolved"
    assert json.loads(conflict["resolution"]) == {"notes": "client", "street": "server"}
    await page.goto(f"{live_app.origin}/conflicts")
    await expect(page.locator("#app")).to_contain_text("Không có xung đột nào đang chờ.")


async def test_a_household_and_a_member_edited_offline_change_only_what_was_edited(
    page: Page, live_app: LiveApp, browser_context: BrowserContext, database: str
) -> None:
    officer, area = await an_area(live_app)
    household_id, resident_id = await a_household_with_its_head(
        live_app, officer, area, id_number="001162012345", religion="Phật giáo"
    )
    await person(live_app, "can.bo.to5", "area_cadre", area)
    await sign_in(page, live_app.origin, "can.bo.to5", f"/household?id={household_id}")
    await service_worker_in_control(page)
    await page.reload()
    await kept_offline(page, f"/household/edit?id={household_id}")
    await kept_offline(page, f"/resident/edit?household={household_id}&id={resident_id}")

    await browser_context.set_offline(True)
    await page.click("text=Sửa thông tin hộ")
    await page.wait_for_url(f"**/household/edit?id={household_id}")
    await page.fill("#notes", "Nhà cấp bốn, mái tôn")
    await page.check("input[name=circumstances][value=ho_ngheo]")
    await page.click("form[data-outbox] button[type=submit]")
    await page.wait_for_url(f"**/household?id={household_id}")  # back on the phone's copy
    await page.click(".results a:has-text('Đặng Thị Hoa')")
    await page.wait_for_url(f"**/resident/edit?household={household_id}&id={resident_id}")
    await expect(page.locator("body")).not_to_contain_text("001162012345")  # masked, even on the phone
    await expect(page.locator("body")).to_contain_text("********2345")
    await page.fill("#phone", "0912 345 678")
    await page.click("form[data-outbox] button[type=submit]")
    await page.wait_for_url(f"**/household?id={household_id}")
    await expect(page.locator("#banner-outbox")).to_have_text("Đang chờ gửi (2)")

    await browser_context.set_offline(False)
    await page.evaluate("window.dispatchEvent(new Event('online'))")
    await expect(page.locator("#banner-outbox")).to_be_hidden(timeout=15000)
    [household] = await fetch(
        database, "SELECT street, notes, circumstances, version FROM households WHERE id = $1", household_id
    )
    # Version 2 made her the head; the offline edit is version 3 and kept the street it did not touch.
    assert (household["street"], household["notes"], household["circumstances"], household["version"]) == (
        "phố Hàng Bài",
        "Nhà cấp bốn, mái tôn",
        ["ho_ngheo"],
        3,
    )
    [resident] = await fetch(
        database, "SELECT phone, religion, id_number, birth_year, version FROM residents WHERE id = $1", resident_id
    )
    assert dict(resident) == {
        "phone": "0912 345 678",
        "religion": "Phật giáo",
        "id_number": "001162012345",
        "birth_year": 1962,
        "version": 2,
    }
