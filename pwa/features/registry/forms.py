"""Adding and editing households and residents at the door, with or without signal.

Each form is a plain `data-outbox` form: app.js queues it in IndexedDB as a sync operation (a new record
gets its id on the phone; an edit sends only the fields changed since `data-initial`, based on the version
shown) and replays it through /api/v1/sync, whose registry handlers apply the same rules as the API.
When online, app.js also asks the server for records that may already be the one being entered.
"""

from __future__ import annotations

import json
import uuid
from typing import Any, get_args

from reactpy import component, html

from backend.features.registry.service import current_unit
from backend.lib.access import Permission
from backend.lib.clock import today_in_vietnam
from backend.lib.errors import AppError
from backend.lib.i18n import MESSAGES
from pwa.features.registry.fields import (
    checkboxes,
    duplicates_box,
    field,
    queued_duplicates_box,
    select,
    text_area,
    text_input,
)
from pwa.features.registry.pages import RELATIONS, registry_service
from pwa.session import PageSession
from schemas.registry import Gender, HouseholdDetail, HouseholdStatus, ResidentRead

# schemas.registry's patterns for HTML (which anchors patterns itself).
PHONE_PATTERN = r"\+?[0-9][0-9 .\-]*[0-9]"
ID_NUMBER_PATTERN = "[0-9]{12}"
GENDERS: tuple[str, ...] = get_args(Gender)
# A household is marked merged through the API, which needs the other household; the form offers the rest.
FORM_STATUSES = tuple(status for status in get_args(HouseholdStatus) if status != "merged")
RESIDENT_PAGE = "/resident/new"


def _sign_in(session: PageSession, path: str) -> Any:
    return html.a({"class_name": "button", "href": f"/auth/login?next={path}"}, session.t("pwa.sign_in"))


def _missing(session: PageSession) -> Any:
    return html.section(
        html.p(session.t("pwa.registry.not_found")),
        html.a({"class_name": "button", "href": "/areas"}, session.t("pwa.areas.title")),
    )


