"""Find a unit: a plain GET form (works before the live connection and without it), results updated live
as the cadre types once connected."""

from __future__ import annotations

from typing import Any

from reactpy import component, html

from backend.features.units.service import UnitService
from pwa.components.search import MAX_QUERY, search_form, use_live_search
from pwa.session import PageSession
from schemas.units import UnitRead

RESULTS = 20


async def search(session: PageSession, query: str) -> list[UnitRead]:
    if not query.strip():
        return []
    service = UnitService(session.app.state.clock)
    page = await service.list_units(
        level=None, parent=None, query=query, include_retired=False, cursor=None, limit=RESULTS
    )
    return page.items


async def load(session: PageSession, query: dict[str, str]) -> dict[str, Any]:
    q = query.get("q", "")[:MAX_QUERY]
    return {"q": q, "results": await search(session, q)}


@component
def UnitsPage(session: PageSession, data: dict[str, Any]) -> Any:
    query, results, set_query, _ = use_live_search(data["q"], data["results"], lambda q: search(session, q))
    return html.section(
        html.h1(session.t("pwa.units.title")),
        search_form("/units", "q", session.t("pwa.units.search_label"), query, set_query),
        html.ul(
            {"class_name": "results", "aria_live": "polite"},
            *[
                html.li(
                    {"key": unit.code}, html.strong(unit.name), html.span({"class_name": "muted"}, f" · {unit.code}")
                )
                for unit in results
            ],
        )
        if results
        else html.p({"class_name": "muted"}, session.t("pwa.units.none") if query.strip() else ""),
    )
