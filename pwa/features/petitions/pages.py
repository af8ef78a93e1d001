"""Petition pages. Citizens: file (online; a cadre's form works offline through the outbox), track by code,
their own petitions, published answers. Staff: the inbox by state and due date, one petition with its
timeline and actions, and the dashboard (figures of the month with a bar chart and exports).

Pages call PetitionService and StatsService (never tables). Notifications link to `/petition?id=…`.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, TypeVar, cast
from urllib.parse import quote, urlencode

import msgspec
from reactpy import component, html, use_ref, use_state

from backend.features.petitions.attachments import IMAGE_TYPES, PDF_TYPE
from backend.features.petitions.repo import INBOX_STATES
from backend.features.petitions.service import DEFAULT_CATEGORY, PetitionService, status_text
from backend.features.petitions.stats import StatsService
from backend.features.units.service import unit_choices
from backend.lib.clock import VIETNAM, today_in_vietnam
from backend.lib.errors import AppError
from pwa.components.chart import share_bar
from pwa.components.paging import more_button
from pwa.session import PageSession
from schemas.petitions import (
    AnswerCommand,
    AssignCommand,
    AttachmentRead,
    ClassifyCommand,
    DuplicateSuggestion,
    ForwardCommand,
    MergeCommand,
    NoteCommand,
    PetitionCreate,
    PetitionRead,
    PetitionReceipt,
    PetitionTracking,
    RejectCommand,
    ReopenCommand,
)
from schemas.petitions import PetitionPage as PetitionList  # PetitionPage below is the detail page

LISTED = 30
Command = TypeVar("Command")


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
    return {"categories": [(c.code, c.name) for c in categories], "units": await unit_choices(staff_units(session))}


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
                *[html.option({"value": code, "key": code}, name) for code, name in data["units"]],
            ),
            html.label({"html_for": "petition-category"}, session.t("pwa.petitions.category")),
            _category_select(session, data["categories"]),
            *_text_fields(session),
            *[
                html.label(
                    {"key": name, "class_name": "check"},
                    html.input({"type": "checkbox", "name": name, "value": "true"}),
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
                {"class_name": "check"},
                html.input({"type": "checkbox", "on_change": keep("anonymous")}),
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
    shown, set_shown = use_state(cast(PetitionTracking | None, data["tracking"]))
    problem, set_problem = use_state(cast(str, data["problem"] or ""))
    typed = use_ref(dict[str, str]())
    form = html.form(
        {"class_name": "stack", "method": "get", "action": "/petitions/track"},
        html.label({"html_for": "track-code"}, session.t("pwa.petitions.code")),
        html.input({"id": "track-code", "name": "code", "value": data["code"], "required": True, "maxlength": 40}),
        html.button({"class_name": "button", "type": "submit"}, session.t("pwa.petitions.track")),
    )
    alert = html.p({"class_name": "field-error", "role": "alert"}, problem) if problem else ""
    if shown is None:
        return html.section(html.h1(session.t("pwa.petitions.track")), form, alert)
    tracking: PetitionTracking = shown

    async def reopen(action: str) -> None:
        # Whoever holds the code is the filer as far as reopening goes (as in the API).
        try:
            command = action_command(ReopenCommand, typed.current, "reopen", "reason")
            set_shown(await petition_service(session).reopen(None, command, code=tracking.tracking_code))
            set_problem("")
        except AppError as error:
            set_problem(problem_text(session, error))
        except msgspec.ValidationError as error:
            set_problem(field_problem(session, error))

    return html.section(
        html.h1(tracking.title),
        html.p(html.strong(tracking.status_text)),
        html.p({"class_name": "muted"}, session.t("pwa.petitions.expected", date=when(tracking.expected_at)))
        if tracking.expected_at
        else "",
        html.div(
            {"class_name": "answer"},
            html.h2(session.t("pwa.petitions.answer")),
            html.p(tracking.answer),
            _evidence_list(session, tracking.evidence),
        )
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
        _panel(
            session,
            "reopen",
            reopen,
            *_text_input(session, typed, "reopen", "reason", "pwa.petitions.reopen_reason", maxlength=2000),
        )
        if tracking.can_reopen
        else "",
        alert,
        form,
    )


def _evidence_list(session: PageSession, evidence: list[AttachmentRead]) -> Any:
    """Photos shown small (the public copy, already resized), PDFs as links."""
    if not evidence:
        return ""
    return html.ul(
        {"class_name": "evidence", "aria_label": session.t("pwa.petitions.evidence")},
        *[
            html.li(
                {"key": str(item.id)},
                html.a(
                    {"href": item.url, "target": "_blank", "rel": "noopener"},
                    html.img({"src": item.url, "alt": item.filename, "loading": "lazy", "width": 160})
                    if item.media_type.startswith("image/")
                    else item.filename,
                ),
            )
            for item in evidence
        ],
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


async def _inbox_page(session: PageSession, state: str | None, mine: bool, cursor: str | None) -> PetitionList:
    if session.principal is None:
        return PetitionList(items=[], next_cursor=None)
    try:
        return await petition_service(session).inbox(
            session.principal, [state] if state else None, mine, None, cursor, LISTED
        )
    except AppError:  # a cursor from elsewhere: nothing to list
        return PetitionList(items=[], next_cursor=None)


def _inbox_href(state: str | None, mine: bool, cursor: str | None = None) -> str:
    query = urlencode({k: v for k, v in (("state", state), ("mine", "1" if mine else None), ("cursor", cursor)) if v})
    return "/petitions" + (f"?{query}" if query else "")


async def load_inbox(session: PageSession, query: dict[str, str]) -> dict[str, Any]:
    if session.principal is None or not staff_units(session):
        return {"page": None, "state": None, "mine": False}
    state = query.get("state") if query.get("state") in INBOX_STATES else None
    mine = query.get("mine") == "1"
    return {"page": await _inbox_page(session, state, mine, query.get("cursor") or None), "state": state, "mine": mine}


@component
def InboxPage(session: PageSession, data: dict[str, Any]) -> Any:
    page, set_page = use_state(data["page"])
    if page is None:
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
    filters = [("", session.t("pwa.petitions.all"))]
    filters += [(state, session.t(f"pwa.petitions.state.{state}")) for state in INBOX_STATES]

    return html.section(
        html.h1(session.t("pwa.petitions.inbox")),
        html.nav(
            {"class_name": "chips"},
            *[
                html.a(
                    {
                        "key": value or "all",
                        "href": _inbox_href(value or None, False),
                        "class_name": "chip active" if (data["state"] or "") == value else "chip",
                        **({"aria_current": "page"} if (data["state"] or "") == value else {}),
                    },
                    label,
                )
                for value, label in filters
            ],
        ),
        html.p(html.a({"href": "/petitions/dashboard"}, session.t("pwa.petitions.dashboard"))),
        _summary_list(session, page.items),
        more_button(
            session.t("pwa.petitions.more"),
            page,
            lambda cursor: _inbox_href(data["state"], data["mine"], cursor),
            lambda cursor: _inbox_page(session, data["state"], data["mine"], cursor),
            set_page,
        ),
    )


async def load_detail(session: PageSession, query: dict[str, str]) -> dict[str, Any]:
    if session.principal is None:
        return {"petition": None, "categories": [], "duplicates": []}
    service = petition_service(session)
    try:
        petition = await service.get(session.principal, uuid.UUID(query.get("id", "")))
    except (AppError, ValueError):
        return {"petition": None, "categories": [], "duplicates": []}
    categories = (await service.categories(session.language)).items
    # Suggestions to merge with, asked only when merging is possible (they cost a text search).
    duplicates = (await service.duplicates(session.principal, petition.id)).items if "merge" in petition.actions else []
    return {
        "petition": petition,
        "categories": [(c.code, c.name) for c in categories],
        "duplicates": duplicates,
        "max_bytes": session.app.state.settings.petitions_attachment_max_bytes,
    }


# The detail page's actions, in the state machine's order; those with fields open a panel of their own.
PAGE_ACTIONS = ("classify", "assign", "forward", "answer", "publish", "close", "reject", "merge", "reopen")
# The label of each field a command may refuse, for the message that names it.
FIELD_LABELS = {
    "category_code": "pwa.petitions.category",
    "forwarded_to": "pwa.petitions.forwarded_to",
    "dispatch_number": "pwa.petitions.dispatch_number",
    "dispatch_date": "pwa.petitions.dispatch_date",
    "note": "pwa.petitions.note",
    "answer": "pwa.petitions.answer_text",
    "evidence": "pwa.petitions.evidence",
    "reason": "pwa.petitions.reason",
    "into": "pwa.petitions.duplicates",
}


def action_command(kind: type[Command], typed: dict[str, str], action: str, *names: str) -> Command:
    """The command of one action from what was typed in its panel (keys `action.field`), checked by its
    schema: a blank field is left out, so a required one is reported missing."""
    values = {name: typed.get(f"{action}.{name}", "").strip() for name in names}
    return msgspec.convert({name: value for name, value in values.items() if value}, kind)


def field_problem(session: PageSession, error: msgspec.ValidationError) -> str:
    """msgspec says "… - at `$.reason`" or "Object missing required field `reason`": name the field's label."""
    text = str(error)
    field = text.rpartition("$.")[2] if "$." in text else text.rpartition("field `")[2]
    field = field.strip("`").split(".")[0].split("[")[0]
    return session.t("pwa.petitions.check_field", field=session.t(FIELD_LABELS.get(field, "pwa.petitions.detail")))


