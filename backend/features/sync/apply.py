"""Applying one operation of a sync batch: create, update or delete through the entity's handler, with
the version bump, field merge, conflict record and audit entry in one atomic step.

Runs inside the operation's own savepoint (service.py): raising any AppError rejects the operation and
undoes everything it did; the service then gives back its op_id claim, so it can be sent again.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import msgspec

from backend.features.audit.service import AuditEvent, record
from backend.features.sync import repo
from backend.features.sync.handlers import Actor, EntityHandler, LocksMany, Registry, SyncRecord
from backend.features.sync.merge import (
    DELETED,
    Merge,
    deleted_since,
    fingerprint,
    merge_delete,
    merge_update,
    stamp,
)
from backend.lib.access import Permission
from backend.lib.errors import AppError, ConflictError, InvalidInputError, NotFoundError
from schemas.common import FieldError
from schemas.sync import FieldConflict, SyncOperation, SyncResult


class GoneError(AppError):
    status = 410
    slug = "gone"
    title_key = "problem.gone.title"


class RetryLater(AppError):
    """Nothing wrong with the operation; the server could not take it now (a deadlock, a lock timeout)."""

    status = 503
    slug = "unavailable"
    title_key = "problem.unavailable.title"


def operation_fingerprint(op: SyncOperation) -> str:
    return fingerprint(op.entity, op.action, op.entity_id, op.base_version, op.fields)


def result(op: SyncOperation, status: Any, **extra: Any) -> SyncResult:
    return SyncResult(op_id=op.op_id, status=status, entity=op.entity, entity_id=op.entity_id, **extra)


def replayed(op: SyncOperation, stored: Any) -> SyncResult:
    """The answer to an operation already applied: "duplicate", with what the first attempt answered."""
    if stored is None or stored["outcome"] is None:
        raise RetryLater("problem.sync.retry")  # claimed by a transaction that is still deciding
    if stored["fingerprint"] != operation_fingerprint(op):
        raise ConflictError("problem.sync.op_reused", op_id=str(op.op_id))
    first = msgspec.json.decode(stored["outcome"], type=SyncResult)
    original = first.original_status if first.status == "duplicate" else first.status
    return msgspec.structs.replace(first, status="duplicate", original_status=original, problem=None)


async def write_change(
    actor: Actor, handler: EntityHandler, current: SyncRecord, changes: Mapping[str, Any], details: dict[str, Any]
) -> int:
    """Write changes as the record's next version, with its audit entry; returns that version."""
    version = current.version + 1
    await handler.save(actor, current.entity_id, changes, version, stamp(current.field_versions, changes, version))
    verb = "updated" if DELETED not in changes else "deleted" if changes[DELETED] else "restored"
    await _audit(actor, handler.name, verb, current.entity_id, current.unit_path, version, changes, details)
    return version


async def _audit(
    actor: Actor,
    entity: str,
    verb: str,
    entity_id: uuid.UUID,
    unit_path: str,
    version: int,
    fields: Mapping[str, Any],
    details: dict[str, Any],
) -> None:
    # Field names, not values: the values may be personal data and are in the record itself.
    event = AuditEvent(
        action=f"{entity}.{verb}",
        actor=actor.principal.actor,
        subject_type=entity,
        subject_id=str(entity_id),
        unit_path=unit_path,
        details={"version": version, "fields": sorted(fields), **details},
    )
    await record(event, actor.now)


