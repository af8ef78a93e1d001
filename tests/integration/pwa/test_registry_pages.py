"""The registry's pages as their loaders see the database: my areas with counts and last visits, one area's
households within scope, the offline forms' records (masked, nothing sensitive read), and the conflicts
inbox of commune officers (masked for readers without read_sensitive), rendered as the phone gets them."""

from __future__ import annotations

import html
import uuid
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from backend.db import connection
from backend.features.identity.service import AccountService
from backend.features.registry.service import RegistryService
from backend.features.sync.service import SyncService
from backend.features.units.service import UnitService
from backend.lib.access import Principal
from backend.lib.clock import FrozenClock
from backend.settings import Settings
from pwa.features.conflicts import pages as conflicts
from pwa.features.registry import areas, forms
from pwa.features.registry import pages as registry
from pwa.pages import App
from pwa.reactpy_litestar import install_task_local_hook_stack, prerender
from pwa.session import PageSession
from schemas.registry import HouseholdCreate, ResidentCreate, VisitCreate
from schemas.sync import SyncOperation, SyncRequest
from schemas.units import ResidentialAreaCreate
from support.identity import make_account

pytestmark = pytest.mark.integration
COMMUNE, PROVINCE = "00070", "01"


class Registry(SimpleNamespace):
    settings: Settings
    clock: FrozenClock
    officer: Principal
    cadre: Principal
    cadre_b: Principal
    province: Principal
    area_a: str
    area_b: str
    household_a: uuid.UUID
    household_b: uuid.UUID
    resident_a: uuid.UUID


async def principal(settings: Settings, clock: FrozenClock, username: str, role: str, unit: str) -> Principal:
    account_id = await make_account(settings, clock, username, role, unit)
    return await AccountService(settings, clock).principal(account_id, "mattran-web", frozenset())


def page_session(world: Registry, who: Principal | None) -> PageSession:
    app = SimpleNamespace(state=SimpleNamespace(settings=world.settings, clock=world.clock))
    return PageSession("vi", who, "Cán bộ" if who else None, app)


async def rendered(session: PageSession, path: str, data: dict[str, Any]) -> str:
    install_task_local_hook_stack()
    # Unescaped, to read the Vietnamese text (vdom_to_html writes it as character references).
    return html.unescape(await prerender(App(session, path, data), {}, path, ""))


@pytest.fixture
async def world(connected: str, settings: Settings, clock: FrozenClock) -> Registry:
    officer = await principal(settings, clock, "can.bo.xa", "commune_officer", COMMUNE)
    units = UnitService(clock)
    area_a = await units.create_residential_area(
        officer, COMMUNE, ResidentialAreaCreate(name="Tổ dân phố số 5", kind="to_dan_pho")
    )
    area_b = await units.create_residential_area(
        officer, COMMUNE, ResidentialAreaCreate(name="Tổ dân phố số 6", kind="to_dan_pho")
    )
    registry_service = RegistryService(settings, clock)
    household_a, household_b, resident_a = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await registry_service.create_household(
        officer, HouseholdCreate(id=household_a, unit_code=area_a.code, house_number="12", street="phố Hàng Bài")
    )
    await registry_service.create_household(
        officer, HouseholdCreate(id=household_b, unit_code=area_b.code, house_number="3", street="ngõ Huế")
    )
    await registry_service.create_resident(
        officer,
        ResidentCreate(
            id=resident_a,
            household_id=household_a,
            full_name="Đặng Thị Hoa",
            relation_to_head="head",
            birth_year=1962,
            phone="0912345678",
            id_number="001162012345",
            religion="Phật giáo",
        ),
    )
    await registry_service.record_visit(
        officer, VisitCreate(id=uuid.uuid4(), household_id=household_a, visited_on=date(2026, 2, 20), purpose="Thăm")
    )
    await registry_service.record_visit(
        officer, VisitCreate(id=uuid.uuid4(), household_id=household_a, visited_on=date(2025, 12, 1), purpose="Tết")
    )
    return Registry(
        settings=settings,
        clock=clock,
        officer=officer,
        cadre=await principal(settings, clock, "can.bo.to5", "area_cadre", area_a.code),
        cadre_b=await principal(settings, clock, "can.bo.to5b", "area_cadre", area_a.code),
        province=await principal(settings, clock, "can.bo.tinh", "province_officer", PROVINCE),
        area_a=area_a.code,
        area_b=area_b.code,
        household_a=household_a,
        household_b=household_b,
        resident_a=resident_a,
    )


async def audit_rows(action: str) -> int:
    async with connection() as conn:
        return int(await conn.fetchval("SELECT count(*) FROM audit_log WHERE action = $1", action))


