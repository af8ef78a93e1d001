"""The assistant's chat page: ask (a plain GET form, so the question lives in the URL and a reconnect shows
the same answer), read the answer with its citations (links to the library reader at the cited article)
and figures (links to the query behind each), and draft a situation report (DOCX or Markdown download).

The form carries an answer id made when the empty page is loaded: the pre-render and the live page both
load the answer, and the service logs a question once per id.

With a model configured the answer is streamed over the live page's websocket (reactpy): the service's
streamed answer updates the component as the model writes, then the checked answer replaces the draft. This
needs no script of our own and no second authenticated channel (the websocket already carries the session),
and a dropped socket is handled by reactpy's reconnect, which loads the page again and asks again under the
same id (logged once). If the stream breaks on the server's side, the answer is asked for again without
streaming. The pre-render does not wait for the model; it shows a link to the complete answer (`whole=1`:
answered without streaming, in the pre-render), so a phone whose live connection never comes is not left
without one.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from reactpy import component, html, use_connection, use_effect, use_state

from backend.features.assistant.service import AssistantService, Draft, home_unit
from backend.lib.access import Permission
from backend.lib.clock import today_in_vietnam
from backend.lib.errors import AppError
from pwa.session import PageSession
from schemas.assistant import AskAnswer, AskRequest, Citation, Figure

log = logging.getLogger(__name__)
MAX_QUESTION = 1000
REPORT_DAYS = 30


async def load(session: PageSession, query: dict[str, str]) -> dict[str, Any]:
    state = session.app.state
    today = today_in_vietnam(state.clock)
    principal = session.principal
    allowed = principal is not None and bool(principal.scope_paths(Permission.read))
    data: dict[str, Any] = {
        "q": query.get("q", "")[:MAX_QUESTION],
        "unit": query.get("unit", "")[:32],
        "id": query.get("id") or str(uuid.uuid4()),
        "next_id": str(uuid.uuid4()),
        "home_unit": (home_unit(principal) if principal else None) or "",
        "answer": None,
        # Set instead of the answer when it is to be streamed to the live page.
        "streamed": None,
        "error": None,
        "allowed": allowed,
        "since": (today - timedelta(days=REPORT_DAYS)).isoformat(),
        "until": today.isoformat(),
    }
    if principal is None or not allowed or not data["q"].strip():
        return data
    try:
        answer_id = uuid.UUID(data["id"])
    except ValueError:
        answer_id = uuid.uuid4()
    request = AskRequest(question=data["q"], unit_code=data["unit"] or None, id=answer_id)
    if state.settings.assistant_model_url and query.get("whole") != "1":
        data["streamed"] = request
        return data
    try:
        data["answer"] = await AssistantService(state.settings, state.clock).ask(principal, request)
    except AppError as error:
        data["error"] = _error_text(session, error)
    return data


def _error_text(session: PageSession, error: AppError) -> str:
    return session.t(error.detail_key or error.title_key, **error.params)


async def _answer_streamed(session: PageSession, request: AskRequest, show_draft: Callable[[str], None]) -> AskAnswer:
    """The checked answer, showing the model's draft as it is written; if the stream breaks, the answer asked
    for again without streaming (under the same id, so logged once)."""
    assert session.principal is not None  # load() streams only for a signed-in asker
    service = AssistantService(session.app.state.settings, session.app.state.clock)
    parts = await service.ask_streamed(session.principal, request)
    written = ""
    try:
        async for part in parts:
            if not isinstance(part, Draft):
                return part
            written += part.text
            show_draft(written)
    except Exception as error:  # whatever broke the stream, the asker still gets an answer
        log.warning("assistant stream to the page broke: %s", error)
    return await service.ask(session.principal, request)


@component
def StreamedAnswer(session: PageSession, request: AskRequest) -> Any:
    live = use_connection().carrier is not None
    draft, set_draft = use_state("")
    no_answer: AskAnswer | None = None
    answer, set_answer = use_state(no_answer)
    error, set_error = use_state("")

    @use_effect(dependencies=[])
    async def write() -> None:
        if not live:
            return  # the pre-render does not wait for the model
        try:
            set_answer(await _answer_streamed(session, request, set_draft))
        except AppError as failure:
            set_error(_error_text(session, failure))

    if error:
        return html.p({"class_name": "error", "role": "alert"}, error)
    if answer is not None:
        return _answer(session, answer)
    whole = {"q": request.question, "unit": request.unit_code or "", "id": str(request.id), "whole": "1"}
    return html.article(
        {"class_name": "card", "aria_live": "polite", "aria_busy": "true"},
        html.p({"class_name": "muted"}, session.t("pwa.assistant.draft" if draft else "pwa.assistant.writing")),
        *[html.p({"key": str(i)}, line) for i, line in enumerate(draft.split("\n")) if line],
        html.p(html.a({"href": f"/assistant?{urlencode(whole)}"}, session.t("pwa.assistant.whole_answer"))),
    )


def _citation(session: PageSession, citation: Citation) -> Any:
    return html.li(
        {"key": citation.ref, "id": f"source-{citation.ref}"},
        html.strong(f"[{citation.ref}] "),
        html.a({"href": citation.link}, f"{citation.title}" + (f" — {citation.locator}" if citation.locator else "")),
        html.p(
            *[
                html.mark({"key": str(i)}, sentence.text + " ") if sentence.answers else f"{sentence.text} "
                for i, sentence in enumerate(citation.sentences)
            ]
        ),
    )


def _figure(session: PageSession, figure: Figure) -> Any:
    return html.li(
        {"key": figure.ref, "id": f"source-{figure.ref}"},
        html.strong(f"[{figure.ref}] {figure.title}"),
        html.p(figure.summary),
        html.ul(
            *[
                html.li(
                    {"key": row.key},
                    f"{row.label}: {row.value}" + (f" / {row.of}" if row.of is not None else ""),
                )
                for row in figure.rows
            ]
        )
        if figure.rows
        else "",
        html.a({"href": figure.link}, session.t("pwa.assistant.query_link")),
    )


def _answer(session: PageSession, answer: AskAnswer) -> Any:
    return html.article(
        {"class_name": "card", "aria_live": "polite"},
        *[html.p({"key": str(i)}, line) for i, line in enumerate(answer.answer.split("\n"))],
        html.section(
            html.h2(session.t("pwa.assistant.suggestions")),
            html.ul(*[html.li({"key": str(i)}, s) for i, s in enumerate(answer.suggestions)]),
        )
        if answer.suggestions
        else "",
        html.section(
            html.h2(session.t("pwa.assistant.removed")),
            html.ul(*[html.li({"key": str(i)}, s) for i, s in enumerate(answer.removed)]),
        )
        if answer.removed
        else "",
        html.section(
            html.h2(session.t("pwa.assistant.figures")), html.ul(*[_figure(session, f) for f in answer.figures])
        )
        if answer.figures
        else "",
        html.section(
            html.h2(session.t("pwa.assistant.sources")), html.ol(*[_citation(session, c) for c in answer.citations])
        )
        if answer.citations
        else "",
    )


def _report_form(session: PageSession, data: dict[str, Any]) -> Any:
    return html.form(
        {"method": "get", "action": "/api/v1/assistant/reports", "class_name": "stack"},
        html.h2(session.t("pwa.assistant.report")),
        html.label(
            session.t("pwa.assistant.unit"),
            html.input({"name": "unit_code", "value": data["unit"] or data["home_unit"], "required": True}),
        ),
        html.label(
            session.t("pwa.assistant.since"), html.input({"name": "since", "type": "date", "value": data["since"]})
        ),
        html.label(
            session.t("pwa.assistant.until"), html.input({"name": "until", "type": "date", "value": data["until"]})
        ),
        html.button(
            {"type": "submit", "name": "format", "value": "docx", "class_name": "button"},
            session.t("pwa.assistant.download_docx"),
        ),
        html.button(
            {"type": "submit", "name": "format", "value": "md", "class_name": "button secondary"},
            session.t("pwa.assistant.download_md"),
        ),
    )


@component
def AssistantPage(session: PageSession, data: dict[str, Any]) -> Any:
    if not data["allowed"]:
        return html.section(html.h1(session.t("pwa.assistant.title")), html.p(session.t("pwa.assistant.no_scope")))
    return html.section(
        html.h1(session.t("pwa.assistant.title")),
        html.p({"class_name": "muted"}, session.t("pwa.assistant.intro")),
        html.form(
            {"method": "get", "action": "/assistant", "class_name": "stack"},
            html.label({"html_for": "assistant-q"}, session.t("pwa.assistant.question")),
            html.textarea({"id": "assistant-q", "name": "q", "rows": 3, "value": data["q"], "required": True}),
            # A new id once an answer is shown: the next question is a new one.
            html.input({"type": "hidden", "name": "id", "value": data["next_id"] if data["q"].strip() else data["id"]}),
            html.input({"type": "hidden", "name": "unit", "value": data["unit"]}),
            html.button({"type": "submit", "class_name": "button"}, session.t("pwa.assistant.ask")),
        ),
        html.p({"class_name": "error", "role": "alert"}, data["error"]) if data["error"] else "",
        _answer(session, data["answer"]) if data["answer"] else "",
        StreamedAnswer(session, data["streamed"]) if data["streamed"] else "",
        _report_form(session, data),
    )
