"""Field notes: the form works offline. It is plain HTML that the browser-side outbox handles (IndexedDB,
then /api/v1/sync), so it needs neither the live connection nor the network at the moment of writing."""

from __future__ import annotations

from typing import Any

from reactpy import component, html

from backend.features.sync.drafts import DraftService
from pwa.session import PageSession

KINDS = ("note", "visit", "petition", "report")


RECENT = 20


async def load(session: PageSession, query: dict[str, str]) -> dict[str, Any]:
    if session.principal is None:
        return {"units": [], "recent": []}
    units = [(role.unit_code, role.unit_path) for role in session.principal.roles if role.role != "citizen"]
    recent = (await DraftService().list_drafts(session.principal, None, RECENT)).items if units else []
    return {"units": units, "recent": recent}


@component
def NotesPage(session: PageSession, data: dict[str, Any]) -> Any:
    if not data["units"]:
        return html.section(
            html.h1(session.t("pwa.notes.title")),
            html.p(session.t("pwa.notes.sign_in_needed")),
            html.a({"class_name": "button", "href": "/auth/login?next=/notes"}, session.t("pwa.sign_in")),
        )
    return html.section(
        html.h1(session.t("pwa.notes.title")),
        html.p({"class_name": "muted"}, session.t("pwa.notes.intro")),
        html.form(
            {"class_name": "stack", "data_outbox": "draft", "autocomplete": "off"},
            html.label({"html_for": "note-unit"}, session.t("pwa.notes.unit")),
            html.select(
                {"id": "note-unit", "name": "unit_code"},
                *[html.option({"value": code, "key": code}, code) for code, _ in data["units"]],
            ),
            html.label({"html_for": "note-kind"}, session.t("pwa.notes.kind")),
            html.select(
                {"id": "note-kind", "name": "kind"},
                *[html.option({"value": kind, "key": kind}, session.t(f"pwa.notes.kind.{kind}")) for kind in KINDS],
            ),
            html.label({"html_for": "note-title"}, session.t("pwa.notes.note_title")),
            html.input({"id": "note-title", "name": "title", "required": True, "maxlength": 200}),
            html.label({"html_for": "note-body"}, session.t("pwa.notes.body")),
            html.textarea({"id": "note-body", "name": "body", "rows": 5, "maxlength": 4000}),
            html.button({"class_name": "button", "type": "submit"}, session.t("pwa.notes.save")),
        ),
        html.ul({"id": "outbox-list", "class_name": "pending"}),
        html.h2(session.t("pwa.notes.saved")),
        html.ul(
            {"class_name": "results"},
            *[
                html.li(
                    {"key": str(draft.id)},
                    html.strong(draft.title),
                    html.span({"class_name": "muted"}, f" · {session.t(f'pwa.notes.kind.{draft.kind}')}"),
                )
                for draft in data["recent"]
            ],
        )
        if data["recent"]
        else html.p({"class_name": "muted"}, session.t("pwa.notes.empty")),
    )