async def perform(session: PageSession, petition: PetitionRead, action: str, typed: dict[str, str]) -> PetitionRead:
    """One action of the detail page through the service; AppError or msgspec.ValidationError when refused."""
    service, who = petition_service(session), session.principal
    assert who is not None and who.account_id is not None
    match action:
        case "classify":
            typed.setdefault("classify.category_code", DEFAULT_CATEGORY)
            return await service.classify(
                who, petition.id, action_command(ClassifyCommand, typed, action, "category_code")
            )
        case "assign":
            return await service.assign(who, petition.id, AssignCommand(assignee=who.account_id))
        case "forward":
            command = action_command(
                ForwardCommand, typed, action, "forwarded_to", "dispatch_number", "dispatch_date", "note"
            )
            return await service.forward(who, petition.id, command)
        case "answer":
            # The answer carries every piece of evidence uploaded so far (read afresh: uploads go to the API).
            current = await service.get(who, petition.id)
            evidence = [a.id for a in current.attachments if a.purpose == "evidence"]
            answer = action_command(AnswerCommand, typed, action, "answer")
            return await service.answer(who, petition.id, msgspec.structs.replace(answer, evidence=evidence))
        case "publish":
            return await service.publish(who, petition.id, NoteCommand())
        case "close":
            return await service.close(who, petition.id, NoteCommand())
        case "reject":
            return await service.reject(who, petition.id, action_command(RejectCommand, typed, action, "reason"))
        case "merge":
            return await service.merge(who, petition.id, action_command(MergeCommand, typed, action, "into", "note"))
        case "reopen":
            await service.reopen(who, action_command(ReopenCommand, typed, action, "reason"), petition_id=petition.id)
            return await service.get_own(who, petition.id)
    raise ValueError(action)


