"""The assistant's chat page as the phone gets it (server pre-render): the answer with its highlighted
sentence and a link to the library reader at the cited clause, the report form, and one log per answer id."""

from __future__ import annotations

import html
import uuid
from types import SimpleNamespace
from typing import Any

import pytest

from backend import db
from backend.features.identity.service import AccountService
from backend.features.library.demo import seed_demo_library
from backend.lib.clock import FrozenClock
from backend.settings import Settings
from pwa.features.assistant import pages
from pwa.pages import App
from pwa.reactpy_litestar import install_task_local_hook_stack, prerender
from pwa.session import PageSession
from support.identity import make_account

pytestmark = pytest.mark.integration
COMMUNE = "00070"


async def rendered(session: PageSession, data: dict[str, Any]) -> str:
    install_task_local_hook_stack()
    return html.unescape(await prerender(App(session, "/assistant", data), {}, "/assistant", ""))


async def test_the_page_answers_with_citations_and_logs_once(
    connected: str, settings: Settings, clock: FrozenClock
) -> None:
    await seed_demo_library(settings, clock)
    account = await make_account(settings, clock, "as_page", "commune_officer", COMMUNE)
    principal = await AccountService(settings, clock).principal(account, "web", frozenset())
    app = SimpleNamespace(state=SimpleNamespace(settings=settings, clock=clock))
    session = PageSession("vi", principal, "Cán bộ", app)

    empty = await pages.load(session, {})
    page = await rendered(session, empty)
    assert 'action="/assistant"' in page and f'value="{COMMUNE}"' in page and "/api/v1/assistant/reports" in page
    assert '<button type="submit" class="button">Hỏi</button>' in page  # a button a thumb finds, as elsewhere

    query = {"q": "Ban công tác Mặt trận họp mấy lần một tháng?", "id": empty["id"]}
    for _ in range(2):  # the pre-render and the live page both load it
        data = await pages.load(session, query)
    page = await rendered(session, data)
    citation = data["answer"].citations[0]
    assert f'href="/library/document?id={citation.document_id}#dieu-4-khoan-1"' in page
    assert "<mark>1. Ban công tác Mặt trận họp định kỳ mỗi tháng một lần. </mark>" in page
    async with db.connection() as conn:
        logged = await conn.fetchval(
            "SELECT count(*) FROM audit_log WHERE action = 'assistant.ask' AND subject_id = $1", empty["id"]
        )
    assert logged == 1 and data["answer"].id == uuid.UUID(empty["id"])

    citizen = await make_account(settings, clock, "as_citizen", "citizen", "TW")
    outsider = PageSession(
        "vi", await AccountService(settings, clock).principal(citizen, "web", frozenset()), "Dân", app
    )
    refused = await pages.load(outsider, query)
    assert refused["answer"] is None and "Trợ lý dành cho cán bộ" in await rendered(outsider, refused)
