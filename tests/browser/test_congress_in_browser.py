"""Congress tracking in the browser: a ward reports a milestone done on its checklist, and the province
approves the results the ward submitted from its approvals inbox (actions over the live connection)."""

from __future__ import annotations

import msgspec
from playwright.async_api import Page, expect

from backend.features.congress.service import CongressService
from backend.features.identity.service import AccountService
from backend.lib.access import Principal
from backend.lib.clock import SystemClock
from schemas.congress import TermCreate
from support.browser import sign_in
from support.identity import make_account
from support.servers import LiveApp

TERM = {
    "code": "browser-term",
    "name": "Nhiệm kỳ thử",
    "levels": [{"level": "commune", "start_year": 2026, "end_year": 2031, "congress_by": "2026-04-30"}],
}


async def officer(live_app: LiveApp, username: str, role: str, unit: str) -> Principal:
    clock = SystemClock()
    account_id = await make_account(live_app.settings, clock, username, role, unit)
    return await AccountService(live_app.settings, clock).principal(account_id, "mattran-web", frozenset())


async def test_a_ward_reports_and_the_province_approves(page: Page, live_app: LiveApp) -> None:
    centre = await officer(live_app, "trung.uong", "central_admin", "TW")
    ward = await officer(live_app, "can.bo.phuong", "commune_officer", "00004")
    await officer(live_app, "can.bo.tinh", "province_officer", "01")
    service = CongressService(live_app.settings, SystemClock())
    await service.create_term(centre, msgspec.convert(TERM, TermCreate))

    await sign_in(page, live_app.origin, "can.bo.phuong", "/congress")
    plan = page.locator("#app .results > li").first
    await expect(plan).to_contain_text("Kế hoạch, chỉ thị")
    await expect(plan).to_contain_text("Trễ hạn")
    await expect(page.locator("#ssr")).to_have_count(0)  # the live client took over: clicks reach the server
    await plan.locator("select").select_option("done")
    await plan.locator("input[type=date]").fill("2025-12-20")
    await plan.locator("button").click()
    await expect(plan).to_contain_text("✔ Kế hoạch, chỉ thị")
    await expect(plan).to_contain_text("Hoàn thành")

    congress = await service.congress_of_unit(ward, "00004", None, "front")
    assert next(m for m in congress.milestones if m.stage == "plan").status == "done"

    # The results, entered and submitted on the page.
    await page.fill("#result-held_on", "2026-04-20")
    await page.fill("#result-delegates_count", "120")
    await page.fill("#result-committee_size", "55")
    await page.fill("#result-chair", "Nguyễn Thị Hoa")
    await page.fill("#result-vice_chairs", "Trần Văn Nam, Lê Thị Mai")
    await page.fill("#result-women_pct", "40")
    await page.get_by_role("button", name="Gửi cấp trên duyệt").click()
    await expect(page.locator("#app")).to_contain_text("Đã gửi, chờ cấp trên duyệt")
    submitted = (await service.congress(ward, congress.id)).result
    assert submitted is not None and submitted.state == "submitted"
    assert (submitted.committee_size, submitted.women_pct, len(submitted.leaders)) == (55, 40.0, 3)

    await page.context.clear_cookies()
    await sign_in(page, live_app.origin, "can.bo.tinh", "/congress/approvals")
    row = page.locator("#app .results > li").first
    await expect(row).to_contain_text("Phường Ba Đình")
    await expect(page.locator("#ssr")).to_have_count(0)
    await row.get_by_role("button", name="Duyệt và khóa").click()
    await expect(row).to_contain_text("Đã duyệt và khóa")
    assert (await service.congress(ward, congress.id)).result.state == "approved"  # type: ignore[union-attr]
