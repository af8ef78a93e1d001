"""What an entity must provide to travel through `/api/v1/sync`, and the registry of those entities.

The sync core does the generic work: idempotency by op_id, scope checks on unit paths, versions and
field-by-field merge, conflicts, the audit entry, the pull cursor. A handler only knows its own table:
how to check fields, where a new record belongs, how to read, write and list its rows. To add an entity
(households, residents, visits), give its table the columns described in `tables.py` (sync_xid with
its default), the `sync_stamp_xid` trigger BEFORE UPDATE (inserts take the default: no per-row call on
bulk loads) and a (sync_xid, id) index, write a handler (with `lock_many` too, see LocksMany, for fewer
round trips), and list it in `entities.py`.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol, TypeVar, runtime_checkable

import msgspec

from backend.features.sync.feed import PullWindow
from backend.lib.access import Permission, Principal
from backend.lib.errors import InvalidInputError
from schemas.common import FieldError
from schemas.sync import SyncChange

T = TypeVar("T")

ParseAction = Literal["create", "update"]


@dataclass(frozen=True)
class Actor:
    """Who is writing through sync, from which device, at which (server) time."""

    principal: Principal
    account_id: uuid.UUID
    device_id: str
    now: datetime


@dataclass(frozen=True)
class SyncRecord:
    """A record as the sync core sees it, locked for the rest of the operation."""

    entity_id: uuid.UUID
    version: int
    unit_path: str
    # The synced fields as the API shows them, plus "deleted".
    state: dict[str, Any]
    field_versions: dict[str, int]


@dataclass(frozen=True)
class PulledRow:
    xid: int
    change: SyncChange


class EntityHandler(Protocol):
    # The `entity` of operations and changes ("draft", "household", ...).
    name: str
    # What resolving a conflict on this entity requires, on the record's unit.
    resolve_permission: Permission
    # Fields holding sensitive personal data (Law 91/2025): conflicts show them only to readers with
    # read_sensitive on the record's unit, and audit that they did.
    sensitive_fields: frozenset[str]

    def parse(self, action: ParseAction, fields: dict[str, Any]) -> dict[str, Any]:
        """Checked, normalised fields (for update: only those sent, at least one). Raises InvalidInputError
        naming each bad field as `fields.<name>`. Fields that must not change after creation (the unit
        a record belongs to) are refused on update: the core does not move records between scopes."""
        ...

    async def unit_path(self, values: Mapping[str, Any]) -> str:
        """Unit path of a new record with these values; NotFoundError when its unit does not exist."""
        ...

    async def lock(self, entity_id: uuid.UUID) -> SyncRecord | None:
        """The record (deleted ones too), locked FOR UPDATE until the transaction ends."""
        ...

    async def insert(self, actor: Actor, entity_id: uuid.UUID, values: Mapping[str, Any], unit_path: str) -> None:
        """A new record at version 1."""
        ...

    async def save(
        self,
        actor: Actor,
        entity_id: uuid.UUID,
        changes: Mapping[str, Any],
        version: int,
        field_versions: Mapping[str, int],
    ) -> None:
        """Write changes (which may include "deleted") with the record's new version and field versions."""
        ...

    async def pull(self, read_paths: list[str], window: PullWindow, limit: int, reader: Principal) -> list[PulledRow]:
        """Up to limit rows in the window within read_paths, ordered by (sync_xid, id). reader is who pulls
        (fields only some readers may see are masked for the others, and unmasked reads audited)."""
        ...


@runtime_checkable
class LocksMany(Protocol):
    """What a handler may add so that a chunk of a sync batch locks the records it is about to touch with one
    query (handlers without it are locked one by one, as operations come)."""

    async def lock_many(self, entity_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, SyncRecord]:
        """Those of the records that exist, locked as lock() does, with one query in id order."""
        ...


class Registry:
    """Entity name -> handler. Pulls walk the entities in name order, so a cursor can say where it is."""

    def __init__(self, handlers: Iterable[EntityHandler]) -> None:
        self._handlers = {handler.name: handler for handler in handlers}

    def get(self, name: str) -> EntityHandler | None:
        return self._handlers.get(name)

    def __getitem__(self, name: str) -> EntityHandler:
        return self._handlers[name]

    @property
    def names(self) -> list[str]:
        return sorted(self._handlers)


# msgspec says where a value failed ("... - at `$.title`") or which field is unknown or missing.
_LOCATION = re.compile(r" - at `\$\.?([^`]*)`$")
_NAMED_FIELD = re.compile(r"(?:unknown|missing required) field `([^`]+)`")


def convert_fields(fields: dict[str, Any], struct: type[T]) -> T:
    """fields as the handler's Struct, or InvalidInputError naming the offending field as fields.<name>."""
    try:
        return msgspec.convert(fields, struct)
    except msgspec.ValidationError as error:
        raise invalid_field(_field_path(str(error)), _reason(str(error))) from error


def invalid_field(path: str, reason: str, detail_key: str = "problem.validation.detail") -> InvalidInputError:
    field = f"fields.{path}" if path else "fields"
    return InvalidInputError(detail_key, errors=[FieldError(field=field, message=reason, source="body")])


def _field_path(message: str) -> str:
    located = _LOCATION.search(message)
    named = _NAMED_FIELD.search(message)
    parts = [located.group(1) if located else "", named.group(1) if named else ""]
    return ".".join(part for part in parts if part)


def _reason(message: str) -> str:
    located = _LOCATION.search(message)
    return message[: located.start()] if located else message
