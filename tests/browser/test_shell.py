"""The installable shell: first paint, live takeover, manifest, service worker, offline."""

from __future__ import annotations

import os

import pytest
from playwright.async_api import BrowserContext, Page, expect

from backend.lib.clock import SystemClock
from pwa.assets import STATIC_DIR
from support.browser import service_worker_in_control, sign_in
from support.identity import make_account
from support.servers import LiveApp


async def test_first_paint_then_live(page: Page, live_app: LiveApp) -> None:
    await page.goto(f"{live_app.origin}/units?q=hoan%20kiem")
    await expect(page.locator("#app .results li").first).to_contain_text("Phường Hoàn Kiếm")
    await expect(page.locator("#ssr")).to_have_count(0)  # the live client took over
    await page.fill("#q", "ba dinh")
    await expect(page.locator("#app .results li").first).to_contain_text("Ba Đình")


async def test_installable_in_chromium(page: Page, live_app: LiveApp, browser_context: BrowserContext) -> None:
    await page.goto(live_app.origin + "/")
    await service_worker_in_control(page)
    cdp = await browser_context.new_cdp_session(page)
    errors = await cdp.send("Page.getInstallabilityErrors")
    assert errors["installabilityErrors"] == []
    manifest = await cdp.send("Page.getAppManifest")
    assert manifest["errors"] == []


async def test_offline_reload_shows_the_shell(page: Page, live_app: LiveApp, browser_context: BrowserContext) -> None:
    await page.goto(live_app.origin + "/")
    await service_worker_in_control(page)
    await page.reload()  # now through the worker, which keeps the page
    await browser_context.set_offline(True)
    await page.reload()
    await expect(page.locator("h1").first).to_have_text("Mặt trận số")
    await expect(page.locator("#banner-connection")).to_be_visible()
    await page.goto(live_app.origin + "/account")  # never visited: the offline page
    await expect(page.locator("h1")).to_have_text("Đang ngoại tuyến")


@pytest.mark.skipif(not os.environ.get("MATTRAN_UPDATE_SCREENSHOTS"), reason="a tool: MATTRAN_UPDATE_SCREENSHOTS=1")
async def test_screenshots_for_the_manifest(page: Page, live_app: LiveApp) -> None:
    """Regenerates pwa/static/screenshots (listed in the manifest) when the look of the app changes."""
    target = STATIC_DIR / "screenshots"
    await page.goto(live_app.origin + "/units?q=ha")
    await expect(page.locator("#app .results li").first).to_be_visible()
    await page.screenshot(path=str(target / "phone.png"))
    await page.set_viewport_size({"width": 1280, "height": 800})
    await page.screenshot(path=str(target / "wide.png"))


async def test_signed_in_pages_fit_a_360_pixel_phone(page: Page, live_app: LiveApp) -> None:
    """The header carries the signed-in name ("Cán bộ khu dân cư (demo)" pushed every page to 412 px, so the
    whole page, bottom bar included, scrolled sideways on a 360 px phone): a long name is cut short there and
    wraps in the page (/account's title); the role is named in words, not by its code."""
    await make_account(live_app.settings, SystemClock(), "ten.rat.dai.cua.mot.can.bo", "commune_officer", "00070")
    await sign_in(page, live_app.origin, "ten.rat.dai.cua.mot.can.bo", "/")
    for path in ("/", "/areas", "/petitions", "/library", "/account"):
        await page.goto(live_app.origin + path)
        await expect(page.locator(".who")).to_contain_text("Cán bộ")
        widths = await page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert widths == [360, 360], path
        # Only the name gives way: the language link keeps its word inside its box (it spilled over the brand).
        assert await page.locator(".lang").evaluate("link => link.scrollWidth <= link.clientWidth"), path
    await expect(page.locator("main li").first).to_have_text("Cán bộ Mặt trận cấp xã · Phường Hoàn Kiếm")
