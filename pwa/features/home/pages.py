from __future__ import annotations

from typing import Any

from reactpy import component, html

from pwa.session import PageSession


async def load(session: PageSession, query: dict[str, str]) -> dict[str, Any]:
    return {}


@component
def HomePage(session: PageSession, data: dict[str, Any]) -> Any:
    greeting = (
        html.p({"class_name": "lead"}, session.t("pwa.hello", name=session.display_name or ""))
        if session.signed_in
        else html.div(
            html.p({"class_name": "lead"}, session.t("pwa.hello_guest")),
            html.a({"class_name": "button", "href": "/auth/login?next=/"}, session.t("pwa.sign_in")),
        )
    )
    cards = [
        ("/households", "pwa.registry.title"),
        ("/units", "pwa.units.title"),
        ("/notes", "pwa.notes.title"),
        ("/notifications", "pwa.push.title"),
        ("/account", "pwa.account.title"),
    ]
    return html.section(
        html.h1(session.t("pwa.name")),
        html.p({"class_name": "tagline"}, session.t("pwa.tagline")),
        greeting,
        html.ul(
            {"class_name": "cards"},
            *[
                html.li({"key": href}, html.a({"class_name": "card", "href": href}, session.t(key)))
                for href, key in cards
            ],
        ),
    )
