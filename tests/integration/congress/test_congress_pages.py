"""The congress pages as their loaders see the database, rendered as the phone gets them first: my unit's
checklist with deadlines and results form, the dashboard with its drill-down, the approvals inbox."""

from __future__ import annotations

import html
from types import SimpleNamespace
from typing import Any

import msgspec
import pytest
from congress_helpers import COMMUNE, PROVINCE, TERM_BODY

from backend.features.congress.service import CongressService
from backend.features.identity.service import AccountService
from backend.lib.access import Principal
from backend.lib.clock import FrozenClock
from backend.settings import Settings
from pwa.features.congress import pages
from pwa.pages import App
from pwa.reactpy_litestar import install_task_local_hook_stack, prerender
from pwa.session import PageSession
from schemas.congress import ResultDecision, ResultSave, TermCreate
from support.identity import make_account
from support.templates import Seeding, seeded_fixture


async def principal(settings: Settings, clock: FrozenClock, username: str, role: str, unit: str) -> Principal:
    account_id = await make_account(settings, clock, username, role, unit)
    return await AccountService(settings, clock).principal(account_id, "mattran-web", frozenset())


def page_session(settings: Settings, clock: FrozenClock, who: Principal) -> PageSession:
    app = SimpleNamespace(state=SimpleNamespace(settings=settings, clock=clock))
    return PageSession("vi", who, "Cán bộ", app)


async def rendered(session: PageSession, path: str, data: dict[str, Any]) -> str:
    install_task_local_hook_stack()
    return html.unescape(await prerender(App(session, path, data), {}, path, ""))


async def seed_officers(seeding: Seeding) -> dict[str, Principal]:
    settings, clock = seeding.settings, seeding.clock
    officers = {
        "centre": await principal(settings, clock, "centre", "central_admin", "TW"),
        "province": await principal(settings, clock, "province", "province_officer", PROVINCE),
        "commune": await principal(settings, clock, "commune", "commune_officer", COMMUNE),
    }
    service = CongressService(settings, clock)
    await service.create_term(officers["centre"], msgspec.convert(TERM_BODY, TermCreate))
    congress = await service.congress_of_unit(officers["commune"], COMMUNE, None, "front")
    result = msgspec.convert(
        {"held_on": "2026-02-27", "delegates_count": 120, "committee_size": 55, "women_pct": 40.0}, ResultSave
    )
    saved = await service.save_result(officers["commune"], congress.id, result)
    await service.decide(officers["commune"], congress.id, "submitted", ResultDecision(version=saved.version))
    return officers


congress_page_officers = seeded_fixture("congress_page_officers", seed_officers)


@pytest.fixture
def people(
    connected: str, settings: Settings, clock: FrozenClock, congress_page_officers: dict[str, Principal]
) -> dict[str, PageSession]:
    return {name: page_session(settings, clock, who) for name, who in congress_page_officers.items()}


async def test_my_congress_is_a_checklist_with_deadlines_and_the_results(people: dict[str, PageSession]) -> None:
    session = people["commune"]
    page = await rendered(session, "/congress", await pages.load_congress(session, {}))
    assert "Phường Ba Đình" in page
    assert "Kế hoạch, chỉ thị" in page and "Hạn 31/12/2025" in page and "Trễ hạn" in page
    assert "Lấy ý kiến dự thảo" in page and "còn 9 ngày" in page
    assert "Đã gửi, chờ cấp trên duyệt" in page
    assert "Gửi cấp trên duyệt" not in page  # submitted: the form's buttons are gone until it is returned


async def test_the_dashboard_drills_down(people: dict[str, PageSession]) -> None:
    national = await rendered(people["centre"], "/congress/dashboard", await pages.load_dashboard(people["centre"], {}))
    assert "3355 đơn vị" in national
    assert 'href="/congress/dashboard?unit=01"' in national and "Thành phố Hà Nội" in national
    assert "/api/v1/congress-dashboard/export?unit=TW" in national
    province = await rendered(
        people["centre"], "/congress/dashboard", await pages.load_dashboard(people["centre"], {"unit": PROVINCE})
    )
    assert "126 đơn vị" in province and "Phường Ba Đình" in province
    refused = await pages.load_dashboard(people["commune"], {"unit": PROVINCE})
    assert refused["dashboard"] is None
    # A commune has no congresses below it: one sentence and the way to its own, not empty lists and "0 units".
    own = await pages.load_dashboard(people["commune"], {})
    commune = await rendered(people["commune"], "/congress/dashboard", own)
    assert "Không có đơn vị cấp dưới tổ chức đại hội" in commune and "Đơn vị trễ hạn" not in commune


async def test_the_approvals_inbox_of_the_level_above(people: dict[str, PageSession]) -> None:
    province = await rendered(
        people["province"], "/congress/approvals", await pages.load_approvals(people["province"], {})
    )
    assert "Phường Ba Đình" in province and "Đại hội ngày 27/02/2026" in province and "Duyệt và khóa" in province
    own = await rendered(people["commune"], "/congress/approvals", await pages.load_approvals(people["commune"], {}))
    assert "Không có kết quả nào chờ duyệt." in own
