"""The home page: a card for each app. Staff see every app; a visitor sees what citizens may use."""

from __future__ import annotations

from typing import Any

from reactpy import component, html

from backend.features.system.service import may_see_system
from pwa.session import PageSession

# (path, title key, what-it-is-for key)
STAFF_APPS = (
    ("/areas", "pwa.areas.title", "pwa.home.areas"),
    ("/petitions", "pwa.petitions.inbox", "pwa.home.petitions"),
    ("/library", "pwa.library.title", "pwa.home.library"),
    ("/assistant", "pwa.assistant.title", "pwa.home.assistant"),
    ("/congress", "pwa.congress.title", "pwa.home.congress"),
    ("/report", "pwa.reports.title", "pwa.home.report"),
    ("/units", "pwa.units.title", "pwa.home.units"),
    ("/notes", "pwa.notes.title", "pwa.home.notes"),
    ("/notifications", "pwa.push.title", "pwa.home.notifications"),
)
# Only for central administrators: others would get the page's 404.
ADMIN_APPS = (("/system", "pwa.system.title", "pwa.home.system"),)
CITIZEN_APPS = (
    ("/petitions/new", "pwa.petitions.new", "pwa.home.file"),
    ("/petitions/track", "pwa.petitions.track", "pwa.home.track"),
    ("/petitions/published", "pwa.petitions.published", "pwa.home.published"),
    ("/library", "pwa.library.title", "pwa.home.library"),
)


async def load(session: PageSession, query: dict[str, str]) -> dict[str, Any]:
    return {}


def app_cards(session: PageSession, apps: tuple[tuple[str, str, str], ...]) -> Any:
    return html.ul(
        {"class_name": "cards"},
        *[
            html.li(
                {"key": href},
                html.a(
                    {"class_name": "card", "href": href},
                    html.strong(session.t(title)),
                    html.span({"class_name": "card-note"}, session.t(note)),
                ),
            )
            for href, title, note in apps
        ],
    )


@component
def HomePage(session: PageSession, data: dict[str, Any]) -> Any:
    if session.signed_in:
        return html.section(
            html.h1(session.t("pwa.name")),
            html.p({"class_name": "lead"}, session.t("pwa.hello", name=session.display_name or "")),
            html.h2(session.t("pwa.home.apps")),
            app_cards(session, STAFF_APPS + (ADMIN_APPS if may_see_system(session.principal) else ())),
            html.h2(session.t("pwa.home.public")),
            app_cards(session, CITIZEN_APPS[:3]),
        )
    return html.section(
        html.h1(session.t("pwa.name")),
        html.p({"class_name": "tagline"}, session.t("pwa.tagline")),
        html.p({"class_name": "lead"}, session.t("pwa.hello_guest")),
        html.a({"class_name": "button", "href": "/auth/login?next=/"}, session.t("pwa.sign_in")),
        html.h2(session.t("pwa.home.public")),
        app_cards(session, CITIZEN_APPS),
    )
