"""A push reaching the service worker shows a notification; a dropped live connection is said aloud and
no click is silently lost."""

from __future__ import annotations

import json
import re

from playwright.async_api import BrowserContext, Page, WebSocketRoute, expect

from backend.features.notify.service import notify
from backend.lib.clock import SystemClock
from support.browser import service_worker_in_control, sign_in
from support.identity import make_account
from support.servers import LiveApp

NOTIFICATION_KIND = "deadline"


async def service_worker_registration(page: Page, context: BrowserContext) -> tuple[str, dict]:
    await page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    cdp = await context.new_cdp_session(page)
    registrations: list[dict] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"]))
    await cdp.send("ServiceWorker.enable")
    await service_worker_in_control(page)
    for _ in range(50):
        if registrations:
            break
        await page.wait_for_timeout(100)
    return registrations[0]["registrationId"], cdp  # type: ignore[return-value]


async def test_a_push_shows_a_notification(page: Page, live_app: LiveApp, browser_context: BrowserContext) -> None:
    await browser_context.grant_permissions(["notifications"], origin=live_app.origin)
    await page.goto(live_app.origin + "/")
    registration_id, cdp = await service_worker_registration(page, browser_context)
    message = {"title": "Phản ánh mới được giao", "body": "Đường ngập ở tổ 5", "url": "/notes", "tag": "petition-42"}
    await cdp.send(
        "ServiceWorker.deliverPushMessage",
        {  # type: ignore[attr-defined]
            "origin": live_app.origin,
            "registrationId": registration_id,
            "data": json.dumps(message),
        },
    )
    shown = None
    for _ in range(150):  # a loaded 2-core machine can take seconds to wake the worker
        shown = await page.evaluate(
            """async () => (await (await navigator.serviceWorker.ready).getNotifications())
                .map(n => ({title: n.title, body: n.body, tag: n.tag, url: n.data.url}))"""
        )
        if shown:
            break
        await page.wait_for_timeout(100)
    assert shown == [
        {"title": "Phản ánh mới được giao", "body": "Đường ngập ở tổ 5", "tag": "petition-42", "url": "/notes"}
    ]


async def test_dropped_connection_shows_a_banner_and_refuses_clicks(page: Page, live_app: LiveApp) -> None:
    sockets: list[WebSocketRoute] = []
    network_down = False

    async def through_a_cable_we_can_cut(socket: WebSocketRoute) -> None:
        if network_down:
            await socket.close()
            return
        socket.connect_to_server()
        sockets.append(socket)

    await page.route_web_socket(re.compile(r"/_reactpy/stream"), through_a_cable_we_can_cut)
    await page.goto(live_app.origin + "/units?q=ha")
    await expect(page.locator("#ssr")).to_have_count(0)
    await expect(page.locator("#banner-connection")).to_be_hidden()
    network_down = True
    await sockets[0].close()
    await expect(page.locator("#banner-connection")).to_contain_text("Mất kết nối")
    await page.locator("#q").fill("hue")
    await expect(page.locator("#toast")).to_contain_text("Chưa gửi được thao tác")
    network_down = False  # the client's own retry brings the page back
    await expect(page.locator("#banner-connection")).to_be_hidden(timeout=20000)


async def test_inbox_and_permission_asked_only_on_the_button(
    page: Page, live_app: LiveApp, browser_context: BrowserContext
) -> None:
    account = await make_account(live_app.settings, SystemClock(), "nhan.thong.bao", "commune_officer", "00070")
    # The live app runs in this process, so its database is this test's too.
    await notify(
        account,
        NOTIFICATION_KIND,
        "Hạn đại hội sắp đến",
        "Còn 2 ngày để nộp kết quả",
        dedup_key="congress:00070:t-2",
        now=SystemClock().now(),
        url="/account",
    )
    await sign_in(page, live_app.origin, "nhan.thong.bao", "/notifications")
    await expect(page.locator(".results li")).to_contain_text(["Hạn đại hội sắp đến"])
    # Nothing was asked on arrival; the prompt comes only from the button (headless Chromium refuses it).
    assert await page.evaluate("Notification.permission") == "default"
    await page.click("[data-push-enable]")
    await expect(page.locator("#toast")).to_contain_text("chưa cho phép thông báo")


async def test_a_page_opened_on_a_bad_line_goes_live_once_the_line_holds(page: Page, live_app: LiveApp) -> None:
    attempts = 0

    async def failing_twice_then_through(socket: WebSocketRoute) -> None:
        nonlocal attempts
        attempts += 1
        if attempts <= 2:
            await socket.close()
            return
        socket.connect_to_server()

    await page.route_web_socket(re.compile(r"/_reactpy/stream"), failing_twice_then_through)
    await page.goto(live_app.origin + "/units?q=ha")
    await expect(page.locator("#banner-connection")).to_contain_text("Mất kết nối")
    await expect(page.locator("#ssr")).to_have_count(0, timeout=20000)
    await expect(page.locator("#banner-connection")).to_be_hidden()
    assert attempts == 3
    await page.locator("#q").fill("hue")
    await expect(page.locator("#toast")).not_to_contain_text("Chưa gửi được thao tác")
