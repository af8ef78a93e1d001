"""The petition pages as their loaders see the database, rendered as the phone first gets them: the
cadre's offline form, the citizen's form, tracking by code, the staff inbox, one petition, the dashboard."""

from __future__ import annotations

import html
from types import SimpleNamespace
from typing import Any

import pytest

from backend.features.identity.service import AccountService
from backend.features.petitions.service import PetitionService
from backend.lib.access import Principal
from backend.lib.clock import FrozenClock
from backend.settings import Settings
from pwa.features.petitions import pages
from pwa.pages import PAGES, App
from pwa.reactpy_litestar import install_task_local_hook_stack, prerender
from pwa.session import PageSession
from schemas.petitions import ClassifyCommand, PetitionCreate
from support.identity import make_account

pytestmark = pytest.mark.integration
COMMUNE = "00070"


async def principal(settings: Settings, clock: FrozenClock, username: str, role: str, unit: str) -> Principal:
    account_id = await make_account(settings, clock, username, role, unit)
    return await AccountService(settings, clock).principal(account_id, "mattran-web", frozenset())


def session_of(settings: Settings, clock: FrozenClock, who: Principal | None) -> PageSession:
    app = SimpleNamespace(state=SimpleNamespace(settings=settings, clock=clock))
    return PageSession("vi", who, "Cán bộ" if who else None, app)


async def page(session: PageSession, path: str, query: dict[str, str] | None = None) -> str:
    data: dict[str, Any] = await PAGES[path].load(session, query or {})
    install_task_local_hook_stack()
    return html.unescape(await prerender(App(session, path, data), {}, path, ""))


@pytest.fixture
async def officer(connected: str, settings: Settings, clock: FrozenClock) -> Principal:
    return await principal(settings, clock, "can.bo.xa", "commune_officer", COMMUNE)


async def test_a_cadre_gets_the_offline_form_and_a_citizen_the_online_one(
    officer: Principal, settings: Settings, clock: FrozenClock
) -> None:
    cadre_page = await page(session_of(settings, clock, officer), "/petitions/new")
    citizen_page = await page(session_of(settings, clock, None), "/petitions/new")

    assert 'data-outbox="petition"' in cadre_page and 'name="consent_given"' in cadre_page
    assert "Đất đai" in cadre_page and f'<option value="{COMMUNE}">Phường Hoàn Kiếm</option>' in cadre_page
    assert '<label class="check"><input type="checkbox" name="consent_given"' in cadre_page
    assert "data-outbox" not in citizen_page
    assert "bạn sẽ nhận mã tra cứu" in citizen_page


async def test_tracking_inbox_detail_and_dashboard(officer: Principal, settings: Settings, clock: FrozenClock) -> None:
    service = PetitionService(settings, clock)
    data = PetitionCreate(
        title="Ổ gà trên đường Lê Duẩn",
        description="Ổ gà lớn gây tai nạn.",
        unit_code=COMMUNE,
        contact_phone="0912000111",
    )
    receipt, _ = await service.file(None, data)
    staff = session_of(settings, clock, officer)

    tracked = await page(session_of(settings, clock, None), "/petitions/track", {"code": receipt.tracking_code})
    unknown = await page(session_of(settings, clock, None), "/petitions/track", {"code": "KN-AAAAA"})
    assert "Ổ gà trên đường Lê Duẩn" in tracked and "Đã tiếp nhận, đang chờ phân loại" in tracked
    assert "0912000111" not in tracked
    assert "Không tìm thấy phản ánh" in unknown

    inbox = await page(staff, "/petitions")
    assert f'href="/petition?id={receipt.id}"' in inbox and "Ổ gà" in inbox
    # The filters are short words a row of pills can hold; the one shown is marked for screen readers.
    assert '<a href="/petitions" class="chip active" aria-current="page">Tất cả</a>' in inbox
    assert '<a href="/petitions?state=received" class="chip">Mới tiếp nhận</a>' in inbox
    await service.classify(officer, receipt.id, ClassifyCommand(category_code="ha_tang"))
    detail = await page(staff, "/petition", {"id": str(receipt.id)})
    assert "Phân loại → Đã phân loại, đang chờ giao người xử lý" in detail
    assert "Nhận xử lý" in detail and "0912000111" in detail
    outsider = await principal(settings, clock, "can.bo.xa.ben", "commune_officer", "00073")
    assert "Ổ gà" not in await page(session_of(settings, clock, outsider), "/petition", {"id": str(receipt.id)})

    dashboard = await page(staff, "/petitions/dashboard")
    assert "Hạ tầng, giao thông (1)" in dashboard
    assert "/api/v1/petitions/stats/export?unit=00070" in dashboard
    assert pages.when(None) == "—"


async def test_the_inbox_goes_on_page_after_page(
    officer: Principal, settings: Settings, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pages, "LISTED", 1)
    service = PetitionService(settings, clock)
    for title in ("Đèn đường hỏng", "Cống thoát nước tắc"):
        await service.file(
            None, PetitionCreate(title=title, description="…", unit_code=COMMUNE, contact_phone="0912000111")
        )
    staff = session_of(settings, clock, officer)

    first = await pages.load_inbox(staff, {"state": "received"})
    assert len(first["page"].items) == 1 and first["page"].next_cursor
    shown = await page(staff, "/petitions", {"state": "received"})
    assert f'href="/petitions?state=received&cursor={first["page"].next_cursor}"' in shown
    assert "Xem thêm phản ánh" in shown
    second = await pages.load_inbox(staff, {"state": "received", "cursor": first["page"].next_cursor})
    titles = {item.title for item in first["page"].items + second["page"].items}
    assert titles == {"Đèn đường hỏng", "Cống thoát nước tắc"} and second["page"].next_cursor is None
    assert (await pages.load_inbox(staff, {"cursor": "not-a-cursor"}))["page"].items == []
