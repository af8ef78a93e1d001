"""Petition pages. Citizens: file (online; a cadre's form works offline through the outbox), track by code,
their own petitions, published answers. Staff: the inbox by state and due date, one petition with its
timeline and actions, and the dashboard (figures of the month with a bar chart and exports).

Pages call PetitionService and StatsService (never tables). Notifications link to `/petition?id=…`.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, cast
from urllib.parse import quote, urlencode

import msgspec
from reactpy import component, html, use_ref, use_state

from backend.features.petitions.service import PetitionService, status_text
from backend.features.petitions.stats import StatsService
from backend.lib.clock import VIETNAM, today_in_vietnam
from backend.lib.errors import AppError
from pwa.session import PageSession
from schemas.petitions import (
    AssignCommand,
    ClassifyCommand,
    NoteCommand,
    PetitionCreate,
    PetitionRead,
    PetitionReceipt,
    RejectCommand,
)

LISTED = 30
INBOX_STATES = ("received", "classified", "assigned", "forwarded", "reopened", "answered")


def petition_service(session: PageSession) -> PetitionService:
    return PetitionService(session.app.state.settings, session.app.state.clock)


def when(value: datetime | None) -> str:
    return value.astimezone(VIETNAM).strftime("%d/%m/%Y") if value else "—"


def staff_units(session: PageSession) -> list[str]:
    if session.principal is None:
        return []
    return [role.unit_code for role in session.principal.roles if role.role != "citizen"]


def problem_text(session: PageSession, error: AppError) -> str:
    return session.t(error.detail_key or error.title_key, **error.params)


def _sign_in(session: PageSession, next_path: str) -> Any:
    return html.a({"class_name": "button", "href": f"/auth/login?next={quote(next_path)}"}, session.t("pwa.sign_in"))


# filing


async def load_new(session: PageSession, query: dict[str, str]) -> dict[str, Any]:
    categories = (await petition_service(session).categories(session.language)).items
    return {"categories": [(c.code, c.name) for c in categories], "units": staff_units(session)}


@component
def NewPetitionPage(session: PageSession, data: dict[str, Any]) -> Any:
    if data["units"]:
        return CadreForm(session, data)
    return CitizenForm(session, data)


def _category_select(session: PageSession, categories: list[tuple[str, str]], **events: Any) -> Any:
    return html.select(
        {"id": "petition-category", "name": "category_code", "data_empty": "null", **events},
        html.option({"value": "", "key": ""}, session.t("pwa.petitions.category_unknown")),
        *[html.option({"value": code, "key": code}, name) for code, name in categories],
    )


@component
def CadreForm(session: PageSession, data: dict[str, Any]) -> Any:
    """Plain HTML handled by the outbox (IndexedDB, then /api/v1/sync): files on a citizen's behalf offline."""
    return html.section(
        html.h1(session.t("pwa.petitions.new")),
        html.p({"class_name": "muted"}, session.t("pwa.petitions.cadre_intro")),
        html.form(
            {"class_name": "stack", "data_outbox": "petition", "autocomplete": "off"},
            html.label({"html_for": "petition-unit"}, session.t("pwa.petitions.unit")),
            html.select(
                {"id": "petition-unit", "name": "unit_code"},
                *[html.option({"value": code, "key": code}, code) for code in data["units"]],
            ),
            html.label({"html_for": "petition-category"}, session.t("pwa.petitions.category")),
            _category_select(session, data["categories"]),
            *_text_fields(session),
            *[
                html.label(
                    {"key": name},
                    html.input({"type": "checkbox", "name": name, "value": "true"}),
                    " ",
                    session.t(f"pwa.petitions.{name}"),
                )
                for name in ("anonymous", "denunciation", "consent_given")
            ],
            html.button({"class_name": "button", "type": "submit"}, session.t("pwa.petitions.send")),
        ),
        html.ul({"id": "outbox-list", "class_name": "pending"}),
    )


