"""What waits in the outbox, on the phone: a stored household page shows the queued edits and members
(marked as waiting) and its forms start from them; edits of one record made from one stored page are sent
one after the other, each based on the version the server answered for the one before, while an edit made
on another device in between still conflicts; a member added twice to a household that is itself only in
the outbox is pointed out on the phone."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

from playwright.async_api import BrowserContext, Page, expect
from registry_offline_helpers import a_household_with_its_head, an_area, fetch, kept_offline, person

from backend.features.sync.service import SyncService
from backend.lib.clock import SystemClock
from schemas.sync import SyncOperation, SyncRequest
from support.browser import service_worker_in_control, sign_in
from support.servers import LiveApp

WAITING = "đang chờ gửi"


async def offline_at_the_door(
    page: Page, live_app: LiveApp, browser_context: BrowserContext
) -> tuple[uuid.UUID, uuid.UUID, str]:
    """A household with its head; its area's cadre opened it with signal (its pages are kept), then the
    signal went. Answers (household id, head's id, area)."""
    officer, area = await an_area(live_app)
    await person(live_app, "can.bo.to5", "area_cadre", area)
    household_id, resident_id = await a_household_with_its_head(live_app, officer, area)
    await sign_in(page, live_app.origin, "can.bo.to5", f"/household?id={household_id}")
    await service_worker_in_control(page)
    await page.reload()
    await kept_offline(page, f"/household/edit?id={household_id}")
    await kept_offline(page, f"/resident/edit?household={household_id}&id={resident_id}")
    await kept_offline(page, f"/resident/new?household={household_id}")
    await browser_context.set_offline(True)
    return household_id, resident_id, area


async def save_household_edit(page: Page, household_id: uuid.UUID, **values: str) -> None:
    """From the stored household page: the edit form, the values typed, saved; back on the household."""
    await page.click("text=Sửa thông tin hộ")
    await page.wait_for_url(f"**/household/edit?id={household_id}")
    for name, value in values.items():
        await page.fill(f"#{name}", value)
    await page.click("form[data-outbox] button[type=submit]")
    await page.wait_for_url(f"**/household?id={household_id}")


async def back_online(page: Page, browser_context: BrowserContext) -> None:
    await browser_context.set_offline(False)
    await page.evaluate("window.dispatchEvent(new Event('online'))")
    await expect(page.locator("#banner-outbox")).to_be_hidden(timeout=30_000)


async def test_edits_from_a_stored_page_show_as_waiting_and_follow_each_other(
    page: Page, live_app: LiveApp, browser_context: BrowserContext, database: str
) -> None:
    household_id, resident_id, _ = await offline_at_the_door(page, live_app, browser_context)

    await save_household_edit(page, household_id, street="Ngõ 12")
    # The stored page shows the queued street, marked as waiting; the rest is as the server drew it.
    record = page.locator(f"#ssr [data-record='household:{household_id}']")
    await expect(record.locator("[data-field=street]")).to_have_text("Ngõ 12")
    await expect(record.locator("[data-field=house_number]")).to_have_text("12")
    await expect(record.locator("p:has([data-field=street]) > .queued-mark")).to_contain_text(WAITING)

    # The form starts from what is queued: changing the street again sends only the street.
    await page.click("text=Sửa thông tin hộ")
    await page.wait_for_url(f"**/household/edit?id={household_id}")
    await expect(page.locator("#street")).to_have_value("Ngõ 12")
    await expect(page.locator("form[data-outbox] h1")).to_contain_text(WAITING)
    await page.fill("#street", "Ngõ 14")
    await page.fill("#notes", "Mái nhà dột")
    await page.click("form[data-outbox] button[type=submit]")
    await page.wait_for_url(f"**/household?id={household_id}")
    await expect(record.locator("[data-field=street]")).to_have_text("Ngõ 14")

    # A member renamed and one added: both shown on the stored page, waiting.
    await page.click(".results a:has-text('Đặng Thị Hoa')")
    await page.wait_for_url(f"**/resident/edit?household={household_id}&id={resident_id}")
    await page.fill("#full_name", "Đặng Thị Hoà")
    await page.click("form[data-outbox] button[type=submit]")
    await page.wait_for_url(f"**/household?id={household_id}")
    member = page.locator(f"#ssr [data-record='resident:{resident_id}']")
    await expect(member.locator("[data-field=full_name]")).to_have_text("Đặng Thị Hoà")
    await expect(member).to_contain_text(WAITING)
    await page.click("text=Thêm nhân khẩu")
    await page.wait_for_url(f"**/resident/new?household={household_id}")
    await page.fill("#full_name", "Lê Văn Tám")
    await page.fill("#birth_year", "1990")
    await page.select_option("#relation_to_head", "child")
    await page.click("form[data-outbox] button[type=submit]")
    await expect(page.locator("#banner-outbox")).to_have_text("Đang chờ gửi (4)")
    await page.goto(f"{live_app.origin}/household?id={household_id}")
    added = page.locator("#ssr [data-pending-list=resident] > .queued-new")
    await expect(added).to_have_text(f"Lê Văn Tám · 1990 · Con · {WAITING}")
    # "No visit yet" under the visits, until one waits in the queue: then the list shows it instead.
    no_visit_yet = page.locator("#ssr [data-pending-list=visit] + .none-yet")
    await expect(no_visit_yet).to_be_visible()
    await page.fill("#purpose", "Thăm hỏi sau bão")
    await page.click("form[data-outbox=visit] button[type=submit]")
    await expect(page.locator("#banner-outbox")).to_have_text("Đang chờ gửi (5)")
    await page.goto(f"{live_app.origin}/household?id={household_id}")
    await expect(page.locator("#ssr [data-pending-list=visit] > .queued-new")).to_contain_text("Thăm hỏi sau bão")
    await expect(no_visit_yet).to_be_hidden()

    await back_online(page, browser_context)
    [household] = await fetch(database, "SELECT street, notes, version FROM households WHERE id = $1", household_id)
    # Version 3: the first edit; 4: the second, based on 3 (the server's answer), not on the page's 2.
    assert (household["street"], household["notes"], household["version"]) == ("Ngõ 14", "Mái nhà dột", 4)
    assert await fetch(database, "SELECT id FROM sync_conflicts") == []
    members = await fetch(database, "SELECT full_name, birth_year FROM residents ORDER BY created_at")
    assert [(m["full_name"], m["birth_year"]) for m in members] == [("Đặng Thị Hoà", 1962), ("Lê Văn Tám", 1990)]

    # The kept copy of the household page was fetched again after the answer: offline, it shows the server's.
    await page.wait_for_function(
        f"caches.match('/household?id={household_id}').then((r) => r.text()).then((t) => t.includes('Lê Văn Tám'))",
        timeout=30_000,
    )
    await browser_context.set_offline(True)
    await page.goto(f"{live_app.origin}/household?id={household_id}")
    await expect(record.locator("[data-field=street]")).to_have_text("Ngõ 14")
    await expect(page.locator("#ssr")).not_to_contain_text(WAITING)


async def test_an_edit_from_another_device_in_between_still_conflicts(
    page: Page, live_app: LiveApp, browser_context: BrowserContext, database: str
) -> None:
    household_id, _, area = await offline_at_the_door(page, live_app, browser_context)
    await save_household_edit(page, household_id, street="Ngõ 12")
    await save_household_edit(page, household_id, street="Ngõ 14")
    await save_household_edit(page, household_id, notes="Mái nhà dột")
    await expect(page.locator("#banner-outbox")).to_have_text("Đang chờ gửi (3)")

    # Meanwhile another cadre, with signal, changes the notes (version 3).
    other = await person(live_app, "can.bo.khac", "area_cadre", area)
    operation = SyncOperation(
        op_id=uuid.uuid4(),
        entity="household",
        action="update",
        entity_id=household_id,
        base_version=2,
        fields={"notes": "Đã sửa mái"},
        at=datetime.now(UTC),
    )
    request = SyncRequest(device_id="phone-khac", operations=[operation], pull=False)
    [answer] = (await SyncService(live_app.settings, SystemClock()).sync(other, request, "vi")).results
    assert (answer.status, answer.version) == ("applied", 3)

    await back_online(page, browser_context)
    [household] = await fetch(database, "SELECT street, notes, version FROM households WHERE id = $1", household_id)
    # The two street edits follow each other (4, then 5 based on 4: the second only rewrites what the first
    # wrote); the notes edit was made on version 2 and the other cadre's notes came after it: a conflict for
    # a person, never a silent overwrite.
    assert (household["street"], household["notes"], household["version"]) == ("Ngõ 14", "Đã sửa mái", 5)
    conflicts = await fetch(database, "SELECT base_version, fields::text AS fields FROM sync_conflicts")
    assert [(c["base_version"], c["fields"]) for c in conflicts] == [
        (2, '{"notes": {"client": "Mái nhà dột", "server": "Đã sửa mái"}}')
    ]


async def test_a_member_added_twice_to_a_household_still_in_the_outbox_is_pointed_out(
    page: Page, live_app: LiveApp, browser_context: BrowserContext, database: str
) -> None:
    _, area = await an_area(live_app)
    await person(live_app, "can.bo.to5", "area_cadre", area)
    await sign_in(page, live_app.origin, "can.bo.to5", f"/household/new?unit={area}")
    await service_worker_in_control(page)
    await page.reload()
    await kept_offline(page, "/resident/new")
    await browser_context.set_offline(True)

    await page.fill("#house_number", "45")
    await page.click("form[data-outbox] button[type=submit]")
    await page.wait_for_url("**/resident/new?household=*")
    household_id = parse_qs(urlsplit(page.url).query)["household"][0]
    await page.fill("#full_name", "Lê Văn Tám")
    await page.fill("#birth_year", "1958")
    await page.click("form[data-outbox] button[type=submit]")
    await expect(page.locator("#banner-outbox")).to_have_text("Đang chờ gửi (2)")
    queued = page.locator("[data-queued-duplicates]")
    await expect(queued).to_be_hidden()  # the form was cleared: nothing to compare

    await page.fill("#full_name", "Le Van TAM")  # the same name, folded
    await page.fill("#birth_year", "1958")
    await expect(queued).to_be_visible()
    await expect(queued.locator("li")).to_have_text(["Lê Văn Tám · 1958"])
    await page.fill("#birth_year", "1959")  # another person
    await expect(queued).to_be_hidden()
    await page.fill("#birth_year", "1958")
    await expect(queued).to_be_visible()

    # Offered, never blocking: the cadre may still save (twins, say); both reach the household.
    await page.click("form[data-outbox] button[type=submit]")
    await back_online(page, browser_context)
    residents = await fetch(database, "SELECT household_id::text AS h, full_name FROM residents")
    assert sorted((r["h"], r["full_name"]) for r in residents) == [
        (household_id, "Le Van TAM"),
        (household_id, "Lê Văn Tám"),
    ]
