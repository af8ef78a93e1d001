"""Door-to-door work: the households a cadre may see (search without diacritics; one area's with ?unit=),
one household with its members (sensitive fields masked) and visits, and the visit form that works offline
(outbox). Links to the pages a cadre needs at the door are marked `data-keep-offline`: the service worker
keeps a copy of each while there is signal."""

from __future__ import annotations

import json
import uuid
from typing import Any, get_args
from urllib.parse import quote, urlencode

import msgspec
from reactpy import component, html

from backend.features.registry.service import RegistryService, current_unit
from backend.features.units.service import unit_names
from backend.lib.clock import today_in_vietnam
from backend.lib.errors import AppError
from pwa.components.paging import more_button
from pwa.components.search import MAX_QUERY, search_form, use_live_search
from pwa.session import PageSession
from schemas.registry import HouseholdRead, Relation

LISTED = 30
RELATIONS: tuple[str, ...] = get_args(Relation)


def registry_service(session: PageSession) -> RegistryService:
    return RegistryService(session.app.state.settings, session.app.state.clock)


class Listing(msgspec.Struct, kw_only=True):
    """A page of households, each with its area's name, and the cursor of the next page (None at the end)."""

    items: list[tuple[HouseholdRead, str]]
    next_cursor: str | None


async def _households(session: PageSession, query: str, unit: str | None, cursor: str | None = None) -> Listing:
    if session.principal is None:
        return Listing(items=[], next_cursor=None)
    service = registry_service(session)
    try:
        page = await service.list_households(session.principal, query.strip() or None, unit, cursor, LISTED)
    except AppError:  # an unknown area, or a cursor from elsewhere: nothing to list
        return Listing(items=[], next_cursor=None)
    # A commune officer's list spans several areas: each household says which.
    names = await unit_names({h.unit_code for h in page.items})
    return Listing(items=[(h, names[h.unit_code]) for h in page.items], next_cursor=page.next_cursor)


async def _area_name(unit: str | None) -> str | None:
    if not unit:
        return None
    try:
        return str((await current_unit(unit))["name"])
    except AppError:
        return None


async def load_list(session: PageSession, query: dict[str, str]) -> dict[str, Any]:
    q = query.get("q", "")[:MAX_QUERY]
    unit = query.get("unit") or None
    if not session.signed_in:
        return {"q": q, "unit": unit, "area": None, "listing": None}
    listing = await _households(session, q, unit, query.get("cursor") or None)
    return {"q": q, "unit": unit, "area": await _area_name(unit), "listing": listing}


def _next_page(query: str, unit: str | None, cursor: str) -> str:
    return "/households?" + urlencode({k: v for k, v in (("unit", unit), ("q", query), ("cursor", cursor)) if v})


def _address(household: HouseholdRead) -> str:
    return " ".join(part for part in (household.house_number, household.street) if part) or household.unit_code


@component
def HouseholdsPage(session: PageSession, data: dict[str, Any]) -> Any:
    unit = data["unit"]
    query, listing, set_query, set_listing = use_live_search(
        data["q"], data["listing"], lambda q: _households(session, q, unit)
    )
    if listing is None:
        return html.section(
            html.h1(session.t("pwa.registry.title")),
            html.a({"class_name": "button", "href": "/auth/login?next=/households"}, session.t("pwa.sign_in")),
        )

    search = search_form("/households", "hq", session.t("pwa.registry.search_label"), query, set_query)
    if unit:  # the plain GET form (before the live connection) stays within the area
        search["children"].append(html.input({"type": "hidden", "name": "unit", "value": unit}))
    return html.section(
        html.h1(data["area"] or session.t("pwa.registry.title")),
        html.a(
            {"class_name": "button secondary", "href": f"/household/new?unit={quote(unit)}", "data_keep_offline": ""},
            session.t("pwa.registry.new_household"),
        )
        if data["area"]
        else "",
        search,
        html.ul(
            {"class_name": "results"},
            *[
                html.li(
                    {"key": str(h.id)},
                    html.a(
                        {"href": f"/household?id={h.id}", "data_keep_offline": ""},
                        html.strong(h.head_name or _address(h)),
                    ),
                    html.div({"class_name": "muted"}, f"{_address(h)} · {area}"),
                )
                for h, area in listing.items
            ],
        )
        if listing.items
        else html.p({"class_name": "muted"}, session.t("pwa.registry.none")),
        more_button(
            session.t("pwa.registry.more"),
            listing,
            lambda cursor: _next_page(query, unit, cursor),
            lambda cursor: _households(session, query, unit, cursor),
            set_listing,
        ),
    )


async def load_detail(session: PageSession, query: dict[str, str]) -> dict[str, Any]:
    if session.principal is None:
        return {"household": None}
    try:
        household_id = uuid.UUID(query.get("id", ""))
        service = registry_service(session)
        household = await service.get_household(session.principal, household_id)
        visits = (await service.list_visits(session.principal, household_id, None, 10)).items
    except (ValueError, AppError):
        return {"household": None}
    return {
        "household": household,
        "area": (await unit_names([household.unit_code]))[household.unit_code],
        "visits": visits,
        "today": today_in_vietnam(session.app.state.clock).isoformat(),
    }


