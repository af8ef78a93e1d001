"""Open311 GeoReport v2 over the petitions: services are categories, service requests are petitions.

Mapping (docs/petitions.md has the table):
- `jurisdiction_id` is the unit code where the matter is (the platform serves every unit; required on POST).
- status: `closed` once the Front owes nothing more (published, closed, rejected, merged), else `open`;
  `status_notes` is the plain-language Vietnamese status (with the reason of a rejection).
- `service_request_id` is the petition's id; the POST answer also carries `token`, the petition's tracking
  code, which `tokens/{token}.json` maps back to the id (throttled like the tracking page).
- Personal data never leaves through Open311: description, address and position only of published,
  non-anonymous, non-denunciation petitions; `requests.json` lists published ones only (a request's own
  status is readable by its id, which only its filer was given).
- Writes need an `api_key` listed in MATTRAN_OPEN311_API_KEYS, or a bearer token (the filer's account).
"""

from __future__ import annotations

import hmac
import uuid
from datetime import datetime, timedelta
from typing import Any

import msgspec

from backend.features.petitions import repo
from backend.features.petitions.service import PetitionService, status_text
from backend.features.petitions.states import FINISHED_STATES, State
from backend.lib.access import Principal
from backend.lib.errors import AppError, InvalidInputError, NotFoundError
from backend.lib.i18n import translate
from schemas.common import FieldError
from schemas.open311 import (
    Discovery,
    Endpoint,
    RequestCreated,
    Service,
    ServiceDefinition,
    ServiceRequest,
    TokenMapping,
)
from schemas.petitions import PetitionCreate

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# The spec's default window for requests.json and its cap on a page of results.
DEFAULT_WINDOW = timedelta(days=90)
MAX_REQUESTS = 1000
TITLE_LENGTH = 120
# Schema changes of what these endpoints serve (the discovery document's changeset).
CHANGESET = datetime.fromisoformat("2026-11-29T00:00:00+00:00")


class ApiKeyRequired(AppError):
    status = 403
    slug = "forbidden"
    title_key = "problem.forbidden.title"


def is_closed(state: str) -> bool:
    return State(state) in FINISHED_STATES


def is_public(row: Any) -> bool:
    return (
        row["published_at"] is not None and row["state"] in (State.published, State.closed) and not row["denunciation"]
    )


def service_request(row: Any, base_url: str) -> ServiceRequest:
    public = is_public(row)
    located = public and not row["anonymous"]
    notes = status_text(row["state"])
    if row["reject_reason"]:
        notes = f"{notes}: {row['reject_reason']}"
    return ServiceRequest(
        service_request_id=str(row["id"]),
        status="closed" if is_closed(row["state"]) else "open",
        status_notes=notes,
        service_name=row["category_name"],
        service_code=row["category_code"],
        description=row["description"] if public else None,
        agency_responsible=row["forwarded_to"] or row["unit_name"],
        service_notice="",
        requested_datetime=row["created_at"],
        updated_datetime=row["updated_at"],
        expected_datetime=row["due_at"],
        address=(row["address"] or None) if located else None,
        address_id=None,
        zipcode=None,
        lat=row["latitude"] if located else None,
        long=row["longitude"] if located else None,
        media_url=f"{base_url}/api/v1/petitions/{row['id']}/attachments/{row['media_id']}"
        if public and row["media_id"]
        else None,
    )


def petition_from_form(form: dict[str, str]) -> PetitionCreate:
    """A POST requests.json form as a filing; InvalidInputError naming the Open311 field otherwise."""
    description = form.get("description", "").strip()
    first_line = description.splitlines()[0] if description else ""
    name = " ".join(part for part in (form.get("first_name", ""), form.get("last_name", "")) if part).strip()
    if not form.get("service_code"):
        raise _missing("service_code")
    if not form.get("jurisdiction_id"):
        raise _missing("jurisdiction_id")
    if not (form.get("lat") and form.get("long")) and not form.get("address_string"):
        raise _missing("lat")
    values: dict[str, Any] = {
        "title": first_line[:TITLE_LENGTH] or form["service_code"],
        "description": description,
        "unit_code": form["jurisdiction_id"],
        "category_code": form["service_code"],
        "address": form.get("address_string", ""),
        "contact_name": name,
        "contact_phone": form.get("phone", ""),
        "contact_email": form.get("email", ""),
    }
    try:
        if form.get("lat") and form.get("long"):
            values["latitude"], values["longitude"] = float(form["lat"]), float(form["long"])
        return msgspec.convert(values, PetitionCreate)
    except (ValueError, msgspec.ValidationError) as error:
        raise InvalidInputError(
            "problem.validation.detail", errors=[FieldError(field="request", message=str(error), source="body")]
        ) from error


