"""Offline sync (`/api/v1/sync`), its conflicts, and drafts (the first entity it carries) as the API shows them.

A client sends a batch of operations made offline, each with its own client-generated id (`op_id`), and
gets one result per operation plus the changes made elsewhere since its pull cursor.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec

from schemas.common import Problem

Action = Literal["create", "update", "delete"]
OperationStatus = Literal["applied", "duplicate", "conflict", "rejected"]
ConflictStatus = Literal["open", "resolved"]
Side = Literal["server", "client"]

EntityName = Annotated[str, msgspec.Meta(min_length=1, max_length=40, pattern=r"^[a-z][a-z_]*$")]
DeviceId = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=r"^[\x21-\x7e]+$")]
# Pull cursors carry the ids of transactions in flight when they were made (at most 1,000 per snapshot).
PullCursorText = Annotated[str, msgspec.Meta(min_length=1, max_length=65536)]


class SyncOperation(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """One change made on a device, replayed as often as needed: the server applies it once."""

    # Client-generated; a replay with the same op_id answers "duplicate" with the first result.
    op_id: uuid.UUID
    # The kind of record: "draft" (later "household", "resident", "visit").
    entity: EntityName
    action: Action
    # Client-generated id of the record (the id it is created with).
    entity_id: uuid.UUID
    # The record's version the device last saw; required for update and delete.
    base_version: Annotated[int, msgspec.Meta(ge=1)] | None = None
    # create: every field of the record; update: only the fields changed on the device; delete: none.
    fields: Annotated[dict[str, Any], msgspec.Meta(max_length=100)] = msgspec.field(default_factory=dict)
    # When the change was made, by the device's clock (kept for people; never used to order changes).
    at: Annotated[datetime, msgspec.Meta(tz=True)]


class SyncRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    device_id: DeviceId
    operations: list[SyncOperation] = msgspec.field(default_factory=list)
    # Also return the changes since pull_cursor (all records in scope when it is absent).
    pull: bool = True
    pull_cursor: PullCursorText | None = None


class FieldConflict(msgspec.Struct, kw_only=True):
    server: Any
    client: Any


class SyncResult(msgspec.Struct, kw_only=True, omit_defaults=True):
    op_id: uuid.UUID
    status: OperationStatus
    entity: str
    entity_id: uuid.UUID
    # The record's version after the operation (what the device bases its next edit on).
    version: int | None = None
    # For "duplicate": what the first attempt answered.
    original_status: Literal["applied", "conflict"] | None = None
    # For "conflict": fields changed on both sides, kept unchanged on the server until a person resolves
    # them; the other fields of the operation were applied.
    conflict_id: uuid.UUID | None = None
    conflict: dict[str, FieldConflict] | None = None
    # For "rejected": why (status 503 means "try again later"; others will not succeed as sent).
    problem: Problem | None = None


class SyncChange(msgspec.Struct, kw_only=True):
    entity: str
    entity_id: uuid.UUID
    version: int
    # A tombstone: the record was deleted (fields is then empty).
    deleted: bool
    fields: dict[str, Any]
    updated_at: datetime


class SyncResponse(msgspec.Struct, kw_only=True):
    results: list[SyncResult]
    changes: list[SyncChange]
    # Send it back as pull_cursor next time; null when nothing was pulled.
    cursor: str | None
    # More changes are waiting: pull again with the new cursor right away.
    more: bool
    # The cursor was absent or no longer fits (roles or entities changed): this pull starts from scratch,
    # and records cached on the device that it does not return (up to the page with more=false) are gone.
    reset: bool


class ConflictRead(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    entity: str
    entity_id: uuid.UUID
    unit_path: str
    status: ConflictStatus
    op_id: uuid.UUID
    # Who sent the conflicting operation, from which device, based on which version.
    account_id: uuid.UUID
    device_id: str
    base_version: int
    # The record's version when the conflict was recorded; a resolution builds on it.
    server_version: int
    fields: dict[str, FieldConflict]
    client_at: datetime
    created_at: datetime
    resolved_by: uuid.UUID | None
    resolved_at: datetime | None
    resolution: dict[str, Side] | None


class ConflictPage(msgspec.Struct, kw_only=True):
    items: list[ConflictRead]
    next_cursor: str | None


class ConflictResolution(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    # For every field of the conflict: keep the server's value or take the device's.
    take: Annotated[dict[str, Side], msgspec.Meta(min_length=1, max_length=100)]


# Drafts: a cadre's field notes, written offline and carried by sync ------------------------------------

DraftKind = Literal["note", "visit", "petition", "report"]
DraftTitle = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
DraftBody = Annotated[str, msgspec.Meta(max_length=20000)]
UnitCodeText = Annotated[str, msgspec.Meta(min_length=1, max_length=32)]


class DraftFields(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The `fields` of a draft's create operation."""

    # The unit the note is about (a residential area or above), within the author's scope.
    unit_code: UnitCodeText
    kind: DraftKind
    title: DraftTitle
    body: DraftBody = ""


class DraftChanges(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The `fields` of a draft's update operation: only what changed."""

    kind: DraftKind | msgspec.UnsetType = msgspec.UNSET
    title: DraftTitle | msgspec.UnsetType = msgspec.UNSET
    body: DraftBody | msgspec.UnsetType = msgspec.UNSET
    # Present only to be refused clearly: a draft stays in the unit it was written for.
    unit_code: UnitCodeText | msgspec.UnsetType = msgspec.UNSET


class DraftRead(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    owner_id: uuid.UUID
    unit_code: str
    kind: DraftKind
    title: str
    body: str
    version: int
    deleted: bool
    created_at: datetime
    updated_at: datetime


class DraftPage(msgspec.Struct, kw_only=True):
    items: list[DraftRead]
    next_cursor: str | None
