"""The detail page's actions beyond classify/take/publish/close/reject: forward (body, dispatch number and
date), answer with evidence (the upload markup app.js drives, the uploaded evidence listed and carried by
the answer), merge into a suggested duplicate, and the citizen's reopen from "my petitions" and from the
tracking page. Each through the page's own loader, rendering and action function, against the database."""

from __future__ import annotations

import html
import uuid
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import msgspec
import pytest
from petition_helpers import png

from backend.features.identity.service import AccountService
from backend.features.petitions.service import PetitionService
from backend.lib.access import Principal
from backend.lib.clock import FrozenClock
from backend.lib.errors import AppError
from backend.settings import Settings
from pwa.features.petitions import pages
from pwa.pages import PAGES, App
from pwa.reactpy_litestar import install_task_local_hook_stack, prerender
from pwa.session import PageSession
from schemas.petitions import PetitionCreate, PetitionRead
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


async def filed(settings: Settings, clock: FrozenClock, who: Principal | None = None, **fields: Any) -> uuid.UUID:
    data = PetitionCreate(
        title=fields.pop("title", "Đèn đường hỏng ở ngõ 12 Hàng Bài"),
        description="Đèn đường trước số 12 đã hỏng hai tuần, buổi tối rất tối và nguy hiểm.",
        unit_code=COMMUNE,
        contact_phone="0912000111",
        **fields,
    )
    receipt, _ = await PetitionService(settings, clock).file(who, data)
    return receipt.id


async def taken(session: PageSession, petition_id: uuid.UUID) -> PetitionRead:
    """Classified and taken by the officer, through the page as a cadre would."""
    assert session.principal is not None
    petition = await PetitionService(session.app.state.settings, session.app.state.clock).get(
        session.principal, petition_id
    )
    petition = await pages.perform(session, petition, "classify", {"classify.category_code": "ha_tang"})
    return await pages.perform(session, petition, "assign", {})


async def test_forward_records_the_body_and_the_dispatch(
    officer: Principal, settings: Settings, clock: FrozenClock
) -> None:
    staff = session_of(settings, clock, officer)
    petition = await taken(staff, await filed(settings, clock))
    shown = await page(staff, "/petition", {"id": str(petition.id)})
    assert 'id="forward-forwarded_to"' in shown and 'id="forward-dispatch_date"' in shown
    assert 'type="date"' in shown and "Chuyển cơ quan có thẩm quyền" in shown

    typed = {"forward.forwarded_to": "UBND phường Hàng Bài", "forward.dispatch_date": "2026-03-01"}
    with pytest.raises(msgspec.ValidationError) as missing:
        await pages.perform(staff, petition, "forward", typed)
    assert pages.field_problem(staff, missing.value) == (
        "Hãy điền lại «Số công văn»: còn thiếu, quá dài hoặc quá ngắn."
    )
    with pytest.raises(AppError):  # a dispatch dated tomorrow
        await pages.perform(
            staff,
            petition,
            "forward",
            typed | {"forward.dispatch_number": "12/MTTQ", "forward.dispatch_date": "2026-03-03"},
        )
    assert (await PetitionService(settings, clock).get(officer, petition.id)).state == "assigned"

    forwarded = await pages.perform(staff, petition, "forward", typed | {"forward.dispatch_number": " 12/MTTQ "})
    assert (forwarded.state, forwarded.dispatch_number, forwarded.forwarded_to) == (
        "forwarded",
        "12/MTTQ",
        "UBND phường Hàng Bài",
    )
    shown = await page(staff, "/petition", {"id": str(petition.id)})
    assert "Đã chuyển UBND phường Hàng Bài, công văn số 12/MTTQ ngày 01/03/2026" in shown
    assert "Chuyển cơ quan có thẩm quyền → " in shown
    assert 'id="forward-forwarded_to"' not in shown  # forwarding is done; answering is next
    assert 'id="answer-answer"' in shown