def _text_fields(session: PageSession, on_change: Any = None) -> list[Any]:
    fields = (
        ("title", 200, False),
        ("description", 4000, True),
        ("address", 300, False),
        ("contact_name", 200, False),
        ("contact_phone", 20, False),
    )
    elements: list[Any] = []
    for name, length, long in fields:
        attributes: dict[str, Any] = {"id": f"petition-{name}", "name": name, "maxlength": length}
        if name in ("title", "description"):
            attributes["required"] = True
        if on_change is not None:
            attributes["on_change"] = on_change(name)
        elements.append(
            html.label({"html_for": f"petition-{name}", "key": f"l-{name}"}, session.t(f"pwa.petitions.{name}"))
        )
        control = html.textarea({**attributes, "rows": 6}) if long else html.input(attributes)
        elements.append(html.div({"key": name}, control))
    return elements


@component
def CitizenForm(session: PageSession, data: dict[str, Any]) -> Any:
    """Online filing for citizens, with or without an account; the receipt shows the tracking code."""
    typed = use_ref(dict[str, Any]())
    receipt, set_receipt = use_state(cast(PetitionReceipt | None, None))
    problem, set_problem = use_state("")

    def keep(name: str) -> Any:
        def store(event: Any) -> None:
            target = event["target"]
            typed.current[name] = target.get("checked") if target.get("type") == "checkbox" else target["value"]

        return store

    async def send(event: Any) -> None:
        values = {k: v for k, v in typed.current.items() if v not in ("", None)}
        try:
            data = msgspec.convert(values, PetitionCreate)
            created, _ = await petition_service(session).file(session.principal, data)
        except AppError as error:
            set_problem(problem_text(session, error))
            return
        except msgspec.ValidationError as error:
            set_problem(
                session.t(
                    "problem.validation.field", field=str(error).rpartition("$.")[2].rstrip("`"), reason=str(error)
                )
            )
            return
        set_problem("")
        set_receipt(created)

    if receipt is not None:
        return html.section(
            html.h1(session.t("pwa.petitions.sent")),
            html.p(session.t("pwa.petitions.keep_code")),
            html.p({"class_name": "tracking-code"}, html.strong(receipt.tracking_code)),
            html.p(receipt.status_text),
            html.a(
                {"class_name": "button", "href": f"/petitions/track?code={quote(receipt.tracking_code)}"},
                session.t("pwa.petitions.track"),
            ),
        )
    return html.section(
        html.h1(session.t("pwa.petitions.new")),
        html.p({"class_name": "muted"}, session.t("pwa.petitions.citizen_intro")),
        html.div(
            {"class_name": "stack"},
            html.label({"html_for": "petition-unit-code"}, session.t("pwa.petitions.unit_code")),
            html.input({"id": "petition-unit-code", "required": True, "maxlength": 32, "on_change": keep("unit_code")}),
            html.label({"html_for": "petition-category"}, session.t("pwa.petitions.category")),
            _category_select(session, data["categories"], on_change=keep("category_code")),
            *_text_fields(session, keep),
            html.label({"html_for": "petition-email"}, session.t("pwa.petitions.contact_email")),
            html.input({"id": "petition-email", "type": "email", "maxlength": 200, "on_change": keep("contact_email")}),
            html.label(
                html.input({"type": "checkbox", "on_change": keep("anonymous")}),
                " ",
                session.t("pwa.petitions.anonymous"),
            ),
            html.p({"class_name": "field-error", "role": "alert"}, problem) if problem else "",
            html.button({"class_name": "button", "type": "button", "on_click": send}, session.t("pwa.petitions.send")),
        ),
    )


# tracking and the public side


async def load_track(session: PageSession, query: dict[str, str]) -> dict[str, Any]:
    code = query.get("code", "").strip()[:40]
    if not code:
        return {"code": "", "tracking": None, "problem": None}
    # Page lookups count against the browser's session (pages do not see the client's address).
    key = f"pwa:{session.session_hash or 'anonymous'}"
    try:
        return {
            "code": code,
            "tracking": await petition_service(session).track(code, key, session.language),
            "problem": None,
        }
    except AppError as error:
        return {"code": code, "tracking": None, "problem": problem_text(session, error)}


