"""The assistant's chat page: ask (a plain GET form, so the question lives in the URL and a reconnect shows
the same answer), read the answer with its citations (links to the library reader at the cited article)
and figures (links to the query behind each), and draft a situation report (DOCX or Markdown download).

The form carries an answer id made when the empty page is loaded: the pre-render and the live page both
load the answer, and the service logs a question once per id.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from reactpy import component, html

from backend.features.assistant.service import AssistantService, home_unit
from backend.lib.access import Permission
from backend.lib.clock import today_in_vietnam
from backend.lib.errors import AppError
from pwa.session import PageSession
from schemas.assistant import AskAnswer, AskRequest, Citation, Figure

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
    try:
        request = AskRequest(question=data["q"], unit_code=data["unit"] or None, id=answer_id)
        data["answer"] = await AssistantService(state.settings, state.clock).ask(principal, request)
    except AppError as error:
        data["error"] = session.t(error.detail_key or error.title_key, **error.params)
    return data


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
        html.button({"type": "submit", "name": "format", "value": "docx"}, session.t("pwa.assistant.download_docx")),
        html.button({"type": "submit", "name": "format", "value": "md"}, session.t("pwa.assistant.download_md")),
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
            html.input({"type": "hidden", "name": "id", "value": data["next_id"] if data["answer"] else data["id"]}),
            html.input({"type": "hidden", "name": "unit", "value": data["unit"]}),
            html.button({"type": "submit"}, session.t("pwa.assistant.ask")),
        ),
        html.p({"class_name": "error", "role": "alert"}, data["error"]) if data["error"] else "",
        _answer(session, data["answer"]) if data["answer"] else "",
        _report_form(session, data),
    )
