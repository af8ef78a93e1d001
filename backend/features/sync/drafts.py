"""Drafts: a cadre's field notes, the first entity carried by sync. Written only through `/api/v1/sync`
(the field app works offline first); read through sync pulls and `GET /api/v1/drafts`."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import msgspec

from backend.features.sync import drafts_repo
from backend.features.sync.feed import PullWindow
from backend.features.sync.handlers import (
    Actor,
    ParseAction,
    PulledRow,
    SyncRecord,
    convert_fields,
    invalid_field,
)
from backend.features.sync.merge import DELETED
from backend.features.units import repo as units_repo
from backend.lib.access import Permission, Principal
from backend.lib.clock import Clock, today_in_vietnam
from backend.lib.errors import NotFoundError
from backend.lib.pagination import decode_cursor, encode_cursor
from schemas.sync import DraftChanges, DraftFields, DraftPage, DraftRead, SyncChange

ENTITY = "draft"
DraftKey = tuple[datetime, uuid.UUID]


def synced_fields(row: Any) -> dict[str, Any]:
    """A draft's fields as sync shows them (owner_id is read-only: set by the server at creation)."""
    return {
        "unit_code": row["unit_code"],
        "kind": row["kind"],
        "title": row["title"],
        "body": row["body"],
        "owner_id": row["owner"],
    }


def draft_read(row: Any) -> DraftRead:
    return DraftRead(
        id=row["id"],
        owner_id=row["owner"],
        unit_code=row["unit_code"],
        kind=row["kind"],
        title=row["title"],
        body=row["body"],
        version=row["version"],
        deleted=row["deleted"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _refuse_nul(values: Mapping[str, Any]) -> None:
    # PostgreSQL text cannot hold NUL; say which field instead of failing in the database.
    for name, value in values.items():
        if isinstance(value, str) and "\x00" in value:
            raise invalid_field(name, "contains a NUL character")


class DraftHandler:
    name = ENTITY
    # A draft belongs to its unit's staff: whoever may write there may settle a conflict on it.
    resolve_permission = Permission.write
    sensitive_fields: frozenset[str] = frozenset()

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        # Unit code -> path, for this handler's life (one request): a batch names the same few units.
        self._paths: dict[str, str] = {}

    def parse(self, action: ParseAction, fields: dict[str, Any]) -> dict[str, Any]:
        if action == "create":
            values = msgspec.structs.asdict(convert_fields(fields, DraftFields))
        else:
            changes = msgspec.structs.asdict(convert_fields(fields, DraftChanges))
            values = {name: value for name, value in changes.items() if value is not msgspec.UNSET}
            if "unit_code" in values:
                raise invalid_field("unit_code", "fixed at creation", "problem.draft.unit_fixed")
            if not values:
                raise invalid_field("", "no field to change", "problem.sync.nothing_to_change")
        _refuse_nul(values)
        return values

    async def unit_path(self, values: Mapping[str, Any]) -> str:
        code = values["unit_code"]
        if code not in self._paths:
            unit = await units_repo.get_unit(code)
            if unit is None or (unit["valid_to"] is not None and unit["valid_to"] <= today_in_vietnam(self.clock)):
                raise NotFoundError("problem.unit_not_found.detail", code=code)
            self._paths[code] = str(unit["path"])
        return self._paths[code]

    async def lock(self, entity_id: uuid.UUID) -> SyncRecord | None:
        row = await drafts_repo.get(entity_id, lock=True)
        return None if row is None else self._record(row)

    async def lock_many(self, entity_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, SyncRecord]:
        return {row["id"]: self._record(row) for row in await drafts_repo.locked(entity_ids)}

    @staticmethod
    def _record(row: Any) -> SyncRecord:
        return SyncRecord(
            entity_id=row["id"],
            version=row["version"],
            unit_path=row["unit_path"],
            state={**synced_fields(row), DELETED: row["deleted"]},
            field_versions=json.loads(row["field_versions"]),
        )

    async def insert(self, actor: Actor, entity_id: uuid.UUID, values: Mapping[str, Any], unit_path: str) -> None:
        await drafts_repo.insert(entity_id, actor.account_id, values, unit_path, actor.now)

    async def save(
        self,
        actor: Actor,
        entity_id: uuid.UUID,
        changes: Mapping[str, Any],
        version: int,
        field_versions: Mapping[str, int],
    ) -> None:
        await drafts_repo.save(entity_id, changes, version, json.dumps(dict(field_versions)), actor.now)

    async def pull(self, read_paths: list[str], window: PullWindow, limit: int, reader: Principal) -> list[PulledRow]:
        rows = await drafts_repo.pull(read_paths, window, limit)
        return [PulledRow(xid=int(row["sync_xid"]), change=self._change(row)) for row in rows]

    def _change(self, row: Any) -> SyncChange:
        return SyncChange(
            entity=ENTITY,
            entity_id=row["id"],
            version=row["version"],
            deleted=row["deleted"],
            fields={} if row["deleted"] else synced_fields(row),
            updated_at=row["updated_at"],
        )


class DraftService:
    """Reading drafts over plain REST, within the caller's read scope."""

    async def list_drafts(self, principal: Principal, cursor: str | None, limit: int) -> DraftPage:
        after: DraftKey | None = decode_cursor(cursor, DraftKey) if cursor else None
        rows = await drafts_repo.page(principal.scope_paths(Permission.read), after, limit + 1)
        next_cursor = None
        if len(rows) > limit:
            last = rows[limit - 1]
            next_cursor = encode_cursor((last["updated_at"], last["id"]))
        return DraftPage(items=[draft_read(row) for row in rows[:limit]], next_cursor=next_cursor)

    async def get_draft(self, principal: Principal, draft_id: uuid.UUID) -> DraftRead:
        row = await drafts_repo.get(draft_id)
        # Outside the caller's scope a draft might as well not exist.
        if row is None or row["deleted"] or not principal.may(Permission.read, row["unit_path"]):
            raise NotFoundError()
        return draft_read(row)
