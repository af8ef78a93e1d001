"""Steps a person takes in the browser, shared by the browser tests."""

from __future__ import annotations

from playwright.async_api import Page
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from support.identity import PASSWORD


async def sign_in(page: Page, origin: str, username: str, next_path: str) -> None:
    """Through the web app's sign-in: the provider's form, then back to next_path."""
    await page.goto(f"{origin}/auth/login?next={next_path}")
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{origin}{next_path}")


async def service_worker_in_control(page: Page) -> None:
    """Wait until the service worker is active and controls the page (it claims clients on activation).
    Installing precaches the shell, which takes a while on a busy machine: the wait is generous. A page the
    claim missed (seen once in a cold first run) is reloaded, as a person would, and is then controlled."""
    await page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    try:
        await page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=30_000)
    except PlaywrightTimeoutError:
        await page.reload()
        await page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=60_000)