async def test_my_areas_lists_the_cadres_areas_with_counts_and_last_visit(world: Registry) -> None:
    data = await areas.load_areas(page_session(world, world.cadre), {})
    [area] = data["areas"]
    assert (area.code, area.name, area.households) == (world.area_a, "Tổ dân phố số 5", 1)
    # The visit of 20 February is within the last 30 days of 2 March; the one of December is not.
    assert (area.last_visit, area.recent_visits) == (date(2026, 2, 20), 1)
    assert data["resolves_conflicts"] is False
    shown = await rendered(page_session(world, world.cadre), "/areas", data)
    assert "Tổ dân phố số 5" in shown and "1 hộ" in shown and "Lần thăm gần nhất 20/02/2026" in shown
    assert f'href="/household/new?unit={world.area_a}"' in shown and "data-keep-offline" in shown

    # A commune officer oversees every area of the commune.
    officer = await areas.load_areas(page_session(world, world.officer), {})
    assert sorted(area.code for area in officer["areas"]) == sorted([world.area_a, world.area_b])
    assert officer["resolves_conflicts"] is True
    assert (await areas.load_areas(page_session(world, None), {}))["areas"] is None


async def test_an_areas_households_stay_within_scope(world: Registry) -> None:
    cadre = page_session(world, world.cadre)
    mine = await registry.load_list(cadre, {"unit": world.area_a})
    assert [(h.id, area) for h, area in mine["listing"].items] == [(world.household_a, "Tổ dân phố số 5")]
    assert mine["area"] == "Tổ dân phố số 5" and mine["listing"].next_cursor is None
    assert (await registry.load_list(cadre, {"unit": world.area_b}))["listing"].items == []
    assert (await registry.load_list(cadre, {"unit": "no-such-area"}))["listing"].items == []
    found = await registry.load_list(cadre, {"unit": world.area_a, "q": "dang thi"})
    assert [h.id for h, _ in found["listing"].items] == [world.household_a]
    shown = await rendered(cadre, "/households", mine)
    assert f'href="/household?id={world.household_a}"' in shown and 'name="unit"' in shown
    assert "· Tổ dân phố số 5</div>" in shown and f"· {world.area_a}" not in shown  # the area's name, not its code
    assert "Xem thêm hộ" not in shown  # one page holds them all
    detail = await registry.load_detail(cadre, {"id": str(world.household_a)})
    shown = await rendered(cadre, "/household", detail)
    assert detail["area"] == "Tổ dân phố số 5" and "· Tổ dân phố số 5" in shown and "none-yet" not in shown
    officer = page_session(world, world.officer)
    empty = await rendered(officer, "/household", await registry.load_detail(officer, {"id": str(world.household_b)}))
    assert '<p class="muted none-yet">Chưa có nhân khẩu nào</p>' in empty
    assert '<p class="muted none-yet">Chưa có lần thăm nào</p>' in empty


async def test_a_long_list_goes_on_page_after_page(world: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "LISTED", 1)
    officer = page_session(world, world.officer)  # both areas of the commune: two households
    first = await registry.load_list(officer, {})
    assert len(first["listing"].items) == 1 and first["listing"].next_cursor
    shown = await rendered(officer, "/households", first)
    assert f'href="/households?cursor={first["listing"].next_cursor}"' in shown and "Xem thêm hộ" in shown
    second = await registry.load_list(officer, {"cursor": first["listing"].next_cursor})
    assert {h.id for h, _ in first["listing"].items + second["listing"].items} == {
        world.household_a,
        world.household_b,
    }
    assert second["listing"].next_cursor is None
    assert (await registry.load_list(officer, {"cursor": "not-a-cursor"}))["listing"].items == []


async def test_the_offline_forms_load_their_records_masked(world: Registry) -> None:
    cadre = page_session(world, world.cadre)
    assert (await forms.load_household_new(cadre, {"unit": world.area_a}))["area"]["code"] == world.area_a
    assert (await forms.load_household_new(cadre, {"unit": world.area_b}))["area"] is None  # not theirs
    new_form = await rendered(cadre, "/household/new", await forms.load_household_new(cadre, {"unit": world.area_a}))
    assert 'data-outbox="household"' in new_form and 'data-then="/resident/new?household={id}&relation=head"' in (
        new_form
    )

    edit = await forms.load_household_edit(cadre, {"id": str(world.household_a)})
    assert edit["household"].id == world.household_a
    assert (await forms.load_household_edit(cadre, {"id": str(world.household_b)}))["household"] is None
    assert (await forms.load_household_edit(cadre, {"id": "not-a-uuid"}))["household"] is None

    reads_before = await audit_rows("resident.sensitive_read")
    query = {"household": str(world.household_a), "id": str(world.resident_a)}
    resident = await forms.load_resident_edit(cadre, query)
    assert resident["resident"].full_name == "Đặng Thị Hoa" and resident["sensitive"] is True
    shown = await rendered(cadre, "/resident/edit", resident)
    # The page is kept on the phone: sensitive values never go in it, only that something is on file.
    assert "001162012345" not in shown and "Phật giáo" not in shown and "********2345" in shown
    assert 'data-base-version="1"' in shown and 'data-action="update"' in shown
    assert await audit_rows("resident.sensitive_read") == reads_before

    province = page_session(world, world.province)
    masked = await forms.load_resident_edit(province, query)
    assert masked["resident"] is not None and masked["sensitive"] is False
    assert 'name="id_number"' not in await rendered(province, "/resident/edit", masked)

    blank = await forms.load_resident_new(cadre, {"household": str(world.household_a), "relation": "head"})
    assert (blank["household_id"], blank["relation"]) == (str(world.household_a), "head")
    assert (await forms.load_resident_new(cadre, {"relation": "boss"}))["relation"] == "other"


