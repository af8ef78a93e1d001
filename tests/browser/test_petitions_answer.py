"""An officer on a phone answers a petition from its page: a wrong file is refused on the phone without
losing the answer being typed, a photo goes up as evidence, the answer is sent and published; the citizen
then sees the answer and the photo by tracking code."""

from __future__ import annotations

import io
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from PIL import Image
from playwright.async_api import Page, expect

from backend.app import create_app
from backend.features.identity.service import AccountService
from backend.features.petitions.service import PetitionService
from backend.lib.clock import SystemClock
from pwa.features.petitions import pages as petition_pages
from schemas.petitions import AssignCommand, ClassifyCommand, PetitionCreate
from support.browser import sign_in
from support.config import settings_for
from support.identity import make_account
from support.servers import LiveApp, LocalServer, free_port

ANSWER = "Đã thay bóng đèn mới trước số 12, đường đã sáng trở lại."


@pytest.fixture
async def live_app(database: str, tmp_path: Path) -> AsyncIterator[LiveApp]:
    """The shared fixture's app, with attachments stored in this test's folder."""
    port = free_port()
    settings = settings_for(
        database, public_url=f"http://127.0.0.1:{port}", petitions_storage_dir=str(tmp_path / "petition-files")
    )
    server = LocalServer(create_app(settings, SystemClock()), port=port, lifespan="on")
    await server.start()
    try:
        yield LiveApp(server.origin, settings)
    finally:
        await server.stop()


async def assigned_petition(live_app: LiveApp) -> tuple[uuid.UUID, str]:
    """Filed anonymously by a citizen, classified and assigned to the commune's officer."""
    clock = SystemClock()
    officer_id = await make_account(live_app.settings, clock, "can.bo.xa", "commune_officer", "00070")
    officer = await AccountService(live_app.settings, clock).principal(officer_id, "mattran-web", frozenset())
    service = PetitionService(live_app.settings, clock)
    receipt, _ = await service.file(
        None,
        PetitionCreate(
            title="Đèn đường hỏng ở ngõ 12 Hàng Bài",
            description="Đèn đường trước số 12 đã hỏng hai tuần, buổi tối rất tối.",
            unit_code="00070",
            contact_phone="0912000111",
        ),
    )
    await service.classify(officer, receipt.id, ClassifyCommand(category_code="ha_tang"))
    await service.assign(officer, receipt.id, AssignCommand(assignee=officer_id))
    return receipt.id, receipt.tracking_code


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (30, 140, 200)).save(out, "JPEG")
    return out.getvalue()


async def test_an_officer_answers_with_a_photo_and_the_citizen_sees_it(page: Page, live_app: LiveApp) -> None:
    petition_id, code = await assigned_petition(live_app)
    await sign_in(page, live_app.origin, "can.bo.xa", f"/petition?id={petition_id}")
    await page.wait_for_selector("#ssr", state="detached")  # the live page has taken over
    await expect(page.locator("h1")).to_have_text("Đèn đường hỏng ở ngõ 12 Hàng Bài")

    await page.click("#panel-answer summary")
    await page.fill("#answer-answer", ANSWER)
    await page.click("#answer-send")  # no evidence yet: refused, the text stays
    await expect(page.locator("#app [role=alert]").last).to_contain_text("minh chứng")
    await expect(page.locator("#answer-answer")).to_have_value(ANSWER)

    upload = page.locator("[data-evidence] input[type=file]")
    await upload.set_input_files({"name": "ghi-chu.txt", "mimeType": "text/plain", "buffer": b"not a photo"})
    await expect(page.locator("[data-evidence-error]")).to_have_text(
        "Tệp “ghi-chu.txt” không phải ảnh JPEG, PNG, WebP hoặc PDF."
    )
    # Named and typed as a photo, but not one: the server sniffs the bytes and refuses, nothing is lost.
    await upload.set_input_files({"name": "gia.jpg", "mimeType": "image/jpeg", "buffer": b"not a photo either"})
    await expect(page.locator("[data-evidence-error]")).to_be_hidden()
    await page.click("[data-evidence-send]")
    await expect(page.locator("[data-evidence-error]")).to_have_text("Chỉ nhận ảnh JPEG, PNG, WebP hoặc tệp PDF.")
    await expect(page.locator("#answer-answer")).to_have_value(ANSWER)

    await upload.set_input_files({"name": "den-moi.jpg", "mimeType": "image/jpeg", "buffer": photo()})
    await expect(page.locator("[data-evidence-chosen]")).to_have_text("den-moi.jpg")
    await expect(page.locator("[data-evidence-error]")).to_be_hidden()
    await page.click("[data-evidence-send]")
    await expect(page.locator('#panel-answer img[alt="den-moi.jpg"]')).to_be_visible()
    await expect(page.locator("#answer-answer")).to_have_value(ANSWER)

    await page.click("#answer-send")
    await expect(page.locator("#app section > p strong").first).to_have_text("Đã có trả lời, đang chờ công bố")
    await page.click("#publish")
    await expect(page.locator("#app section > p strong").first).to_have_text("Đã trả lời và công khai")

    await page.context.clear_cookies()  # the citizen is nobody signed in: the code is all they hold
    citizen = await page.context.new_page()
    await citizen.goto(f"{live_app.origin}/petitions/track?code={code}")
    await expect(citizen.locator(".answer")).to_contain_text(ANSWER)
    evidence = citizen.locator('.answer img[alt="den-moi.jpg"]')
    await expect(evidence).to_be_visible()
    assert await evidence.evaluate("image => image.naturalWidth") == 800

    # Not satisfied after all: reopened from the same page, with a reason.
    await citizen.wait_for_selector("#ssr", state="detached")
    await citizen.click("#panel-reopen summary")
    await citizen.fill("#reopen-reason", "Đèn lại tắt sau hai ngày.")
    await citizen.click("#reopen-send")
    await expect(citizen.locator("#app section > p strong").first).to_have_text("Đã mở lại theo đề nghị của người gửi")


async def test_the_inbox_adds_more_petitions_below(
    page: Page, live_app: LiveApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(petition_pages, "LISTED", 2)
    await make_account(live_app.settings, SystemClock(), "can.bo.xa", "commune_officer", "00070")
    service = PetitionService(live_app.settings, SystemClock())
    for number in range(1, 4):
        await service.file(
            None,
            PetitionCreate(
                title=f"Phản ánh số {number}", description="…", unit_code="00070", contact_phone="0912000111"
            ),
        )
    await sign_in(page, live_app.origin, "can.bo.xa", "/petitions")
    await expect(page.locator("#ssr")).to_have_count(0)  # the live page took over
    listed = page.locator("main .results li")
    await expect(listed).to_have_count(2)
    await page.click("a.more")
    await expect(listed).to_have_count(3)
    await expect(page.locator("a.more")).to_have_count(0)
    assert "cursor" not in page.url