async def test_answer_needs_uploaded_evidence_and_carries_it_to_the_public(
    officer: Principal, settings: Settings, clock: FrozenClock
) -> None:
    staff = session_of(settings, clock, officer)
    petition = await taken(staff, await filed(settings, clock))
    shown = await page(staff, "/petition", {"id": str(petition.id)})
    assert f'data-evidence="/api/v1/petitions/{petition.id}/attachments"' in shown
    assert f'data-max-bytes="{settings.petitions_attachment_max_bytes}"' in shown
    assert 'data-types="image/jpeg,image/png,image/webp,application/pdf"' in shown
    assert "Tệp “{name}” quá lớn: tối đa 5 MB." in shown and 'type="file"' in shown
    assert "Chưa có minh chứng" in shown

    typed = {"answer.answer": "Đã thay bóng đèn mới, đường sáng trở lại."}
    with pytest.raises(AppError) as refused:
        await pages.perform(staff, petition, "answer", typed)
    assert pages.problem_text(staff, refused.value) == "Trả lời cần kèm ít nhất một tài liệu, hình ảnh minh chứng."

    service = PetitionService(settings, clock)
    evidence = await service.add_attachment(officer, petition.id, png(), "den-moi.png")
    shown = await page(staff, "/petition", {"id": str(petition.id)})
    assert f'src="{evidence.url}"' in shown and 'alt="den-moi.png"' in shown

    answered = await pages.perform(staff, petition, "answer", typed)
    assert answered.state == "answered" and answered.answer == typed["answer.answer"]
    published = await pages.perform(staff, answered, "publish", {})
    assert published.state == "published"

    tracked = await page(session_of(settings, clock, None), "/petitions/track", {"code": published.tracking_code})
    assert "Đã thay bóng đèn mới, đường sáng trở lại." in tracked and f'src="{evidence.url}"' in tracked
    assert "0912000111" not in tracked


async def test_merge_picks_a_suggested_duplicate(officer: Principal, settings: Settings, clock: FrozenClock) -> None:
    staff = session_of(settings, clock, officer)
    first = await filed(settings, clock)
    second = await filed(settings, clock, title="Đèn đường hỏng ngõ 12 Hàng Bài")
    shown = await page(staff, "/petition", {"id": str(second)})
    assert f'value="{first}"' in shown and 'name="merge-into"' in shown
    assert "nội dung giống" in shown

    petition = await PetitionService(settings, clock).get(officer, second)
    with pytest.raises(msgspec.ValidationError) as unpicked:
        await pages.perform(staff, petition, "merge", {})
    assert "«Phản ánh có thể trùng»" in pages.field_problem(staff, unpicked.value)
    merged = await pages.perform(staff, petition, "merge", {"merge.into": str(first), "merge.note": "Cùng một việc"})
    assert (merged.state, merged.merged_into) == ("merged", first)

    shown = await page(staff, "/petition", {"id": str(second)})
    assert f'href="/petition?id={first}"' in shown and "Đã gộp vào phản ánh này" in shown
    target = await page(staff, "/petition", {"id": str(first)})
    assert "Nhận gộp một phản ánh trùng" in target


async def test_a_lone_petition_offers_nothing_to_merge(
    officer: Principal, settings: Settings, clock: FrozenClock
) -> None:
    staff = session_of(settings, clock, officer)
    shown = await page(staff, "/petition", {"id": str(await filed(settings, clock))})
    assert "Không thấy phản ánh nào trùng trong phạm vi của bạn." in shown


async def published_for(settings: Settings, clock: FrozenClock, officer: Principal, filer: Principal | None) -> Any:
    staff = session_of(settings, clock, officer)
    petition = await taken(staff, await filed(settings, clock, filer))
    await PetitionService(settings, clock).add_attachment(officer, petition.id, png(), "anh.png")
    answered = await pages.perform(staff, petition, "answer", {"answer.answer": "Đã sửa xong."})
    return await pages.perform(staff, answered, "publish", {})


async def test_the_citizen_reopens_from_my_petitions_within_the_window(
    officer: Principal, settings: Settings, clock: FrozenClock
) -> None:
    citizen = await principal(settings, clock, "nguoi.dan", "citizen", "TW")
    published = await published_for(settings, clock, officer, citizen)
    mine = session_of(settings, clock, citizen)
    assert f'href="/petition?id={published.id}"' in await page(mine, "/petitions/mine")
    shown = await page(mine, "/petition", {"id": str(published.id)})
    assert 'id="reopen-reason"' in shown and "Mở lại" in shown and 'id="publish"' not in shown

    own = await PetitionService(settings, clock).get(citizen, published.id)
    with pytest.raises(msgspec.ValidationError) as short:
        await pages.perform(mine, own, "reopen", {"reopen.reason": "no"})
    assert "«Lý do»" in pages.field_problem(mine, short.value)
    reopened = await pages.perform(mine, own, "reopen", {"reopen.reason": "Đèn lại hỏng sau hai ngày."})
    assert reopened.state == "reopened" and reopened.reopen_reason == "Đèn lại hỏng sau hai ngày."


async def test_the_tracking_page_offers_reopening_only_within_the_window(
    officer: Principal, settings: Settings, clock: FrozenClock
) -> None:
    published = await published_for(settings, clock, officer, None)
    anyone = session_of(settings, clock, None)
    shown = await page(anyone, "/petitions/track", {"code": published.tracking_code})
    assert 'id="reopen-reason"' in shown and 'id="reopen-send"' in shown

    clock.advance(timedelta(days=settings.petitions_reopen_days + 1))
    late = await page(anyone, "/petitions/track", {"code": published.tracking_code})
    assert "Đã sửa xong." in late and 'id="reopen-reason"' not in late