@component
def TrackPage(session: PageSession, data: dict[str, Any]) -> Any:
    tracking = data["tracking"]
    form = html.form(
        {"class_name": "stack", "method": "get", "action": "/petitions/track"},
        html.label({"html_for": "track-code"}, session.t("pwa.petitions.code")),
        html.input({"id": "track-code", "name": "code", "value": data["code"], "required": True, "maxlength": 40}),
        html.button({"class_name": "button", "type": "submit"}, session.t("pwa.petitions.track")),
    )
    if tracking is None:
        return html.section(
            html.h1(session.t("pwa.petitions.track")),
            form,
            html.p({"class_name": "field-error", "role": "alert"}, data["problem"]) if data["problem"] else "",
        )
    return html.section(
        html.h1(tracking.title),
        html.p(html.strong(tracking.status_text)),
        html.p({"class_name": "muted"}, session.t("pwa.petitions.expected", date=when(tracking.expected_at)))
        if tracking.expected_at
        else "",
        html.div({"class_name": "answer"}, html.h2(session.t("pwa.petitions.answer")), html.p(tracking.answer))
        if tracking.answer
        else "",
        html.ul(
            {"class_name": "results"},
            *[
                html.li({"key": f"{i}"}, f"{when(e.at)} · {status_text(e.to_state, session.language)}")
                for i, e in enumerate(tracking.timeline)
            ],
        ),
        html.p(session.t("pwa.petitions.rated", score=tracking.rating)) if tracking.rating else "",
        form,
    )


async def load_published(session: PageSession, query: dict[str, str]) -> dict[str, Any]:
    q = query.get("q", "")[:200]
    page = await petition_service(session).published(q or None, None, LISTED)
    return {"q": q, "items": page.items}


@component
def PublishedPage(session: PageSession, data: dict[str, Any]) -> Any:
    return html.section(
        html.h1(session.t("pwa.petitions.published")),
        html.form(
            {"class_name": "stack", "method": "get", "action": "/petitions/published", "role": "search"},
            html.label({"html_for": "published-q"}, session.t("pwa.petitions.search")),
            html.input({"id": "published-q", "name": "q", "value": data["q"], "maxlength": 200}),
        ),
        html.ul(
            {"class_name": "results"},
            *[
                html.li(
                    {"key": str(item.id)},
                    html.strong(item.title),
                    html.span({"class_name": "muted"}, f" · {item.category or ''} · {when(item.published_at)}"),
                    html.p(item.answer),
                )
                for item in data["items"]
            ],
        )
        if data["items"]
        else html.p({"class_name": "muted"}, session.t("pwa.petitions.none")),
    )


async def load_mine(session: PageSession, query: dict[str, str]) -> dict[str, Any]:
    if session.principal is None:
        return {"items": None}
    return {"items": (await petition_service(session).mine(session.principal)).items}


@component
def MinePage(session: PageSession, data: dict[str, Any]) -> Any:
    if data["items"] is None:
        return html.section(html.h1(session.t("pwa.petitions.mine")), _sign_in(session, "/petitions/mine"))
    return html.section(html.h1(session.t("pwa.petitions.mine")), _summary_list(session, data["items"]))


def _summary_list(session: PageSession, items: list[Any]) -> Any:
    if not items:
        return html.p({"class_name": "muted"}, session.t("pwa.petitions.none"))
    return html.ul(
        {"class_name": "results"},
        *[
            html.li(
                {"key": str(item.id), "class_name": "overdue" if item.overdue else ""},
                html.a({"href": f"/petition?id={item.id}"}, html.strong(item.title)),
                html.span(
                    {"class_name": "muted"},
                    f" · {status_text(item.state, session.language)}"
                    f" · {session.t('pwa.petitions.due')} {when(item.due_at)}",
                ),
            )
            for item in items
        ],
    )


# staff


async def load_inbox(session: PageSession, query: dict[str, str]) -> dict[str, Any]:
    if session.principal is None or not staff_units(session):
        return {"items": None, "state": None}
    state = query.get("state") if query.get("state") in INBOX_STATES else None
    mine = query.get("mine") == "1"
    page = await petition_service(session).inbox(
        session.principal, [state] if state else None, mine, None, None, LISTED
    )
    return {"items": page.items, "state": state, "mine": mine}