async def two_cadres_edit_offline(world: Registry) -> uuid.UUID:
    """Both cadres change the household's notes and the resident's religion from version 1."""
    sync = SyncService(world.settings, world.clock)
    at = datetime(2026, 3, 1, tzinfo=UTC)
    conflict_id = None
    for who, notes, religion in ((world.cadre, "Mái nhà dột", "Công giáo"), (world.cadre_b, "Cần sửa mái", "Tin lành")):
        operations = [
            SyncOperation(
                op_id=uuid.uuid4(),
                entity="household",
                action="update",
                entity_id=world.household_a,
                base_version=2,  # after the first resident became the head
                fields={"notes": notes},
                at=at,
            ),
            SyncOperation(
                op_id=uuid.uuid4(),
                entity="resident",
                action="update",
                entity_id=world.resident_a,
                base_version=1,
                fields={"religion": religion},
                at=at,
            ),
        ]
        answer = await sync.sync(who, SyncRequest(device_id=f"phone-{who.account_id}", operations=operations), "vi")
        conflict_id = answer.results[0].conflict_id or conflict_id
    assert conflict_id is not None
    return conflict_id


async def test_the_conflicts_inbox_for_commune_officers(world: Registry) -> None:
    conflict_id = await two_cadres_edit_offline(world)
    officer = page_session(world, world.officer)
    inbox = await conflicts.load_inbox(officer, {})
    assert {item.entity for item in inbox["items"]} == {"household", "resident"}
    shown = await rendered(officer, "/conflicts", inbox)
    assert f'href="/conflict?id={conflict_id}"' in shown and "Ghi chú" in shown and "Tôn giáo" in shown

    detail = await conflicts.load_conflict(officer, {"id": str(conflict_id)})
    assert detail["conflict"].fields["notes"].server == "Mái nhà dột"
    assert detail["conflict"].fields["notes"].client == "Cần sửa mái"
    assert detail["sender"] == "Cán bộ can.bo.to5b" and detail["context"] == "Đặng Thị Hoa · 12 phố Hàng Bài"
    page = await rendered(officer, "/conflict", detail)
    assert "Mái nhà dột" in page and "Cần sửa mái" in page and 'value="client"' in page

    # Cadres do not resolve; a wrong or foreign id is simply not there.
    assert (await conflicts.load_inbox(page_session(world, world.cadre), {}))["items"] is None
    assert (await conflicts.load_conflict(officer, {"id": str(uuid.uuid4())}))["missing"] is True


async def test_sensitive_values_in_a_conflict_are_masked_without_read_sensitive(world: Registry) -> None:
    await two_cadres_edit_offline(world)
    province = page_session(world, world.province)
    inbox = await conflicts.load_inbox(province, {})
    [resident] = [item for item in inbox["items"] if item.entity == "resident"]
    detail = await conflicts.load_conflict(province, {"id": str(resident.id)})
    assert detail["conflict"].fields["religion"].server == "***"
    page = await rendered(province, "/conflict", detail)
    assert "Công giáo" not in page and "Tin lành" not in page and "***" in page

    officer = page_session(world, world.officer)
    shown = await conflicts.load_conflict(officer, {"id": str(resident.id)})
    assert shown["conflict"].fields["religion"].client == "Tin lành"


async def test_a_value_typed_in_the_inbox_is_written_as_an_edit_never_over_a_newer_one(world: Registry) -> None:
    assert conflicts.entered_values("household", {"notes": "  Đã sửa mái  "}) == {"notes": "Đã sửa mái"}
    assert conflicts.entered_values("resident", {"birth_year": "1958", "phone": ""}) == {
        "birth_year": 1958,
        "phone": None,
    }
    with pytest.raises(ValueError, match="birth_year"):
        conflicts.entered_values("resident", {"birth_year": "năm 58"})
    with pytest.raises(ValueError, match="circumstances"):  # picked from a side, never typed
        conflicts.entered_values("household", {"circumstances": "ho_ngheo"})

    conflict_id = await two_cadres_edit_offline(world)
    officer = page_session(world, world.officer)
    conflict = (await conflicts.load_conflict(officer, {"id": str(conflict_id)}))["conflict"]
    service = RegistryService(world.settings, world.clock)
    refused = await conflicts.write_entered(officer, conflict, {"house_number": "9" * 51})
    assert refused and (await service.get_household(world.officer, world.household_a)).house_number == "12"

    assert await conflicts.write_entered(officer, conflict, {"notes": "Đã sửa mái"}) is None
    assert (await service.get_household(world.officer, world.household_a)).notes == "Đã sửa mái"
    # The same older decision typed in again: the notes changed since, so they are not overwritten.
    again = await conflicts.write_entered(officer, conflict, {"notes": "Chưa sửa"})
    assert again == "Bản ghi vừa được sửa tiếp; hãy tải lại trang và xem lại."
    assert (await service.get_household(world.officer, world.household_a)).notes == "Đã sửa mái"
