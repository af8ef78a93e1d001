"""Notifications: why and how to turn on push (asked only when the user presses the button), and the
in-app inbox, so nothing depends on push alone."""

from __future__ import annotations

from typing import Any

from reactpy import component, html

from backend.features.notify.service import NotifyService
from pwa.session import PageSession

SHOWN = 30


async def load(session: PageSession, query: dict[str, str]) -> dict[str, Any]:
    if session.principal is None or session.principal.account_id is None:
        return {"items": None}
    service = NotifyService(session.app.state.settings, session.app.state.clock)
    page = await service.inbox(session.principal.account_id, unread_only=False, cursor=None, limit=SHOWN)
    return {"items": page.items}


@component
def NotificationsPage(session: PageSession, data: dict[str, Any]) -> Any:
    if data["items"] is None:
        return html.section(
            html.h1(session.t("pwa.push.title")),
            html.a({"class_name": "button", "href": "/auth/login?next=/notifications"}, session.t("pwa.sign_in")),
        )
    return html.section(
        html.h1(session.t("pwa.push.title")),
        html.p({"class_name": "muted"}, session.t("pwa.push.explain")),
        html.button({"class_name": "button", "type": "button", "data_push_enable": ""}, session.t("pwa.push.enable")),
        html.ul(
            {"class_name": "results"},
            *[
                html.li(
                    {"key": str(item.id), "class_name": "" if item.read_at else "unread"},
                    html.a({"href": item.url or "/notifications"}, html.strong(item.title)),
                    html.div({"class_name": "muted"}, item.body),
                )
                for item in data["items"]
            ],
        )
        if data["items"]
        else html.p({"class_name": "muted"}, session.t("pwa.push.inbox_empty")),
    )
