"""Conflicts left by sync, for a person: list them within one's scope, and resolve one field by field.

A resolution builds on the record as it was when the conflict was recorded (`server_version`). Taking
the device's value for a field changed again since then is refused (409): the person decided on values
that are no longer the server's, so they reload and decide again. Keeping the server's values never
writes anything.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

import msgspec

from backend import db
from backend.features.audit.service import AuditEvent, record
from backend.features.sync import repo
from backend.features.sync.apply import write_change
from backend.features.sync.entities import default_registry
from backend.features.sync.handlers import Actor, EntityHandler, Registry
from backend.features.sync.merge import DELETED, changed_since, stale_fields
from backend.lib.access import Permission, Principal
from backend.lib.clock import Clock
from backend.lib.errors import ConflictError, InvalidInputError, NotFoundError
from backend.lib.pagination import decode_cursor, encode_cursor
from schemas.common import FieldError
from schemas.sync import ConflictPage, ConflictRead, ConflictResolution, ConflictStatus, FieldConflict, Side

ConflictKey = tuple[datetime, uuid.UUID]
# What a reader without read_sensitive sees in place of a sensitive value.
MASKED = "***"


def conflict_read(row: Any) -> ConflictRead:
    resolution = row["resolution"]
    return ConflictRead(
        id=row["id"],
        entity=row["entity"],
        entity_id=row["entity_id"],
        unit_path=row["unit_path"],
        status=row["status"],
        op_id=row["op_id"],
        account_id=row["account"],
        device_id=row["device_id"],
        base_version=row["base_version"],
        server_version=row["server_version"],
        fields=msgspec.json.decode(row["fields"], type=dict[str, FieldConflict]),
        client_at=row["client_at"],
        created_at=row["created_at"],
        resolved_by=row["resolved_by"],
        resolved_at=row["resolved_at"],
        resolution=msgspec.json.decode(resolution, type=dict[str, Side]) if resolution else None,
    )


class ConflictService:
    def __init__(self, clock: Clock, registry: Registry | None = None) -> None:
        self.clock = clock
        self.registry = registry or default_registry(clock)

    async def list_conflicts(
        self, principal: Principal, status: ConflictStatus, cursor: str | None, limit: int
    ) -> ConflictPage:
        after: ConflictKey | None = decode_cursor(cursor, ConflictKey) if cursor else None
        rows = await repo.list_conflicts(principal.scope_paths(Permission.read), status, after, limit + 1)
        next_cursor = None
        if len(rows) > limit:
            last = rows[limit - 1]
            next_cursor = encode_cursor((last["created_at"], last["id"]))
        return ConflictPage(items=[await self._shown(principal, row) for row in rows[:limit]], next_cursor=next_cursor)

    async def get_conflict(self, principal: Principal, conflict_id: uuid.UUID) -> ConflictRead:
        row = await repo.conflict(conflict_id)
        if row is None or not principal.may(Permission.read, row["unit_path"]):
            raise NotFoundError()
        return await self._shown(principal, row)

    async def _shown(self, principal: Principal, row: Any) -> ConflictRead:
        """The conflict as this reader may see it: sensitive values masked unless they may read them, in
        which case the reading is audited like any other read of sensitive personal data."""
        read = conflict_read(row)
        handler = self.registry.get(row["entity"])
        sensitive = sorted((handler.sensitive_fields if handler else frozenset()) & read.fields.keys())
        if not sensitive:
            return read
        if not principal.may(Permission.read_sensitive, row["unit_path"]):
            hidden = FieldConflict(server=MASKED, client=MASKED)
            return msgspec.structs.replace(
                read, fields={k: hidden if k in sensitive else v for k, v in read.fields.items()}
            )
        event = AuditEvent(
            action="conflict.sensitive_read",
            actor=principal.actor,
            subject_type=row["entity"],
            subject_id=str(row["entity_id"]),
            unit_path=row["unit_path"],
            details={"conflict": str(row["id"]), "fields": sensitive},
        )
        await record(event, self.clock.now())
        return read

    async def resolve(
        self, principal: Principal, conflict_id: uuid.UUID, resolution: ConflictResolution
    ) -> ConflictRead:
        if principal.account_id is None:
            raise NotFoundError()
        actor = Actor(principal, principal.account_id, "", self.clock.now())
        async with db.transaction():
            row = await self._open_conflict(principal, conflict_id)
            handler = self._handler_for(principal, row)
            if row["status"] != "open":
                raise ConflictError("problem.sync.conflict_closed")
            changes = self._chosen_values(json.loads(row["fields"]), resolution.take)
            version = await self._apply(actor, handler, row, changes) if changes else None
            encoded = msgspec.json.encode(resolution.take).decode()
            await repo.mark_resolved(conflict_id, actor.account_id, actor.now, encoded)
            await self._audit(actor, row, resolution.take, version)
        return await self.get_conflict(principal, conflict_id)

    async def _open_conflict(self, principal: Principal, conflict_id: uuid.UUID) -> Any:
        row = await repo.conflict(conflict_id, lock=True)
        # Conflicts outside one's scope might as well not exist.
        if row is None or not principal.may(Permission.read, row["unit_path"]):
            raise NotFoundError()
        return row

    def _handler_for(self, principal: Principal, row: Any) -> EntityHandler:
        # An entity no longer synced has no one to apply a resolution.
        handler = self.registry.get(row["entity"])
        if handler is None:
            raise NotFoundError()
        principal.require(handler.resolve_permission, row["unit_path"])
        return handler

    def _chosen_values(self, fields: dict[str, Any], take: dict[str, Side]) -> dict[str, Any]:
        if set(take) != set(fields):
            expected = ", ".join(sorted(fields))
            raise InvalidInputError(
                "problem.sync.resolution_fields",
                fields=expected,
                errors=[FieldError(field="take", message=f"expected exactly: {expected}", source="body")],
            )
        return {name: fields[name]["client"] for name, side in take.items() if side == "client"}

    async def _apply(self, actor: Actor, handler: EntityHandler, row: Any, changes: dict[str, Any]) -> int | None:
        current = await handler.lock(row["entity_id"])
        if current is None:
            raise NotFoundError()
        if changes.get(DELETED) is True:
            # A deletion would also discard whatever changed since: every field must be as decided on.
            stale = sorted(changed_since(current.field_versions, row["server_version"]))
        else:
            stale = stale_fields(current.field_versions, row["server_version"], changes)
        if stale:
            raise ConflictError("problem.sync.resolution_stale", fields=", ".join(stale))
        if current.state[DELETED] and changes.get(DELETED, True) and set(changes) - {DELETED}:
            raise ConflictError("problem.sync.resolution_deleted")
        effective = {name: value for name, value in changes.items() if current.state.get(name) != value}
        if not effective:
            return None
        return await write_change(actor, handler, current, effective, {"conflict_id": str(row["id"])})

    async def _audit(self, actor: Actor, row: Any, take: dict[str, Side], version: int | None) -> None:
        event = AuditEvent(
            action="sync.conflict_resolved",
            actor=actor.principal.actor,
            subject_type=row["entity"],
            subject_id=str(row["entity_id"]),
            unit_path=row["unit_path"],
            details={"conflict_id": str(row["id"]), "take": take, "version": version},
        )
        await record(event, actor.now)