@component
def InboxPage(session: PageSession, data: dict[str, Any]) -> Any:
    if data["items"] is None:
        # Not staff: what a citizen does with petitions.
        links = (
            ("/petitions/new", "new"),
            ("/petitions/track", "track"),
            ("/petitions/mine", "mine"),
            ("/petitions/published", "published"),
        )
        return html.section(
            html.h1(session.t("pwa.petitions.nav")),
            html.ul(
                {"class_name": "results"},
                *[
                    html.li({"key": href}, html.a({"href": href}, session.t(f"pwa.petitions.{key}")))
                    for href, key in links
                ],
            ),
        )
    filters = [("", session.t("pwa.petitions.all"))] + [(s, status_text(s, session.language)) for s in INBOX_STATES]
    return html.section(
        html.h1(session.t("pwa.petitions.inbox")),
        html.nav(
            {"class_name": "chips"},
            *[
                html.a(
                    {
                        "key": value or "all",
                        "href": "/petitions" + (f"?{urlencode({'state': value})}" if value else ""),
                        "class_name": "chip active" if (data["state"] or "") == value else "chip",
                    },
                    label,
                )
                for value, label in filters
            ],
        ),
        html.p(html.a({"href": "/petitions/dashboard"}, session.t("pwa.petitions.dashboard"))),
        _summary_list(session, data["items"]),
    )


async def load_detail(session: PageSession, query: dict[str, str]) -> dict[str, Any]:
    if session.principal is None:
        return {"petition": None, "categories": []}
    try:
        petition = await petition_service(session).get(session.principal, uuid.UUID(query.get("id", "")))
    except (AppError, ValueError):
        return {"petition": None, "categories": []}
    categories = (await petition_service(session).categories(session.language)).items
    return {"petition": petition, "categories": [(c.code, c.name) for c in categories]}


@component
def PetitionPage(session: PageSession, data: dict[str, Any]) -> Any:
    initial: PetitionRead | None = data["petition"]
    shown, set_shown = use_state(initial)
    problem, set_problem = use_state("")
    typed = use_ref(dict[str, str]())
    if shown is None:
        return html.section(
            html.h1(session.t("pwa.petitions.detail")), html.p(session.t("problem.petitions.not_found"))
        )
    petition: PetitionRead = shown

    async def run(action: str) -> None:
        service, who = petition_service(session), session.principal
        assert who is not None and who.account_id is not None
        commands: dict[str, Any] = {
            "classify": lambda: service.classify(
                who, petition.id, ClassifyCommand(category_code=typed.current.get("category_code", "khac"))
            ),
            "assign": lambda: service.assign(who, petition.id, AssignCommand(assignee=who.account_id)),
            "publish": lambda: service.publish(who, petition.id, NoteCommand()),
            "close": lambda: service.close(who, petition.id, NoteCommand()),
            "reject": lambda: service.reject(who, petition.id, RejectCommand(reason=typed.current.get("reason", ""))),
        }
        try:
            set_shown(await commands[action]())
            set_problem("")
        except AppError as error:
            set_problem(problem_text(session, error))
        except ValueError:  # a reason too short for the schema
            set_problem(session.t("problem.validation.detail"))

    def button(action: str) -> Any:
        async def click(event: Any) -> None:
            await run(action)

        return html.button(
            {"class_name": "button secondary", "type": "button", "on_click": click, "key": action},
            session.t("pwa.petitions.assign_me") if action == "assign" else session.t(f"petitions.action.{action}"),
        )

    def keep(name: str) -> Any:
        def store(event: Any) -> None:
            typed.current[name] = event["target"]["value"]

        return store

    actions = [a for a in petition.actions if a in ("classify", "assign", "publish", "close", "reject")]
    return html.section(
        html.h1(petition.title),
        html.p(html.strong(status_text(petition.state, session.language))),
        html.p(
            {"class_name": "muted"},
            f"{petition.tracking_code} · {session.t('pwa.petitions.due')} {when(petition.due_at)}",
        ),
        html.p(petition.description),
        html.p({"class_name": "muted"}, session.t("pwa.petitions.filer_hidden"))
        if petition.filer_hidden
        else html.p({"class_name": "muted"}, f"{petition.contact_name or ''} {petition.contact_phone or ''}"),
        html.div({"class_name": "answer"}, html.h2(session.t("pwa.petitions.answer")), html.p(petition.answer))
        if petition.answer
        else "",
        html.div(
            {"class_name": "stack"},
            _category_select(session, data["categories"], on_change=keep("category_code"))
            if "classify" in actions
            else "",
            html.input(
                {"aria_label": session.t("pwa.petitions.reason"), "on_change": keep("reason"), "maxlength": 2000}
            )
            if "reject" in actions
            else "",
            *[button(action) for action in actions],
            html.p({"class_name": "field-error", "role": "alert"}, problem) if problem else "",
        ),
        html.h2(session.t("pwa.petitions.timeline")),
        html.ol(
            {"class_name": "results"},
            *[
                html.li(
                    {"key": f"{i}"},
                    f"{when(e.at)} · {session.t('petitions.event.' + e.action)}"
                    f" → {status_text(e.to_state, session.language)}" + (f" — {e.note}" if e.note else ""),
                )
                for i, e in enumerate(petition.timeline)
            ],
        ),
    )