def _keeper(typed: Any, key: str) -> Any:
    """An on_change handler keeping the control's value in the ref `typed` under key."""

    def store(event: Any) -> None:
        typed.current[key] = event["target"]["value"]

    return store


def _text_input(
    session: PageSession, typed: Any, action: str, name: str, label: str, *, kind: str = "text", **attributes: Any
) -> list[Any]:
    """A labelled field of an action's panel; what is typed is kept in `typed` under `action.name`, and
    the control is not controlled, so a redraw (a refused action, a finished upload) never clears it."""
    control_id = f"{action}-{name}"
    control = {"id": control_id, "name": name, "on_change": _keeper(typed, f"{action}.{name}"), **attributes}
    return [
        html.label({"html_for": control_id, "key": f"l-{control_id}"}, session.t(label)),
        html.textarea({**control, "rows": 5, "key": control_id})
        if kind == "textarea"
        else html.input({**control, "type": kind, "key": control_id}),
    ]


def _panel(session: PageSession, action: str, run: Any, *fields: Any) -> Any:
    async def click(event: Any) -> None:
        await run(action)

    return html.details(
        {"class_name": "action", "key": action, "id": f"panel-{action}"},
        html.summary(session.t(f"petitions.action.{action}")),
        html.div(
            {"class_name": "stack"},
            *fields,
            html.button(
                {"class_name": "button", "type": "button", "on_click": click, "id": f"{action}-send"},
                session.t(f"petitions.action.{action}"),
            ),
        ),
    )


