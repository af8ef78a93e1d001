"""My areas: the residential areas a cadre is assigned to (a commune officer: all of the commune's), how many
households each has and when one was last visited; the way in to an area's households (kept for offline
use) and to adding one."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from reactpy import component, html

from backend.lib.access import Permission
from pwa.features.registry.pages import registry_service
from pwa.session import PageSession


async def load_areas(session: PageSession, query: dict[str, str]) -> dict[str, Any]:
    principal = session.principal
    if principal is None or not session.signed_in:
        return {"areas": None, "resolves_conflicts": False}
    return {
        "areas": await registry_service(session).my_areas(principal),
        "resolves_conflicts": bool(principal.scope_paths(Permission.approve)),
    }


def day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


@component
def MyAreasPage(session: PageSession, data: dict[str, Any]) -> Any:
    areas = data["areas"]
    if areas is None:
        return html.section(
            html.h1(session.t("pwa.areas.title")),
            html.a({"class_name": "button", "href": "/auth/login?next=/areas"}, session.t("pwa.sign_in")),
        )
    conflicts = (
        html.p(html.a({"class_name": "card", "href": "/conflicts"}, session.t("pwa.conflicts.title")))
        if data["resolves_conflicts"]
        else ""
    )
    return html.section(
        html.h1(session.t("pwa.areas.title")),
        conflicts,
        html.ul(
            {"class_name": "cards"},
            *[
                html.li(
                    {"key": area.code, "class_name": "area"},
                    html.a(
                        {"class_name": "card", "href": f"/households?unit={quote(area.code)}", "data_keep_offline": ""},
                        html.span({"class_name": "area-name"}, area.name),
                        html.span(
                            {"class_name": "muted area-facts"},
                            session.t("pwa.areas.households", count=area.households),
                            " · ",
                            session.t("pwa.areas.last_visit", day=day(area.last_visit))
                            if area.last_visit
                            else session.t("pwa.areas.never_visited"),
                            " · ",
                            session.t("pwa.areas.recent_visits", count=area.recent_visits),
                        ),
                    ),
                    html.a(
                        {
                            "class_name": "button secondary",
                            "href": f"/household/new?unit={quote(area.code)}",
                            "data_keep_offline": "",
                        },
                        session.t("pwa.registry.new_household"),
                    ),
                )
                for area in areas
            ],
        )
        if areas
        else html.p({"class_name": "muted"}, session.t("pwa.areas.none")),
        html.a({"class_name": "button secondary", "href": "/households"}, session.t("pwa.areas.search_all")),
    )
