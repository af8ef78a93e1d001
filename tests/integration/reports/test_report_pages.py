"""The report pages as their loaders see the database, rendered as the browser first gets them: my unit's
form (prefilled from the registry, then the report as saved), and the roll-up for the commune."""

from __future__ import annotations

import html
import uuid
from datetime import date
from types import SimpleNamespace
from typing import Any

import msgspec
import pytest

from backend.features.identity.service import AccountService
from backend.features.registry.service import RegistryService
from backend.features.reports.service import ReportService
from backend.features.units.service import UnitService
from backend.lib.access import Principal
from backend.lib.clock import FrozenClock
from backend.settings import Settings
from pwa.features.reports import pages
from pwa.pages import App
from pwa.reactpy_litestar import install_task_local_hook_stack, prerender
from pwa.session import PageSession
from schemas.registry import HouseholdCreate, VisitCreate
from schemas.reports import ReportDraftWrite, ReportSubmit
from schemas.units import ResidentialAreaCreate
from support.identity import make_account

pytestmark = pytest.mark.integration
COMMUNE, WEEK = "00070", "2026-W09"


async def principal(settings: Settings, clock: FrozenClock, username: str, role: str, unit: str) -> Principal:
    account_id = await make_account(settings, clock, username, role, unit)
    return await AccountService(settings, clock).principal(account_id, "mattran-web", frozenset())


def session_of(settings: Settings, clock: FrozenClock, who: Principal) -> PageSession:
    app = SimpleNamespace(state=SimpleNamespace(settings=settings, clock=clock))
    return PageSession("vi", who, "Cán bộ", app)


async def rendered(session: PageSession, path: str, data: dict[str, Any]) -> str:
    install_task_local_hook_stack()
    return html.unescape(await prerender(App(session, path, data), {}, path, ""))


async def test_my_units_report_form_then_the_roll_up(connected: str, settings: Settings, clock: FrozenClock) -> None:
    officer = await principal(settings, clock, "can.bo.xa", "commune_officer", COMMUNE)
    areas = [
        await UnitService(clock).create_residential_area(
            officer, COMMUNE, ResidentialAreaCreate(name=name, kind="to_dan_pho")
        )
        for name in ("Tổ dân phố số 5", "Tổ dân phố số 6")
    ]
    registry = RegistryService(settings, clock)
    household = uuid.uuid4()
    await registry.create_household(officer, HouseholdCreate(id=household, unit_code=areas[0].code, house_number="1"))
    await registry.record_visit(
        officer, VisitCreate(id=uuid.uuid4(), household_id=household, visited_on=date(2026, 2, 24), purpose="Thăm")
    )
    cadre = await principal(settings, clock, "can.bo.to5", "area_cadre", areas[0].code)
    cadre_page = session_of(settings, clock, cadre)

    data = await pages.load_report(cadre_page, {"week": WEEK})
    assert (data["unit"], data["report"], data["prefill"].households_visited) == (areas[0].code, None, 1)
    page = await rendered(cadre_page, "/report", data)
    assert "Báo cáo tuần của đơn vị" in page and "Chưa lập báo cáo" in page
    assert "Theo sổ hộ: 1 hộ được thăm trong tuần" in page

    reports = ReportService(settings, clock)
    draft, _ = await reports.save_draft(
        cadre, areas[0].code, WEEK, pages._draft_of({**pages._values_of(None, 1), "members": "42"}, None)
    )
    await reports.submit(cadre, areas[0].code, WEEK, ReportSubmit(version=draft.version))
    page = await rendered(cadre_page, "/report", await pages.load_report(cadre_page, {"week": WEEK}))
    assert "Đã gửi" in page and 'value="42"' in page and "Đính chính" in page

    officer_page = session_of(settings, clock, officer)
    rollup = await pages.load_rollup(officer_page, {"week": WEEK})
    assert rollup["unit"] == COMMUNE
    page = await rendered(officer_page, "/reports", rollup)
    assert "Tổng hợp báo cáo cấp dưới" in page
    # Chosen by name; a figure a row, the levels across (two columns on a phone, not eleven).
    assert f'<option value="{COMMUNE}">Phường Hoàn Kiếm</option>' in page
    assert '<tr><th>Cấp</th><th scope="col">Khu dân cư</th></tr>' in page
    assert '<tr><th scope="row">Số đơn vị</th><td>2</td></tr>' in page
    assert f"Tổ dân phố số 6 ({areas[1].code})" in page  # has not reported
    assert f"/api/v1/reports/{COMMUNE}/{WEEK}/rollup.xlsx" in page
    # The cadre's area is below nobody's roll-up but its own: its own roll-up has no units below.
    assert (await pages.load_rollup(cadre_page, {"week": WEEK}))["rollup"].levels == []


def test_bad_figures_in_the_form_are_refused() -> None:
    with pytest.raises(msgspec.ValidationError, match="members"):
        pages._draft_of({**pages._values_of(None, 0), "members": "-3"}, None)
    assert pages._draft_of({**pages._values_of(None, 0), "petitions": ""}, 4) == ReportDraftWrite(
        households_visited=0, version=4
    )
