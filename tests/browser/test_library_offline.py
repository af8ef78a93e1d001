"""A cadre pins a library category, loses the signal, and still opens and searches the pinned documents;
freeing the space empties the device's copy."""

from __future__ import annotations

from playwright.async_api import BrowserContext, Page, expect

from backend.features.library.demo import seed_demo_library
from backend.lib.clock import SystemClock
from support.browser import service_worker_in_control
from support.servers import LiveApp


async def test_pin_a_category_then_read_and_search_it_offline(
    page: Page, live_app: LiveApp, browser_context: BrowserContext
) -> None:
    await seed_demo_library(live_app.settings, SystemClock())
    await page.goto(f"{live_app.origin}/library?category=forms")
    await service_worker_in_control(page)
    pin = page.locator('#app [data-library-pin="forms"]')
    await pin.click()
    await expect(pin).to_have_attribute("aria-pressed", "true", timeout=15000)

    await page.goto(f"{live_app.origin}/library/offline")
    await expect(page.locator("#library-offline li")).to_have_count(3, timeout=15000)
    await browser_context.set_offline(True)
    await page.reload()
    offline = page.locator("#library-offline")
    await expect(offline.locator("li")).to_have_count(3, timeout=15000)
    await expect(offline.locator("[data-library-storage]")).to_contain_text("KB")

    await offline.locator("#library-offline-q").fill("bien ban hop")
    await expect(offline.locator("li")).to_have_count(1)
    await offline.locator("li a").click()
    await expect(offline.locator("article h2")).to_have_text("Mẫu biên bản họp Ban công tác Mặt trận khu dân cư")
    await expect(offline.locator("article")).to_contain_text("Kết quả thăm hộ gia đình")
    await offline.locator('a[href="#noi-dung"]').click()
    await expect(offline.locator("#noi-dung")).to_be_in_viewport()

    await page.evaluate("location.hash = ''")
    await offline.locator("[data-library-free]").click()
    await expect(offline.locator("li")).to_have_count(0)
    await browser_context.set_offline(False)
