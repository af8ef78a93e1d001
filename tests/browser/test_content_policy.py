"""The app's Content-Security-Policy (script-src 'self', no eval, no other origin) leaves every page working:
the browser reports no violation while pages render, turn live and take input."""

from __future__ import annotations

from playwright.async_api import Page, expect

from support.browser import service_worker_in_control
from support.servers import LiveApp

RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__violations.push(event.violatedDirective + ' ' + event.blockedURI);
});
"""


async def test_pages_run_under_the_policy_without_violations(page: Page, live_app: LiveApp) -> None:
    await page.add_init_script(RECORD_VIOLATIONS)
    console_refusals: list[str] = []
    page.on(
        "console", lambda message: console_refusals.append(message.text) if "Content Security" in message.text else None
    )

    await page.goto(f"{live_app.origin}/units?q=hoan%20kiem")
    await expect(page.locator("#ssr")).to_have_count(0)  # the live client (a module script) took over
    await page.fill("#q", "ba dinh")
    await expect(page.locator("#app .results li").first).to_contain_text("Ba Đình")
    assert await page.evaluate("window.__violations") == []
    for path in ("/", "/library", "/petitions/new", "/petitions/track"):
        await page.goto(live_app.origin + path)
        await expect(page.locator("#ssr")).to_have_count(0)
        assert await page.evaluate("window.__violations") == [], path
    await service_worker_in_control(page)
    assert console_refusals == []
