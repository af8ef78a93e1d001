"""Petitions through `/api/v1/sync`: a cadre at the door files on a citizen's behalf, offline.

Only `create` travels: the operation's fields are PetitionCreate's (without `id`, which is the operation's
`entity_id`), always on the `cadre` channel, so the citizen's consent must be recorded and the cadre must
be allowed to write where the petition belongs. The filing itself is `PetitionService.file`, the same use
case as the REST API (idempotent on the entity id). After that a petition changes only through its
workflow, online: updates and deletions are refused, and nothing is pulled back to devices (the filer
follows the case with its tracking code or in the app).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from backend.features.petitions import repo
from backend.features.petitions.service import PetitionService
from backend.features.sync.feed import PullWindow
from backend.features.sync.handlers import Actor, ParseAction, PulledRow, SyncRecord, invalid_field
from backend.features.sync.merge import DELETED
from backend.features.units import repo as units_repo
from backend.lib.access import Permission, Principal
from backend.lib.clock import Clock
from backend.lib.errors import ConflictError, NotFoundError
from backend.settings import Settings
from schemas.petitions import PetitionCreate

BOOLEAN_FIELDS = ("anonymous", "denunciation", "consent_given")
_STORED = (
    "title",
    "description",
    "category_code",
    "address",
    "latitude",
    "longitude",
    "contact_name",
    "contact_phone",
    "contact_email",
    "anonymous",
    "denunciation",
    "household_id",
    "visit_id",
)


def _form_booleans(fields: dict[str, Any]) -> dict[str, Any]:
    """Plain HTML forms send a checkbox as its value or not at all; "" means unticked."""
    values = dict(fields)
    for name in BOOLEAN_FIELDS:
        if values.get(name) == "":
            values[name] = False
        elif isinstance(values.get(name), str):
            values[name] = values[name].lower() in ("true", "on", "1")
    return values


def _record(row: Any) -> SyncRecord:
    """The petition as the filing that created it (what a resent create is compared with)."""
    state = {name: row[name] for name in _STORED} | {
        "unit_code": row["origin_unit_code"],
        "channel": row["channel"],
        "consent_given": row["consent_at"] is not None,
        DELETED: False,
    }
    return SyncRecord(row["id"], 1, row["origin_unit_path"], state, {})


class PetitionHandler:
    name = "petition"
    resolve_permission = Permission.write
    sensitive_fields: frozenset[str] = frozenset()

    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.service = PetitionService(settings, clock)

    def parse(self, action: ParseAction, fields: dict[str, Any]) -> dict[str, Any]:
        if action != "create":
            raise invalid_field(
                "", "a petition changes only through its workflow", "problem.petitions.sync_create_only"
            )
        if "id" in fields:
            raise invalid_field("id", "the record's id is the operation's entity_id")
        values = _form_booleans(fields) | {"channel": "cadre"}
        try:
            data = msgspec.convert(values, PetitionCreate)
        except msgspec.ValidationError as error:
            raise invalid_field("", str(error)) from error
        return {k: v for k, v in msgspec.structs.asdict(data).items() if k != "id"}

    async def unit_path(self, values: Mapping[str, Any]) -> str:
        unit = await units_repo.get_unit(values["unit_code"])
        if unit is None or unit["valid_to"] is not None:
            raise NotFoundError("problem.unit_not_found.detail", code=values["unit_code"])
        return str(unit["path"])

    async def lock(self, entity_id: uuid.UUID) -> SyncRecord | None:
        return (await self.lock_many([entity_id])).get(entity_id)

    async def lock_many(self, entity_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, SyncRecord]:
        return {row["id"]: _record(row) for row in await repo.lock_many(entity_ids)}

    async def insert(self, actor: Actor, entity_id: uuid.UUID, values: Mapping[str, Any], unit_path: str) -> None:
        data = msgspec.convert({**values, "id": str(entity_id)}, PetitionCreate)
        await self.service.file(actor.principal, data)

    async def save(
        self,
        actor: Actor,
        entity_id: uuid.UUID,
        changes: Mapping[str, Any],
        version: int,
        field_versions: Mapping[str, int],
    ) -> None:
        # Reached by a deletion only (updates are refused when parsed): petitions are never deleted.
        raise ConflictError("problem.petitions.sync_create_only")

    async def pull(self, read_paths: list[str], window: PullWindow, limit: int, reader: Principal) -> list[PulledRow]:
        return []