class OperationApplier:
    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        # The records the chunk under way locked up front: (entity, id) -> record, or None when absent.
        self._prefetched: dict[tuple[str, uuid.UUID], SyncRecord | None] = {}

    async def prefetch(self, operations: list[SyncOperation]) -> None:
        """Lock the records these operations touch with one query per entity (entities in name order, ids
        in order: concurrent chunks lock in the same order), instead of one query per operation."""
        wanted: dict[str, set[uuid.UUID]] = {}
        for op in operations:
            if self.registry.get(op.entity) is not None:
                wanted.setdefault(op.entity, set()).add(op.entity_id)
        self._prefetched = {}
        for name in sorted(wanted):
            handler = self.registry[name]
            if not isinstance(handler, LocksMany):
                continue
            ids = sorted(wanted[name])
            found = await handler.lock_many(ids)
            self._prefetched.update({(name, entity_id): found.get(entity_id) for entity_id in ids})

    async def _lock(self, handler: EntityHandler, entity_id: uuid.UUID) -> SyncRecord | None:
        """The record as prefetched, the first time only: after an operation on it, it is read again."""
        key = (handler.name, entity_id)
        if key in self._prefetched:
            return self._prefetched.pop(key)
        return await handler.lock(entity_id)

    async def apply(self, actor: Actor, op: SyncOperation) -> SyncResult:
        """Apply an operation whose op_id this transaction has claimed (service.py stores the outcome)."""
        handler = self._handler(op)
        if op.action == "create":
            return await self._create(actor, handler, op)
        if op.action == "update":
            return await self._update(actor, handler, op)
        return await self._delete(actor, handler, op)

    def _handler(self, op: SyncOperation) -> EntityHandler:
        handler = self.registry.get(op.entity)
        if handler is None:
            raise InvalidInputError(
                "problem.sync.unknown_entity",
                entity=op.entity,
                errors=[FieldError(field="entity", message=f"one of {', '.join(self.registry.names)}", source="body")],
            )
        return handler

    async def _create(self, actor: Actor, handler: EntityHandler, op: SyncOperation) -> SyncResult:
        if op.base_version is not None:
            raise _field_error("base_version", "not taken by create", "problem.sync.base_version_unexpected")
        values = handler.parse("create", op.fields)
        unit_path = await handler.unit_path(values)
        actor.principal.require(Permission.write, unit_path)
        existing = await self._lock(handler, op.entity_id)
        if existing is not None:
            return self._created_before(actor, op, existing, values)
        await handler.insert(actor, op.entity_id, values, unit_path)
        await _audit(actor, handler.name, "created", op.entity_id, unit_path, 1, values, _origin(actor, op))
        return result(op, "applied", version=1)

    def _created_before(
        self, actor: Actor, op: SyncOperation, existing: SyncRecord, values: Mapping[str, Any]
    ) -> SyncResult:
        """A create for an id that exists (sent again under a new op_id): done already if it matches."""
        actor.principal.require(Permission.write, existing.unit_path)
        same = not existing.state[DELETED] and all(existing.state.get(k) == v for k, v in values.items())
        if not same:
            raise ConflictError("problem.sync.entity_exists", entity_id=str(op.entity_id))
        return result(op, "duplicate", version=existing.version, original_status="applied")

    async def _update(self, actor: Actor, handler: EntityHandler, op: SyncOperation) -> SyncResult:
        base = _base_version(op)
        changes = handler.parse("update", op.fields)
        current = await self._writable(actor, handler, op.entity_id, base)
        if current.state[DELETED] and not deleted_since(current.state, current.field_versions, base):
            raise GoneError("problem.sync.gone")
        merged = merge_update(current.state, current.field_versions, base, changes)
        return await self._settle(actor, handler, op, current, merged)

    async def _delete(self, actor: Actor, handler: EntityHandler, op: SyncOperation) -> SyncResult:
        base = _base_version(op)
        if op.fields:
            raise _field_error("fields", "not taken by delete", "problem.sync.fields_unexpected")
        current = await self._writable(actor, handler, op.entity_id, base)
        return await self._settle(
            actor, handler, op, current, merge_delete(current.state, current.field_versions, base)
        )

    async def _writable(self, actor: Actor, handler: EntityHandler, entity_id: uuid.UUID, base: int) -> SyncRecord:
        current = await self._lock(handler, entity_id)
        if current is None:
            raise NotFoundError("problem.not_found.detail")
        actor.principal.require(Permission.write, current.unit_path)
        if base > current.version:
            raise _field_error(
                "base_version",
                f"the server has version {current.version}",
                "problem.sync.base_version_ahead",
                base=base,
                version=current.version,
            )
        return current

    async def _settle(
        self, actor: Actor, handler: EntityHandler, op: SyncOperation, current: SyncRecord, merged: Merge
    ) -> SyncResult:
        """Write what merged cleanly; keep what collided for a person."""
        version = current.version
        if merged.apply:
            version = await write_change(actor, handler, current, merged.apply, _origin(actor, op))
        if not merged.conflicts:
            return result(op, "applied", version=version)
        conflict_id = await self._record_conflict(actor, handler, op, current, version, merged.conflicts)
        conflict = {
            name: FieldConflict(server=server, client=client) for name, (server, client) in merged.conflicts.items()
        }
        return result(op, "conflict", version=version, conflict_id=conflict_id, conflict=conflict)

    async def _record_conflict(
        self,
        actor: Actor,
        handler: EntityHandler,
        op: SyncOperation,
        current: SyncRecord,
        server_version: int,
        conflicts: dict[str, tuple[Any, Any]],
    ) -> uuid.UUID:
        conflict_id = uuid.uuid4()
        fields = {name: {"server": server, "client": client} for name, (server, client) in conflicts.items()}
        await repo.insert_conflict(
            conflict_id,
            handler.name,
            op.entity_id,
            current.unit_path,
            op.op_id,
            actor.account_id,
            actor.device_id,
            op.base_version or 1,
            server_version,
            msgspec.json.encode(fields).decode(),
            op.at,
            actor.now,
        )
        event = AuditEvent(
            action="sync.conflict_recorded",
            actor=actor.principal.actor,
            subject_type=handler.name,
            subject_id=str(op.entity_id),
            unit_path=current.unit_path,
            details={"conflict_id": str(conflict_id), "fields": sorted(conflicts), **_origin(actor, op)},
        )
        await record(event, actor.now)
        return conflict_id


def _origin(actor: Actor, op: SyncOperation) -> dict[str, Any]:
    return {"op_id": str(op.op_id), "device_id": actor.device_id, "client_at": op.at.isoformat()}


def _base_version(op: SyncOperation) -> int:
    if op.base_version is None:
        raise _field_error("base_version", "required for update and delete", "problem.sync.base_version_required")
    return op.base_version


def _field_error(field: str, reason: str, detail_key: str, **params: object) -> InvalidInputError:
    return InvalidInputError(detail_key, errors=[FieldError(field=field, message=reason, source="body")], **params)
