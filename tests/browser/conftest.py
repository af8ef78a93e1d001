"""Browser tests: Debian's Chromium driven by Playwright, against the real app on a local port."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import BrowserContext, Page, async_playwright

from backend.app import create_app
from backend.lib.clock import SystemClock
from support.config import settings_for
from support.servers import LiveApp, LocalServer, free_port

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# As root on a closed network: no sandbox, and none of Chromium's own calls home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark browser tests; without Chromium they are skipped on a developer's machine, but CI (which sets
    MATTRAN_REQUIRE_BROWSER) installs it and fails rather than skip."""
    missing = not Path(CHROMIUM).exists()
    if missing and os.environ.get("MATTRAN_REQUIRE_BROWSER"):
        raise pytest.UsageError(f"Chromium not found at {CHROMIUM}: apt-get install chromium")
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            if missing:
                item.add_marker(pytest.mark.skip(reason="needs Debian's chromium: apt-get install chromium"))


@pytest.fixture
async def live_app(database: str) -> AsyncIterator[LiveApp]:
    port = free_port()
    settings = settings_for(database, public_url=f"http://127.0.0.1:{port}")
    server = LocalServer(create_app(settings, SystemClock()), port=port, lifespan="on")
    await server.start()
    try:
        yield LiveApp(server.origin, settings)
    finally:
        await server.stop()


@pytest.fixture
async def browser_context(tmp_path: Path) -> AsyncIterator[BrowserContext]:
    """A persistent profile (installability is only reported for those), phone-sized."""
    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 360, "height": 740},
            locale="vi-VN",
            service_workers="allow",
        )
        try:
            yield context
        finally:
            await context.close()


@pytest.fixture
async def page(browser_context: BrowserContext) -> Page:
    return browser_context.pages[0] if browser_context.pages else await browser_context.new_page()