def _uuid(text: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(text or "")
    except ValueError:
        return None


def _circumstance_label(session: PageSession, code: str) -> str:
    key = f"registry.circumstance.{code}"
    return session.t(key) if key in MESSAGES else code


def _outbox_form(session: PageSession, entity: str, title: str, save: str, *controls: Any, **attributes: Any) -> Any:
    """novalidate: app.js checks the constraints itself and shows our messages under the fields."""
    return html.form(
        {
            "class_name": "stack",
            "data_outbox": entity,
            "autocomplete": "off",
            "noValidate": True,
            # outbox.js marks an edit form showing queued values with it (on a stored copy of the page).
            "data_pending_label": session.t("pwa.registry.queued"),
            **attributes,
        },
        html.h1(title),
        *controls,
        html.button({"class_name": "button", "type": "submit"}, save),
        html.ul({"id": "outbox-list", "class_name": "pending"}),
    )


def _edit_attributes(record_id: uuid.UUID, version: int, initial: dict[str, Any], then: str) -> dict[str, Any]:
    return {
        "data_action": "update",
        "data_entity_id": str(record_id),
        "data_base_version": str(version),
        "data_initial": json.dumps(initial, ensure_ascii=False),
        "data_then": then,
    }


# households


async def load_household_new(session: PageSession, query: dict[str, str]) -> dict[str, Any]:
    if session.principal is None:
        return {"area": None, "signed_in": False}
    try:
        area = await current_unit(query.get("unit", ""))
    except AppError:
        return {"area": None, "signed_in": True}
    writable = area["level"] == "residential_area" and session.principal.may(Permission.write, area["path"])
    return {"area": {"code": area["code"], "name": area["name"]} if writable else None, "signed_in": True}


def _household_controls(session: PageSession, values: dict[str, Any]) -> list[Any]:
    codes = sorted(registry_service(session).circumstances)
    too_long = session.t("pwa.form.too_long")
    return [
        field(
            "house_number",
            session.t("pwa.registry.house_number"),
            text_input("house_number", values.get("house_number", ""), maxlength=50, error=too_long),
        ),
        field(
            "street",
            session.t("pwa.registry.street"),
            text_input("street", values.get("street", ""), maxlength=200, error=too_long),
        ),
        checkboxes(
            "circumstances",
            session.t("pwa.registry.circumstances"),
            values.get("circumstances", []),
            [(code, _circumstance_label(session, code)) for code in codes],
        ),
        field(
            "notes",
            session.t("pwa.registry.notes"),
            text_area("notes", values.get("notes", ""), maxlength=4000, error=too_long),
        ),
    ]


@component
def HouseholdNewPage(session: PageSession, data: dict[str, Any]) -> Any:
    if not data["signed_in"]:
        return _sign_in(session, "/areas")
    area = data["area"]
    if area is None:
        return _missing(session)
    return html.section(
        _outbox_form(
            session,
            "household",
            session.t("pwa.registry.new_household"),
            session.t("pwa.registry.save_household"),
            html.p({"class_name": "muted"}, area["name"]),
            html.input({"type": "hidden", "name": "unit_code", "value": area["code"]}),
            *_household_controls(session, {}),
            duplicates_box(session, ("address",)),
            data_duplicates="/api/v1/households/duplicates",
            # Next: the head of the new household; that page is kept for offline use (any household).
            data_then=f"{RESIDENT_PAGE}?household={{id}}&relation=head",
            data_keep_offline=RESIDENT_PAGE,
        )
    )


async def _household(session: PageSession, household_id: uuid.UUID | None) -> HouseholdDetail | None:
    if session.principal is None or household_id is None:
        return None
    try:
        return await registry_service(session).get_household(session.principal, household_id)
    except AppError:
        return None


async def load_household_edit(session: PageSession, query: dict[str, str]) -> dict[str, Any]:
    household = await _household(session, _uuid(query.get("id")))
    return {"household": household, "signed_in": session.signed_in}


@component
def HouseholdEditPage(session: PageSession, data: dict[str, Any]) -> Any:
    if not data["signed_in"]:
        return _sign_in(session, "/areas")
    household: HouseholdDetail | None = data["household"]
    if household is None:
        return _missing(session)
    initial: dict[str, Any] = {
        "house_number": household.house_number,
        "street": household.street,
        "circumstances": household.circumstances,
        "notes": household.notes,
    }
    status = ""
    if household.status in FORM_STATUSES:  # a merged household stays merged (the API undoes a merger)
        initial["status"] = household.status
        statuses = [(code, session.t(f"pwa.registry.status.{code}")) for code in FORM_STATUSES]
        status = field("status", session.t("pwa.registry.status"), select("status", household.status, statuses))
    return html.section(
        _outbox_form(
            session,
            "household",
            session.t("pwa.registry.edit_household"),
            session.t("pwa.registry.save_changes"),
            html.p({"class_name": "muted"}, household.head_name or household.unit_code),
            *_household_controls(session, initial),
            status,
            **_edit_attributes(household.id, household.version, initial, f"/household?id={household.id}"),
        )
    )


# residents


def _resident_controls(session: PageSession, values: dict[str, Any], sensitive: dict[str, str] | None) -> list[Any]:
    """sensitive: None when the reader may not see (so not write) ID number, ethnicity and religion; else
    what to say about each stored value (they are never put in the form: the page is kept offline)."""
    this_year = today_in_vietnam(registry_service(session).clock).year
    genders = [("", session.t("pwa.registry.unknown"))] + [(g, session.t(f"registry.gender.{g}")) for g in GENDERS]
    relations = [(r, session.t(f"registry.relation.{r}")) for r in RELATIONS]
    controls = [
        field(
            "full_name",
            session.t("pwa.registry.full_name"),
            text_input(
                "full_name", values.get("full_name", ""), required=True, maxlength=200, error=session.t("pwa.form.name")
            ),
        ),
        field(
            "gender",
            session.t("pwa.registry.gender"),
            select("gender", values.get("gender", ""), genders, empty_null=True),
        ),
        field(
            "birth_year",
            session.t("pwa.registry.birth_year"),
            text_input(
                "birth_year",
                values.get("birth_year", ""),
                type="number",
                inputmode="numeric",
                min=1880,
                max=this_year,
                data_type="int",
                data_empty="null",
                error=session.t("pwa.form.birth_year", year=this_year),
            ),
        ),
        field(
            "relation_to_head",
            session.t("pwa.registry.relation"),
            select("relation_to_head", values.get("relation_to_head", "other"), relations, data_from_query="relation"),
        ),
        field(
            "phone",
            session.t("pwa.registry.phone"),
            text_input(
                "phone",
                values.get("phone", ""),
                type="tel",
                inputmode="tel",
                pattern=PHONE_PATTERN,
                maxlength=20,
                data_empty="null",
                error=session.t("pwa.form.phone"),
            ),
        ),
    ]
    if sensitive is not None:
        controls += [
            field(
                "id_number",
                session.t("pwa.registry.id_number"),
                text_input(
                    "id_number",
                    inputmode="numeric",
                    pattern=ID_NUMBER_PATTERN,
                    maxlength=12,
                    data_empty="null",
                    data_sensitive="",
                    error=session.t("pwa.form.id_number"),
                ),
                sensitive.get("id_number"),
            ),
            *[
                field(
                    name,
                    session.t(f"pwa.registry.{name}"),
                    text_input(
                        name, maxlength=50, data_empty="null", data_sensitive="", error=session.t("pwa.form.too_long")
                    ),
                    sensitive.get(name),
                )
                for name in ("ethnicity", "religion")
            ],
        ]
    return controls


async def load_resident_new(session: PageSession, query: dict[str, str]) -> dict[str, Any]:
    """The form for any household: the one in the address, which an offline copy reads again (app.js)."""
    household_id = _uuid(query.get("household"))
    principal = session.principal
    sensitive = principal is not None and any(principal.scope_paths(Permission.read_sensitive))
    relation = query.get("relation", "other")
    return {
        "signed_in": session.signed_in,
        "household_id": str(household_id) if household_id else "",
        "relation": relation if relation in RELATIONS else "other",
        "sensitive": sensitive,
    }


@component
def ResidentNewPage(session: PageSession, data: dict[str, Any]) -> Any:
    if not data["signed_in"]:
        return _sign_in(session, "/areas")
    values = {"relation_to_head": data["relation"]}
    return html.section(
        _outbox_form(
            session,
            "resident",
            session.t("pwa.registry.new_resident"),
            session.t("pwa.registry.save_resident"),
            html.input(
                {
                    "type": "hidden",
                    "name": "household_id",
                    "value": data["household_id"],
                    "data_from_query": "household",
                }
            ),
            *_resident_controls(session, values, {} if data["sensitive"] else None),
            duplicates_box(session, ("name_birth_year_area", "id_number", "phone")),
            queued_duplicates_box(session),
            data_duplicates="/api/v1/residents/duplicates",
        )
    )


async def load_resident_edit(session: PageSession, query: dict[str, str]) -> dict[str, Any]:
    """The resident as the household's member list shows them (masked: nothing sensitive is read)."""
    household = await _household(session, _uuid(query.get("household")))
    resident_id = _uuid(query.get("id"))
    members = household.members if household else []
    resident = next((member for member in members if member.id == resident_id), None)
    principal = session.principal
    sensitive = bool(resident and principal and principal.may(Permission.read_sensitive, resident.unit_path))
    return {"signed_in": session.signed_in, "resident": resident, "sensitive": sensitive}


def _stored_note(session: PageSession, resident: ResidentRead) -> dict[str, str]:
    """What the form says about the sensitive values on file (masked, so never the values themselves)."""
    notes: dict[str, str] = {name: session.t("pwa.registry.sensitive_on_file") for name in resident.masked_fields}
    if resident.id_number:
        notes["id_number"] = session.t("pwa.registry.id_number_on_file", masked=resident.id_number)
    return notes


@component
def ResidentEditPage(session: PageSession, data: dict[str, Any]) -> Any:
    if not data["signed_in"]:
        return _sign_in(session, "/areas")
    resident: ResidentRead | None = data["resident"]
    if resident is None:
        return _missing(session)
    initial = {
        "full_name": resident.full_name,
        "gender": resident.gender or "",
        "birth_year": str(resident.birth_year or ""),
        "relation_to_head": resident.relation_to_head,
        "phone": resident.phone or "",
        # Sensitive fields start empty: typing one replaces what is on file.
        **({name: "" for name in ("id_number", "ethnicity", "religion")} if data["sensitive"] else {}),
    }
    return html.section(
        _outbox_form(
            session,
            "resident",
            session.t("pwa.registry.edit_resident"),
            session.t("pwa.registry.save_changes"),
            *_resident_controls(session, initial, _stored_note(session, resident) if data["sensitive"] else None),
            **_edit_attributes(resident.id, resident.version, initial, f"/household?id={resident.household_id}"),
        )
    )