def _missing(field: str) -> InvalidInputError:
    return InvalidInputError(
        "problem.validation.detail", errors=[FieldError(field=field, message="required", source="body")]
    )


class Open311Service:
    def __init__(self, petitions: PetitionService, base_url: str) -> None:
        self.petitions = petitions
        self.base_url = base_url.rstrip("/")

    def discovery(self) -> Discovery:
        return Discovery(
            changeset=CHANGESET,
            contact=self.base_url,
            key_service=f"{self.base_url}/ (MATTRAN_OPEN311_API_KEYS, or an OAuth2 bearer token)",
            endpoints=[
                Endpoint(
                    specification=SPECIFICATION,
                    url=f"{self.base_url}/open311/v2",
                    changeset=CHANGESET,
                    type="production",
                    formats=["application/json"],
                )
            ],
        )

    async def services(self) -> list[Service]:
        return [
            Service(
                service_code=row["code"],
                service_name=row["name_vi"],
                description=row["name_en"],
                metadata=False,
                type="realtime",
                keywords=row["code"].replace("_", ","),
                group=translate(f"petitions.level.{row['handling_level']}"),
            )
            for row in await repo.categories()
        ]

    async def service_definition(self, code: str) -> ServiceDefinition:
        if await repo.category(code) is None:
            raise NotFoundError("problem.petitions.category_unknown", code=code)
        # No extra attributes: every service takes the same fields.
        return ServiceDefinition(service_code=code, attributes=[])

    def check_writer(self, principal: Principal | None, api_key: str | None) -> None:
        if principal is not None:
            return
        keys = [key.strip() for key in self.petitions.settings.open311_api_keys.split(",") if key.strip()]
        if not api_key or not any(hmac.compare_digest(api_key, key) for key in keys):
            raise ApiKeyRequired("problem.petitions.open311_key")

    async def create(
        self, principal: Principal | None, form: dict[str, str], idempotency_key: str | None
    ) -> list[RequestCreated]:
        self.check_writer(principal, form.get("api_key"))
        data = petition_from_form(form)
        receipt, _ = await self.petitions.file(principal, data, idempotency_key, channel="open311")
        account = str(principal.account_id) if principal and principal.account_id else None
        return [
            RequestCreated(
                service_request_id=str(receipt.id),
                token=receipt.tracking_code,
                service_notice=receipt.status_text,
                account_id=account,
            )
        ]

    async def requests(
        self,
        ids: list[uuid.UUID] | None,
        service_code: str | None,
        start: datetime | None,
        end: datetime | None,
        status: str | None,
    ) -> list[ServiceRequest]:
        if ids is not None:
            rows = await repo.open311_requests(ids=ids)
        else:
            until = end or self.petitions.clock.now()
            rows = await repo.open311_requests(
                service_code=service_code, start=start or until - DEFAULT_WINDOW, end=until, limit=MAX_REQUESTS
            )
        found = [service_request(row, self.base_url) for row in rows]
        return [item for item in found if status is None or item.status in status.split(",")]

    async def request(self, request_id: uuid.UUID) -> list[ServiceRequest]:
        found = await self.requests([request_id], None, None, None, None)
        if not found:
            raise NotFoundError("problem.petitions.not_found")
        return found

    async def token(self, token: str, client_key: str) -> list[TokenMapping]:
        tracked = await self.petitions.track(token, client_key)
        row = await repo.by_tracking_code(tracked.tracking_code)
        if row is None:  # tracked a moment ago; petitions are never deleted
            raise NotFoundError("problem.petitions.not_found")
        return [TokenMapping(service_request_id=str(row["id"]), token=tracked.tracking_code)]