@component
def HouseholdPage(session: PageSession, data: dict[str, Any]) -> Any:
    household = data["household"]
    if household is None:
        return html.section(
            html.p(session.t("pwa.registry.not_found")),
            html.a({"class_name": "button", "href": "/households"}, session.t("pwa.registry.title")),
        )
    relations = {code: session.t(f"pwa.registry.relation.{code}") for code in RELATIONS}
    # data-record, data-field, data-pending-list: where outbox.js shows the queued changes and new records
    # of this household on a stored copy of the page, marked with data-pending-label.
    return html.section(
        {"data_record": f"household:{household.id}", "data_pending_label": session.t("pwa.registry.queued")},
        html.h1(household.head_name or _address(household)),
        html.p(
            {"class_name": "muted"},
            html.span({"data_field": "house_number"}, household.house_number),
            " ",
            html.span({"data_field": "street"}, household.street),
            f" · {data['area']}",
        ),
        html.div(
            {"class_name": "actions"},
            html.a(
                {
                    "class_name": "button secondary",
                    "href": f"/household/edit?id={household.id}",
                    "data_keep_offline": "",
                },
                session.t("pwa.registry.edit_household"),
            ),
            html.a(
                {
                    "class_name": "button secondary",
                    "href": f"/resident/new?household={household.id}",
                    "data_keep_offline": "",
                },
                session.t("pwa.registry.new_resident"),
            ),
        ),
        html.h2(session.t("pwa.registry.members")),
        html.ul(
            {
                "class_name": "results",
                "data_pending_list": "resident",
                "data_parent_field": "household_id",
                "data_parent_id": str(household.id),
                "data_show": json.dumps(
                    [["full_name", None], ["birth_year", None], ["relation_to_head", relations]], ensure_ascii=False
                ),
            },
            *[
                html.li(
                    {"key": str(m.id), "data_record": f"resident:{m.id}"},
                    html.a(
                        {"href": f"/resident/edit?household={household.id}&id={m.id}", "data_keep_offline": ""},
                        html.strong({"data_field": "full_name"}, m.full_name),
                    ),
                    html.span(
                        {"class_name": "muted"},
                        " · ",
                        html.span(
                            {"data_field": "birth_year"},
                            str(m.birth_year or (m.birth_date.year if m.birth_date else "")),
                        ),
                        " · ",
                        html.span(
                            {
                                "data_field": "relation_to_head",
                                "data_labels": json.dumps(relations, ensure_ascii=False),
                            },
                            relations[m.relation_to_head],
                        ),
                    ),
                )
                for m in household.members
            ],
        ),
        _none_yet(session.t("pwa.registry.no_members")) if not household.members else "",
        html.h2(session.t("pwa.registry.visits")),
        html.ul(
            {
                "class_name": "results",
                "data_pending_list": "visit",
                "data_parent_field": "household_id",
                "data_parent_id": str(household.id),
                "data_show": json.dumps([["visited_on", None], ["purpose", None]]),
            },
            *[
                html.li({"key": str(v.id)}, html.strong(v.visited_on.isoformat()), f" · {v.purpose}")
                for v in data["visits"]
            ],
        ),
        _none_yet(session.t("pwa.areas.never_visited")) if not data["visits"] else "",
        VisitForm(session, str(household.id), data["today"]),
    )


def _none_yet(text: str) -> Any:
    """Under an empty list; hidden by the stylesheet once outbox.js adds a queued record to that list."""
    return html.p({"class_name": "muted none-yet"}, text)


@component
def VisitForm(session: PageSession, household_id: str, today: str) -> Any:
    """Plain HTML handled by the outbox (IndexedDB, then /api/v1/sync): works without signal."""
    return html.form(
        {"class_name": "stack", "data_outbox": "visit", "autocomplete": "off"},
        html.h2(session.t("pwa.registry.new_visit")),
        html.input({"type": "hidden", "name": "household_id", "value": household_id}),
        html.label({"html_for": "visited_on"}, session.t("pwa.registry.visited_on")),
        html.input(
            {"id": "visited_on", "name": "visited_on", "type": "date", "value": today, "max": today, "required": True}
        ),
        html.label({"html_for": "purpose"}, session.t("pwa.registry.purpose")),
        html.input({"id": "purpose", "name": "purpose", "required": True, "maxlength": 200}),
        *[
            html.div(
                {"key": field},
                html.label({"html_for": field}, session.t(f"pwa.registry.{field}")),
                html.textarea({"id": field, "name": field, "rows": 3, "maxlength": 4000}),
            )
            for field in ("needs", "concerns", "feedback", "follow_up")
        ],
        html.button({"class_name": "button", "type": "submit"}, session.t("pwa.registry.save_visit")),
        html.ul({"id": "outbox-list", "class_name": "pending"}),
    )