def _evidence_upload(session: PageSession, petition: PetitionRead, max_bytes: int, refresh: Any) -> Any:
    """Plain markup that pwa/static/app.js drives: it checks the chosen file on the phone, posts it as the raw
    body to the attachment API with the session's CSRF header, then presses the hidden refresh button."""
    size = f"{max_bytes / 1024 / 1024:g}"
    return html.div(
        {
            "class_name": "stack",
            "data_evidence": f"/api/v1/petitions/{petition.id}/attachments",
            "data_max_bytes": str(max_bytes),
            "data_types": ",".join([*IMAGE_TYPES.values(), PDF_TYPE]),
            "data_too_large": session.t("pwa.petitions.evidence_too_large", size=size, name="{name}"),
            "data_wrong_type": session.t("pwa.petitions.evidence_type", name="{name}"),
            "data_no_file": session.t("pwa.petitions.evidence_no_file"),
            "data_failed": session.t("pwa.petitions.evidence_failed"),
        },
        html.label({"html_for": "evidence-file"}, session.t("pwa.petitions.evidence_pick", size=size)),
        html.input({"id": "evidence-file", "type": "file", "accept": ",".join([*IMAGE_TYPES.values(), PDF_TYPE])}),
        html.p({"class_name": "muted", "data_evidence_chosen": ""}),
        html.p({"class_name": "field-error", "role": "alert", "data_evidence_error": "", "hidden": True}),
        html.button(
            {"class_name": "button secondary", "type": "button", "data_evidence_send": ""},
            session.t("pwa.petitions.evidence_upload"),
        ),
        html.button(
            {"type": "button", "hidden": True, "data_evidence_refresh": "", "on_click": refresh},
            session.t("pwa.petitions.evidence_refresh"),
        ),
    )


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
        try:
            set_shown(await perform(session, petition, action, typed.current))
            set_problem("")
        except AppError as error:
            set_problem(problem_text(session, error))
        except msgspec.ValidationError as error:
            set_problem(field_problem(session, error))

    async def refresh(event: Any) -> None:
        assert session.principal is not None
        set_shown(await petition_service(session).get(session.principal, petition.id))

    def button(action: str) -> Any:
        async def click(event: Any) -> None:
            await run(action)

        return html.button(
            {"class_name": "button secondary", "type": "button", "on_click": click, "key": action, "id": action},
            session.t("pwa.petitions.assign_me") if action == "assign" else session.t(f"petitions.action.{action}"),
        )

    def field(action: str, name: str, label: str, **attributes: Any) -> list[Any]:
        return _text_input(session, typed, action, name, label, **attributes)

    evidence = [a for a in petition.attachments if a.purpose == "evidence"]
    panels = {
        "classify": lambda: _panel(
            session,
            "classify",
            run,
            _category_select(session, data["categories"], on_change=_keeper(typed, "classify.category_code")),
        ),
        "forward": lambda: _panel(
            session,
            "forward",
            run,
            *field("forward", "forwarded_to", "pwa.petitions.forwarded_to", maxlength=200, required=True),
            *field("forward", "dispatch_number", "pwa.petitions.dispatch_number", maxlength=50, required=True),
            *field("forward", "dispatch_date", "pwa.petitions.dispatch_date", kind="date", required=True),
            *field("forward", "note", "pwa.petitions.note", maxlength=2000),
        ),
        "answer": lambda: _panel(
            session,
            "answer",
            run,
            *field("answer", "answer", "pwa.petitions.answer_text", kind="textarea", maxlength=4000, required=True),
            html.h3(session.t("pwa.petitions.evidence")),
            _evidence_list(session, evidence)
            or html.p({"class_name": "muted"}, session.t("pwa.petitions.evidence_none")),
            _evidence_upload(session, petition, data["max_bytes"], refresh),
        ),
        "reject": lambda: _panel(
            session, "reject", run, *field("reject", "reason", "pwa.petitions.reason", maxlength=2000, required=True)
        ),
        "merge": lambda: _panel(session, "merge", run, *_merge_fields(session, data["duplicates"], typed)),
        "reopen": lambda: _panel(
            session, "reopen", run, *field("reopen", "reason", "pwa.petitions.reopen_reason", maxlength=2000)
        ),
    }
    actions = [a for a in PAGE_ACTIONS if a in petition.actions]
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
        html.p(
            session.t(
                "pwa.petitions.forwarded",
                body=petition.forwarded_to,
                number=petition.dispatch_number or "",
                date=f"{petition.dispatch_date:%d/%m/%Y}" if petition.dispatch_date else "—",
            )
        )
        if petition.forwarded_to
        else "",
        html.p(html.a({"href": f"/petition?id={petition.merged_into}"}, session.t("pwa.petitions.merged_into")))
        if petition.merged_into
        else "",
        html.div(
            {"class_name": "answer"},
            html.h2(session.t("pwa.petitions.answer")),
            html.p(petition.answer),
            _evidence_list(session, evidence),
        )
        if petition.answer
        else "",
        html.div(
            {"class_name": "stack"},
            *[panels[action]() if action in panels else button(action) for action in actions],
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


def _merge_fields(session: PageSession, duplicates: list[DuplicateSuggestion], typed: Any) -> list[Any]:
    """The suggestions as radio buttons (title, state, why it looks the same); none means nothing to merge."""
    if not duplicates:
        return [html.p({"class_name": "muted", "key": "none"}, session.t("pwa.petitions.duplicates_none"))]

    def why(item: DuplicateSuggestion) -> str:
        reasons = ", ".join(session.t(f"pwa.petitions.duplicate.{reason}") for reason in item.reasons)
        return f"{status_text(item.state, session.language)} · {when(item.created_at)} · {reasons}"

    return [
        html.fieldset(
            {"key": "duplicates"},
            html.legend(session.t("pwa.petitions.duplicates")),
            *[
                html.label(
                    {"key": str(item.id), "class_name": "choice"},
                    html.input(
                        {
                            "type": "radio",
                            "name": "merge-into",
                            "value": str(item.id),
                            "on_change": _keeper(typed, "merge.into"),
                        }
                    ),
                    html.span(html.strong(item.title), html.span({"class_name": "muted"}, f" · {why(item)}")),
                )
                for item in duplicates
            ],
        ),
        *_text_input(session, typed, "merge", "note", "pwa.petitions.note", maxlength=2000),
    ]


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
                    {"key": row.key or "none"},
                    html.span(f"{row.name or session.t('pwa.petitions.category_unknown')} ({row.received})"),
                    share_bar(row.received, most, f"{row.name}: {row.received}"),
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
