"""A note written offline is queued, survives a reload, and reaches the server exactly once after the
connection returns, also when the first replay is cut off after the server applied it."""

from __future__ import annotations

import asyncpg
from playwright.async_api import BrowserContext, Page, Route, expect

from backend.lib.clock import SystemClock
from support.browser import service_worker_in_control, sign_in
from support.identity import make_account
from support.servers import LiveApp


async def drafts_titled(database: str, title: str) -> int:
    connection = await asyncpg.connect(database)
    try:
        return int(await connection.fetchval("SELECT count(*) FROM drafts WHERE title = $1", title))
    finally:
        await connection.close()


async def test_offline_note_reaches_the_server_exactly_once(
    page: Page, live_app: LiveApp, browser_context: BrowserContext, database: str
) -> None:
    await make_account(live_app.settings, SystemClock(), "can.bo.ghi", "commune_officer", "00070")
    await sign_in(page, live_app.origin, "can.bo.ghi", "/notes")
    await service_worker_in_control(page)
    await page.reload()  # the worker keeps this page for offline use

    await browser_context.set_offline(True)
    await page.fill("#note-title", "Đường ngõ 5 ngập nước")
    await page.fill("#note-body", "Bà con tổ 5 phản ánh cống tắc sau mưa.")
    await page.click("form[data-outbox] button[type=submit]")
    await expect(page.locator("#banner-outbox")).to_have_text("Đang chờ gửi (1)")
    await page.reload()
    await expect(page.locator("#banner-outbox")).to_have_text("Đang chờ gửi (1)")
    await expect(page.locator("#outbox-list li")).to_have_text(["Đường ngõ 5 ngập nước"])

    answers: list[str] = []

    async def lose_the_first_answer(route: Route) -> None:
        response = await route.fetch()  # the server receives and applies it...
        statuses = [result["status"] for result in (await response.json())["results"]]
        answers.append("cut" if not answers else ",".join(statuses))
        if answers == ["cut"]:
            await route.abort("connectionreset")  # ...but the phone never hears back
        else:
            await route.fulfill(response=response)

    # On the context, so it also catches the service worker's replay (Background Sync fires on reconnect):
    # page and worker both replay, one at a time, and whichever goes first loses its answer.
    await browser_context.route("**/api/v1/sync", lose_the_first_answer)
    await browser_context.set_offline(False)
    await page.evaluate("window.dispatchEvent(new Event('online'))")
    await page.evaluate("window.dispatchEvent(new Event('focus'))")
    await expect(page.locator("#banner-outbox")).to_be_hidden(timeout=15000)
    assert answers[0] == "cut" and "duplicate" in answers[1:]  # kept after the cut, then recognised
    assert await drafts_titled(database, "Đường ngõ 5 ngập nước") == 1
