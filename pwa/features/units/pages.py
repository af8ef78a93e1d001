"""Find a unit: a plain GET form (works before the live connection and without it), results updated live
as the cadre types once connected."""

from __future__ import annotations

from typing import Any

from reactpy import component, html, use_effect, use_state

from backend.features.units.service import UnitService
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
    q = query.get("q", "")[:200]
    return {"q": q, "results": await search(session, q)}


@component
def UnitsPage(session: PageSession, data: dict[str, Any]) -> Any:
    query, set_query = use_state(data["q"])
    results, set_results = use_state(data["results"])

    @use_effect(dependencies=[query])
    async def refresh() -> None:
        if query != data["q"]:
            set_results(await search(session, query))

    return html.section(
        html.h1(session.t("pwa.units.title")),
        html.form(
            {"method": "get", "action": "/units", "class_name": "stack"},
            html.label({"html_for": "q"}, session.t("pwa.units.search_label")),
            html.input(
                {
                    "id": "q",
                    "name": "q",
                    "type": "search",
                    "value": query,
                    "autocomplete": "off",
                    "on_change": lambda event: set_query(event["target"]["value"][:200]),
                }
            ),
        ),
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