async def load_dashboard(session: PageSession, query: dict[str, str]) -> dict[str, Any]:
    units = staff_units(session)
    if session.principal is None or not units:
        return {"stats": None}
    wanted = query.get("unit", "")
    unit = wanted if wanted in units else units[0]
    today = today_in_vietnam(session.app.state.clock)
    since = date(today.year, today.month, 1)
    stats = await StatsService(session.app.state.clock).figures(session.principal, unit, since, today)
    return {"stats": stats}


@component
def DashboardPage(session: PageSession, data: dict[str, Any]) -> Any:
    stats = data["stats"]
    if stats is None:
        return html.section(html.h1(session.t("pwa.petitions.dashboard")), _sign_in(session, "/petitions/dashboard"))
    most = max([row.received for row in stats.by_category] or [1]) or 1
    export = urlencode({"unit": stats.unit_code, "since": stats.since.isoformat(), "until": stats.until.isoformat()})
    total = stats.total
    return html.section(
        html.h1(session.t("pwa.petitions.dashboard")),
        html.p({"class_name": "muted"}, f"{stats.total.name} · {stats.since:%d/%m/%Y}–{stats.until:%d/%m/%Y}"),
        html.ul(
            {"class_name": "figures"},
            *[
                html.li(
                    {"key": name}, html.strong(str(getattr(total, name))), " ", session.t(f"petitions.stats.{name}")
                )
                for name in ("received", "answered_on_time", "answered_late", "open_overdue", "open")
            ],
        ),
        html.h2(session.t("petitions.stats.by_category")),
        html.div(
            {"class_name": "chart"},
            *[
                html.div(
                    {"key": row.key or "none", "role": "img", "aria_label": f"{row.name}: {row.received}"},
                    html.span(f"{row.name or session.t('pwa.petitions.category_unknown')} ({row.received})"),
                    html.div(
                        {
                            "style": {
                                "height": ".5rem",
                                "background": "var(--accent)",
                                "border-radius": ".25rem",
                                "width": f"{100 * row.received / most:.0f}%",
                            }
                        }
                    ),
                )
                for row in stats.by_category
            ],
        ),
        html.h2(session.t("petitions.stats.by_unit")),
        html.ul(
            {"class_name": "results"},
            *[html.li({"key": row.key}, f"{row.name}: {row.received}") for row in stats.by_unit if row.received],
        ),
        html.p(
            html.a(
                {"class_name": "button secondary", "href": f"/api/v1/petitions/stats/export?{export}&format=csv"}, "CSV"
            ),
            " ",
            html.a(
                {"class_name": "button secondary", "href": f"/api/v1/petitions/stats/export?{export}&format=xlsx"},
                "XLSX",
            ),
        ),
    )
