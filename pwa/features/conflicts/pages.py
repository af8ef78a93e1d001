"""The conflicts inbox of commune officers: edits made offline that collided with another change, field by
field (sensitive values masked for readers without read_sensitive, as the API shows them), resolved by
choosing for each field the value on the server or the one from the phone (ConflictService)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from reactpy import component, html, use_ref, use_state

from backend.features.identity.service import AccountService
from backend.features.registry.service import RegistryService
from backend.features.sync.conflicts import MASKED, ConflictService
from backend.features.sync.entities import default_registry
from backend.features.sync.service import SyncService
from backend.lib.access import Permission
from backend.lib.clock import VIETNAM
from backend.lib.errors import AppError
from backend.lib.i18n import MESSAGES
from pwa.session import PageSession
from schemas.sync import ConflictRead, ConflictResolution, Side, SyncOperation, SyncRequest

LISTED = 50
SIDES: tuple[Side, ...] = ("server", "client")
# A field's decision: one of the two sides, or a value the officer types in (written as their own edit).
Choice = Literal["server", "client", "value"]
# Fields an officer may type a value for, and how the text becomes one: "text" keeps "", "nullable" makes
# it null, "int" a number. Lists, links and choices among codes are decided by picking a side.
ENTERABLE: dict[str, dict[str, str]] = {
    "household": {"house_number": "text", "street": "text", "notes": "text"},
    "resident": {
        "full_name": "text", "birth_year": "int", "phone": "nullable", "ethnicity": "nullable",
        "religion": "nullable", "id_number": "nullable", "health_note": "nullable",
    },
    "visit": {"purpose": "text", "needs": "text", "concerns": "text", "feedback": "text", "follow_up": "text"},
}  # fmt: skip
# The device the inbox's own edits are recorded from (sync keeps one per operation, for people).
INBOX_DEVICE = "conflicts-inbox"


def conflict_service(session: PageSession) -> ConflictService:
    state = session.app.state
    return ConflictService(state.clock, default_registry(state.clock, state.settings))


def _may_resolve(session: PageSession) -> bool:
    return session.principal is not None and bool(session.principal.scope_paths(Permission.approve))


def field_label(session: PageSession, name: str) -> str:
    key = f"pwa.conflicts.field.{name}"
    return session.t(key) if key in MESSAGES else name


def entity_label(session: PageSession, entity: str) -> str:
    key = f"pwa.conflicts.entity.{entity}"
    return session.t(key) if key in MESSAGES else entity


def shown_value(session: PageSession, value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return session.t("pwa.conflicts.yes" if value else "pwa.conflicts.no")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def moment(value: datetime) -> str:
    return value.astimezone(VIETNAM).strftime("%H:%M %d/%m/%Y")


async def load_inbox(session: PageSession, query: dict[str, str]) -> dict[str, Any]:
    if session.principal is None or not _may_resolve(session):
        return {"items": None, "signed_in": session.signed_in}
    page = await conflict_service(session).list_conflicts(session.principal, "open", None, LISTED)
    return {"items": page.items, "signed_in": True}


def _closed(session: PageSession, signed_in: bool, path: str) -> Any:
    if not signed_in:
        return html.a({"class_name": "button", "href": f"/auth/login?next={path}"}, session.t("pwa.sign_in"))
    return html.p(session.t("pwa.conflicts.not_allowed"))


@component
def ConflictsPage(session: PageSession, data: dict[str, Any]) -> Any:
    items: list[ConflictRead] | None = data["items"]
    if items is None:
        return html.section(
            html.h1(session.t("pwa.conflicts.title")), _closed(session, data["signed_in"], "/conflicts")
        )
    return html.section(
        html.h1(session.t("pwa.conflicts.title")),
        html.ul(
            {"class_name": "results"},
            *[
                html.li(
                    {"key": str(item.id)},
                    html.a(
                        {"href": f"/conflict?id={item.id}"},
                        html.strong(entity_label(session, item.entity)),
                        ": ",
                        ", ".join(field_label(session, name) for name in item.fields),
                    ),
                    html.div({"class_name": "muted"}, moment(item.created_at)),
                )
                for item in items
            ],
        )
        if items
        else html.p({"class_name": "muted"}, session.t("pwa.conflicts.none")),
    )


async def _context(session: PageSession, conflict: ConflictRead) -> str | None:
    """What the record is, for a person: the household's head and address (residents and visits name
    their household only through fields that may be sensitive or absent, so they go without)."""
    if conflict.entity != "household" or session.principal is None:
        return None
    state = session.app.state
    try:
        household = await RegistryService(state.settings, state.clock).get_household(
            session.principal, conflict.entity_id
        )
    except AppError:
        return None
    address = " ".join(part for part in (household.house_number, household.street) if part)
    return " · ".join(part for part in (household.head_name, address) if part)


async def load_conflict(session: PageSession, query: dict[str, str]) -> dict[str, Any]:
    if session.principal is None or not _may_resolve(session):
        return {"conflict": None, "signed_in": session.signed_in}
    try:
        conflict = await conflict_service(session).get_conflict(session.principal, uuid.UUID(query.get("id", "")))
    except (ValueError, AppError):
        return {"conflict": None, "signed_in": True, "missing": True}
    state = session.app.state
    try:
        sender = (await AccountService(state.settings, state.clock).account(conflict.account_id)).display_name
    except AppError:
        sender = None
    return {"conflict": conflict, "signed_in": True, "context": await _context(session, conflict), "sender": sender}


@component
def ConflictPage(session: PageSession, data: dict[str, Any]) -> Any:
    conflict: ConflictRead | None = data["conflict"]
    if conflict is None:
        message = html.p(session.t("pwa.conflicts.not_found")) if data.get("missing") else None
        return html.section(
            html.h1(session.t("pwa.conflicts.title")),
            message or _closed(session, data["signed_in"], "/conflicts"),
            html.a({"class_name": "button secondary", "href": "/conflicts"}, session.t("pwa.conflicts.back")),
        )
    return ConflictResolver(session, conflict, data.get("context"), data.get("sender"))


@component
def ConflictResolver(session: PageSession, conflict: ConflictRead, context: str | None, sender: str | None) -> Any:
    # The server's value by default: choosing nothing keeps the record as it is.
    kept: dict[str, Choice] = dict.fromkeys(conflict.fields, "server")
    choices, set_choices = use_state(kept)
    # What is typed is read when resolving, not rendered: a ref, so the click never sees an older copy.
    typed_in = use_ref(dict[str, str]())
    outcome, set_outcome = use_state(conflict if conflict.status == "resolved" else None)
    problem, set_problem = use_state("")

    async def resolve(event: Any) -> None:
        if session.principal is None:
            return
        chosen = {name: typed_in.current.get(name, "") for name, choice in choices.items() if choice == "value"}
        try:
            entered = entered_values(conflict.entity, chosen)
        except ValueError as error:
            set_problem(session.t("pwa.conflicts.bad_value", field=field_label(session, str(error))))
            return
        refused = await write_entered(session, conflict, entered) if entered else None
        if refused:
            set_problem(refused)
            return
        # A value typed in is now the server's: keep it.
        take: dict[str, Side] = {name: "client" if choice == "client" else "server" for name, choice in choices.items()}
        try:
            set_outcome(
                await conflict_service(session).resolve(session.principal, conflict.id, ConflictResolution(take=take))
            )
            set_problem("")
        except AppError as error:
            set_problem(session.t(error.detail_key or error.title_key, **error.params))

    def choose(name: str, choice: Choice) -> Any:
        return lambda event: set_choices({**choices, name: choice})

    def type_in(name: str) -> Any:
        def keep(event: Any) -> None:
            typed_in.current[name] = event["target"]["value"]

        return keep

    done: ConflictRead | None = outcome
    rows = []
    for name, values in conflict.fields.items():
        taken: str = done.resolution.get(name, "server") if done and done.resolution else choices[name]
        options: list[tuple[Choice, str]] = [(side, shown_value(session, getattr(values, side))) for side in SIDES]
        enterable = name in ENTERABLE.get(conflict.entity, {}) and MASKED not in (values.server, values.client)
        if enterable and done is None:
            options.append(("value", ""))
        rows.append(
            html.fieldset(
                {"class_name": "conflict-field", "key": name},
                html.legend(field_label(session, name)),
                *[
                    _option(session, name, choice, shown, taken == choice, done is not None, choose)
                    for choice, shown in options
                ],
                html.input(
                    {
                        "id": f"value-{name}",
                        "aria_label": session.t("pwa.conflicts.value"),
                        "on_change": type_in(name),
                    }
                )
                if taken == "value"
                else "",
            )
        )
    return html.section(
        html.h1(entity_label(session, conflict.entity)),
        html.p({"class_name": "muted"}, context) if context else "",
        html.p(
            {"class_name": "muted"},
            session.t("pwa.conflicts.sent_by", who=sender or str(conflict.account_id), at=moment(conflict.client_at)),
        ),
        *rows,
        html.p({"class_name": "field-error", "role": "alert"}, problem) if problem else "",
        html.p({"class_name": "resolved", "role": "status"}, session.t("pwa.conflicts.resolved"))
        if done
        else html.button(
            {"class_name": "button", "type": "button", "on_click": resolve}, session.t("pwa.conflicts.resolve")
        ),
        html.p(html.a({"class_name": "button secondary", "href": "/conflicts"}, session.t("pwa.conflicts.back"))),
    )


def _option(
    session: PageSession, name: str, choice: Choice, shown: str, chosen: bool, closed: bool, choose: Any
) -> Any:
    option_id = f"take-{name}-{choice}"
    return html.label(
        {"class_name": "choice" + (" chosen" if chosen else ""), "html_for": option_id, "key": choice},
        html.input(
            {
                "type": "radio",
                "id": option_id,
                "name": f"take-{name}",
                "value": choice,
                "on_change": choose(name, choice),
                # Only attributes that are on: the pre-render writes "False" as a value too.
                **({"checked": True} if chosen else {}),
                **({"disabled": True} if closed else {}),
            }
        ),
        html.span(
            {"class_name": "choice-text"},
            html.span({"class_name": "side"}, session.t(f"pwa.conflicts.{choice}")),
            html.span({"class_name": "value"}, shown) if shown else "",
        ),
    )


def entered_values(entity: str, typed_in: dict[str, str]) -> dict[str, Any]:
    """What a person typed, as the operation's field values (ValueError naming a field that is no number)."""
    kinds = ENTERABLE.get(entity, {})
    values: dict[str, Any] = {}
    for name, text in typed_in.items():
        text = text.strip()
        kind = kinds.get(name)
        if kind is None:
            raise ValueError(name)
        if kind == "int" and text:
            if not text.isdigit():
                raise ValueError(name)
            values[name] = int(text)
        else:
            values[name] = text if text or kind == "text" else None
    return values


async def write_entered(session: PageSession, conflict: ConflictRead, values: dict[str, Any]) -> str | None:
    """Write typed-in values as an edit based on the version the conflict was recorded at, through sync (the
    same checks as any edit; a field changed again since then becomes a new conflict, never an overwrite).
    None when written, else why not."""
    if session.principal is None:
        return session.t("pwa.conflicts.not_allowed")
    state = session.app.state
    operation = SyncOperation(
        op_id=uuid.uuid4(),
        entity=conflict.entity,
        action="update",
        entity_id=conflict.entity_id,
        base_version=conflict.server_version,
        fields=values,
        at=state.clock.now(),
    )
    request = SyncRequest(device_id=INBOX_DEVICE, operations=[operation], pull=False)
    try:
        [result] = (
            await SyncService(state.settings, state.clock).sync(session.principal, request, session.language)
        ).results
    except AppError as error:
        return session.t(error.detail_key or error.title_key, **error.params)
    if result.status == "applied":
        return None
    if result.status == "rejected" and result.problem is not None:
        return result.problem.detail or result.problem.title
    return session.t("pwa.conflicts.changed_again")
