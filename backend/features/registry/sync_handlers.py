"""Households, residents and visits through `/api/v1/sync`: the field app's outbox writes them offline.

The sync core (backend/features/sync) does idempotency, scope checks, versions, the field-by-field merge,
conflicts and the create/update/delete audit entries; these handlers only know the registry's tables. They
check fields with the registry's own schemas (`schemas/registry.py`) and the same service steps as the
REST API (`RegistryService`: normal forms, cross-field rules, head and merge links, sensitive fields), so
an offline write obeys exactly the rules of an online one.

Operation fields, per entity (the record's id is the operation's `entity_id`, its version `base_version`):
- household: create takes HouseholdCreate's fields (`unit_code` required); update any of HouseholdUpdate's
  but `unit_code` (a record never moves between scopes through sync).
- resident: create takes ResidentCreate's fields (`household_id`, `full_name` required); update any of
  ResidentUpdate's but `household_id`.
- visit: create takes VisitCreate's fields (`household_id`, `visited_on`, `purpose` required); update any
  of them but `household_id`. The cadre is the caller.
A resident or visit lives in its household's area (`unit_path`). Sensitive resident fields are written
only by readers allowed to see them, pulled masked for the others, and audited like the REST API does.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import msgspec

from backend import db
from backend.db import connection
from backend.features.registry import repo, rules, views
from backend.features.registry.service import RegistryService, current_unit, require_area
from backend.features.sync.feed import PullWindow, window_sql
from backend.features.sync.handlers import (
    Actor,
    EntityHandler,
    ParseAction,
    PulledRow,
    SyncRecord,
    convert_fields,
    invalid_field,
)
from backend.features.sync.merge import DELETED
from backend.lib.access import Permission, Principal, scope_sql
from backend.lib.clock import Clock, today_in_vietnam
from backend.lib.errors import ConflictError, InvalidInputError, NotFoundError
from backend.settings import Settings
from schemas.common import FieldError
from schemas.registry import (
    HouseholdCreate,
    HouseholdUpdate,
    ResidentCreate,
    ResidentUpdate,
    VisitCreate,
    VisitUpdate,
)
from schemas.sync import SyncChange

S = TypeVar("S", bound=msgspec.Struct)

# Stand-ins for what the registry's schemas require but an operation carries outside `fields`.
_NO_ID = str(uuid.UUID(int=0))
_BY_OPERATION = {"id": "the record's id is the operation's entity_id", "version": "sent as base_version"}

HOUSEHOLD_FIELDS = (
    "unit_code",
    "house_number",
    "street",
    "latitude",
    "longitude",
    "head_resident_id",
    "circumstances",
    "notes",
    "status",
    "merged_into",
)
RESIDENT_FIELDS = (
    "household_id",
    "full_name",
    "gender",
    "birth_date",
    "birth_year",
    "relation_to_head",
    "phone",
    "ethnicity",
    "religion",
    "id_number",
    "health_note",
    "memberships",
    "moved_in_on",
    "moved_out_on",
)
VISIT_FIELDS = ("household_id", "visited_on", "purpose", "needs", "concerns", "feedback", "follow_up")

# Columns a sync write may set, per table (names never come from input: this list is the allowlist).
_BOOKKEEPING = ("version", "field_versions", "updated_by", "updated_at", "deleted_at")
_WRITABLE = {
    "households": frozenset({*HOUSEHOLD_FIELDS, "address_folded", *_BOOKKEEPING}) - {"unit_code"},
    "residents": frozenset({*RESIDENT_FIELDS, "name_folded", "phone_digits", "id_number_hash", *_BOOKKEEPING})
    - {"household_id"},
    "visits": frozenset({*VISIT_FIELDS, *_BOOKKEEPING}) - {"household_id"},
}

_HOUSEHOLD_ROW = (
    "h.id, h.unit_code, h.unit_path, h.house_number, h.street, h.latitude, h.longitude, h.head_resident_id,"
    " h.address_folded, h.circumstances, h.notes, h.status, h.merged_into, h.version,"
    " h.field_versions::text AS field_versions, h.created_at, h.updated_at"
)
_HEAD_NAME = (
    "(SELECT head.full_name FROM residents head WHERE head.id = h.head_resident_id AND head.deleted_at IS NULL)"
    " AS head_name"
)
_RESIDENT_ROW = repo.RESIDENT_COLUMNS
_VISIT_ROW = (
    "v.id, v.household_id, v.unit_path, v.visited_on, v.cadre, v.purpose, v.needs, v.concerns, v.feedback,"
    " v.follow_up, v.version, v.field_versions::text AS field_versions, v.created_at, v.updated_at"
)


@contextmanager
def _as_fields() -> Iterator[None]:
    """The registry's checks name a field ("birth_year"); in an operation it is "fields.birth_year"."""
    try:
        yield
    except InvalidInputError as error:
        error.errors = [
            FieldError(field=f"fields.{item.field}", message=item.message, source=item.source) for item in error.errors
        ]
        raise


def _convert(action: ParseAction, fields: dict[str, Any], struct: type[S], stand_ins: Mapping[str, Any]) -> S:
    """fields as the registry's schema: stand-ins fill what the operation carries elsewhere (refused as
    fields) and, for an update, the fields a create requires that the device did not change."""
    for name, reason in _BY_OPERATION.items():
        if name in fields:
            raise invalid_field(name, reason)
    return convert_fields({**stand_ins, **fields}, struct)


def _sent(data: msgspec.Struct, names: Iterable[str]) -> dict[str, Any]:
    values = msgspec.structs.asdict(data)
    return {name: values[name] for name in names if values[name] is not msgspec.UNSET}


def _updated(fields: dict[str, Any], fixed: str) -> dict[str, Any]:
    if fixed in fields:
        raise invalid_field(fixed, "fixed at creation")
    if not fields:
        raise invalid_field("", "no field to change", "problem.sync.nothing_to_change")
    return fields


def _refuse_nul(values: Mapping[str, Any]) -> None:
    # PostgreSQL text cannot hold NUL; say which field instead of failing in the database.
    for name, value in values.items():
        if isinstance(value, str) and "\x00" in value:
            raise invalid_field(name, "contains a NUL character")


def _record(row: Any, names: tuple[str, ...], **extra: Any) -> SyncRecord:
    return SyncRecord(
        entity_id=row["id"],
        version=row["version"],
        unit_path=row["unit_path"],
        state={**{name: row[name] for name in names}, **extra, DELETED: row["deleted"]},
        field_versions=views.field_versions_of(row),
    )


async def _write(table: str, record_id: uuid.UUID, values: Mapping[str, Any]) -> None:
    unknown = set(values) - _WRITABLE[table]
    if unknown:
        raise ValueError(f"{table} has no columns sync may write: {sorted(unknown)}")
    args: list[Any] = [record_id]
    assignments = []
    for name, value in values.items():
        is_json = name in repo.JSON_COLUMNS
        args.append(json.dumps(value, default=str) if is_json else value)
        assignments.append(f"{name} = ${len(args)}{'::jsonb' if is_json else ''}")
    async with connection() as conn:
        await conn.execute(f"UPDATE {table} SET {', '.join(assignments)} WHERE id = $1", *args)


def _bookkeeping(actor: Actor, version: int, field_versions: Mapping[str, int], deleted: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "version": version,
        "field_versions": dict(field_versions),
        "updated_by": actor.principal.actor,
        "updated_at": actor.now,
    }
    if deleted is not None:
        values["deleted_at"] = actor.now if deleted else None
    return values


async def _pull_rows(
    table: str, alias: str, columns: str, read_paths: list[str], window: PullWindow, limit: int
) -> list[Any]:
    """Rows of a registry table in the pull window and the read scope, in feed order. The registry keeps
    `deleted_at`; the feed's conditions speak of `deleted`, so the table is read through a view of itself
    that PostgreSQL flattens (the (sync_xid, id) and unit_path indexes still apply)."""
    window_clause, window_args = window_sql(window, 1)
    scope, scope_args = scope_sql("unit_path", read_paths, 1 + len(window_args))
    args = [*window_args, *scope_args, limit]
    rows = f"SELECT *, deleted_at IS NOT NULL AS deleted FROM {table}"
    if window.previous is None:
        # A first download: every row of the scope. Rows loaded together (a seed, an import) share one sync_xid,
        # so the planner, misjudging the cursor's (sync_xid, id) range, walked the feed index through the whole
        # table filtering by scope (5 s a page at a million households). Taking the scope first by its unit_path
        # index, then ordering it, costs the scope's size whatever the table's.
        rows = f"{rows} WHERE {scope_sql('unit_path', read_paths, 1 + len(window_args))[0]} OFFSET 0"
    sql = (
        f"SELECT {columns}, {alias}.deleted, {alias}.sync_xid FROM ({rows}) {alias}"
        f" WHERE {window_clause} AND {scope} ORDER BY {alias}.sync_xid, {alias}.id LIMIT ${len(args)}"
    )
    async with connection() as conn:
        return list(await conn.fetch(sql, *args))


async def _locked(table: str, alias: str, columns: str, entity_id: uuid.UUID) -> Any | None:
    """The row (deleted ones too), locked until the transaction ends."""
    sql = f"SELECT {columns}, {alias}.deleted_at IS NOT NULL AS deleted FROM {table} {alias} WHERE {alias}.id = $1"
    async with connection() as conn:
        return await conn.fetchrow(sql + " FOR UPDATE", entity_id)


async def _locked_many(table: str, alias: str, columns: str, entity_ids: Sequence[uuid.UUID]) -> list[Any]:
    """The rows among entity_ids (deleted ones too), locked in id order until the transaction ends."""
    sql = (
        f"SELECT {columns}, {alias}.deleted_at IS NOT NULL AS deleted FROM {table} {alias}"
        f" WHERE {alias}.id = ANY($1::uuid[]) ORDER BY {alias}.id FOR UPDATE"
    )
    async with connection() as conn:
        return list(await conn.fetch(sql, entity_ids))


def _change(entity: str, row: Any, fields: dict[str, Any]) -> PulledRow:
    change = SyncChange(
        entity=entity,
        entity_id=row["id"],
        version=row["version"],
        deleted=row["deleted"],
        fields={} if row["deleted"] else fields,
        updated_at=row["updated_at"],
    )
    return PulledRow(xid=int(row["sync_xid"]), change=change)


class _RegistryHandler:
    # Conflicts on the registry are settled by the commune's officers (area cadres write, they decide).
    resolve_permission = Permission.approve
    sensitive_fields: frozenset[str] = frozenset()

    def __init__(self, service: RegistryService, clock: Clock) -> None:
        self.service = service
        self.clock = clock

    async def _household_path(self, household_id: uuid.UUID) -> str:
        """Where a resident or visit of this household belongs (a live household, in any scope: the core
        then requires write permission there)."""
        async with connection() as conn:
            path = await conn.fetchval(
                "SELECT unit_path FROM households WHERE id = $1 AND deleted_at IS NULL", household_id
            )
        if path is None:
            raise NotFoundError("problem.registry.household_not_found")
        return str(path)


class HouseholdHandler(_RegistryHandler):
    name = "household"

    def __init__(self, service: RegistryService, clock: Clock) -> None:
        super().__init__(service, clock)
        # Unit code -> unit row, for this handler's life (one request): a batch names the same few areas.
        self._units: dict[str, Any] = {}

    def parse(self, action: ParseAction, fields: dict[str, Any]) -> dict[str, Any]:
        if action == "create":
            data = _convert(action, fields, HouseholdCreate, {"id": _NO_ID})
            values = _sent(data, [name for name in HOUSEHOLD_FIELDS if name in HouseholdCreate.__struct_fields__])
            with _as_fields():
                rules.check_coordinates(values["latitude"], values["longitude"])
        else:
            update = _convert(action, fields, HouseholdUpdate, {"version": 1})
            values = _updated(_sent(update, [name for name in HOUSEHOLD_FIELDS if name in fields]), "unit_code")
        if "circumstances" in values:
            with _as_fields():
                values["circumstances"] = rules.check_circumstances(values["circumstances"], self.service.circumstances)
        _refuse_nul(values)
        return values

    async def _unit(self, code: str) -> Any:
        if code not in self._units:
            self._units[code] = await current_unit(code)
        return self._units[code]

    async def unit_path(self, values: Mapping[str, Any]) -> str:
        return str((await self._unit(values["unit_code"]))["path"])

    async def _row(self, entity_id: uuid.UUID) -> Any | None:
        return await _locked("households", "h", _HOUSEHOLD_ROW, entity_id)

    async def lock(self, entity_id: uuid.UUID) -> SyncRecord | None:
        row = await self._row(entity_id)
        return None if row is None else self._sync_record(row)

    async def lock_many(self, entity_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, SyncRecord]:
        rows = await _locked_many("households", "h", _HOUSEHOLD_ROW, entity_ids)
        return {row["id"]: self._sync_record(row) for row in rows}

    @staticmethod
    def _sync_record(row: Any) -> SyncRecord:
        return _record(row, HOUSEHOLD_FIELDS, circumstances=list(row["circumstances"]))

    async def insert(self, actor: Actor, entity_id: uuid.UUID, values: Mapping[str, Any], unit_path: str) -> None:
        area = await self._unit(values["unit_code"])
        with _as_fields():
            require_area(area)
        data = HouseholdCreate(id=entity_id, **values)
        fields = self.service.household_fields(data, area, None)
        stamp = self.service.created_stamp(actor.principal, rules.fingerprint(data))
        if not await repo.insert_household({"id": entity_id, **fields, **stamp}):
            raise ConflictError("problem.registry.id_taken", id=str(entity_id))

    async def save(
        self,
        actor: Actor,
        entity_id: uuid.UUID,
        changes: Mapping[str, Any],
        version: int,
        field_versions: Mapping[str, int],
    ) -> None:
        row = await self._row(entity_id)
        if row is None:
            raise NotFoundError("problem.registry.household_not_found")
        values: dict[str, Any] = {}
        edits = {name: value for name, value in changes.items() if name != DELETED}
        if edits:
            # Values may come back from a conflict record as JSON: the schema converts them again.
            data = _convert("update", edits, HouseholdUpdate, {"version": version})
            area = await self._unit(row["unit_code"])
            with _as_fields():
                fields = self.service.household_fields(data, None, {**row, "address_area_name": area["name"]})
                await self.service.check_household_links(actor.principal, row, fields)
            values = {name: fields[name] for name in rules.changed_fields(row, fields)}
        if changes.get(DELETED) is True and await repo.live_members(entity_id):
            raise ConflictError("problem.registry.household_has_members")
        await _write(
            "households", entity_id, {**values, **_bookkeeping(actor, version, field_versions, changes.get(DELETED))}
        )

    async def pull(self, read_paths: list[str], window: PullWindow, limit: int, reader: Principal) -> list[PulledRow]:
        rows = await _pull_rows("households", "h", f"{_HOUSEHOLD_ROW}, {_HEAD_NAME}", read_paths, window, limit)
        return [_change(self.name, row, self._fields(row)) for row in rows]

    @staticmethod
    def _fields(row: Any) -> dict[str, Any]:
        read = msgspec.structs.asdict(views.household_read(row))
        return {name: read[name] for name in (*HOUSEHOLD_FIELDS, "unit_path", "head_name")}


class ResidentHandler(_RegistryHandler):
    name = "resident"
    sensitive_fields = frozenset(rules.SENSITIVE_FIELDS)

    def parse(self, action: ParseAction, fields: dict[str, Any]) -> dict[str, Any]:
        if action == "create":
            stand_ins = {"id": _NO_ID}
            data: ResidentCreate | ResidentUpdate = _convert(action, fields, ResidentCreate, stand_ins)
            names = list(RESIDENT_FIELDS)
        else:
            data = _convert(action, fields, ResidentUpdate, {"version": 1})
            names = [name for name in RESIDENT_FIELDS if name in fields]
            _updated(dict.fromkeys(names), "household_id")
        with _as_fields():
            # The registry's own checks and normal forms (birth year from the date, memberships as JSON).
            normal = self.service.resident_fields(data, None)
        if "birth_date" in normal:
            names = list(dict.fromkeys([*names, "birth_year"]))
        values = {name: normal[name] for name in names}
        _refuse_nul(values)
        return values

    async def unit_path(self, values: Mapping[str, Any]) -> str:
        return await self._household_path(values["household_id"])

    async def _row(self, entity_id: uuid.UUID) -> Any | None:
        return await _locked("residents", "r", _RESIDENT_ROW, entity_id)

    async def lock(self, entity_id: uuid.UUID) -> SyncRecord | None:
        row = await self._row(entity_id)
        return None if row is None else self._sync_record(row)

    async def lock_many(self, entity_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, SyncRecord]:
        rows = await _locked_many("residents", "r", _RESIDENT_ROW, entity_ids)
        return {row["id"]: self._sync_record(row) for row in rows}

    @staticmethod
    def _sync_record(row: Any) -> SyncRecord:
        return _record(row, RESIDENT_FIELDS, memberships=json.loads(row["memberships"]))

    async def insert(self, actor: Actor, entity_id: uuid.UUID, values: Mapping[str, Any], unit_path: str) -> None:
        principal = actor.principal
        household = await self.service.writable_household(principal, values["household_id"])
        data = msgspec.convert({"id": entity_id, **values}, ResidentCreate)
        fields = self.service.resident_fields(data, None)
        given = {name: value for name, value in fields.items() if value is not None}
        sensitive = self.service.check_sensitive_write(principal, household["unit_path"], given)
        row = {"id": entity_id, "unit_path": household["unit_path"], **fields}
        stamp = self.service.created_stamp(principal, rules.fingerprint(data))
        if not await repo.insert_resident({**row, **stamp}):
            raise ConflictError("problem.registry.id_taken", id=str(entity_id))
        if sensitive:
            subject = ("resident", entity_id)
            await self.service.audit(principal, "resident.sensitive_written", subject, unit_path, fields=sensitive)
        if data.relation_to_head == "head" and household["head_resident_id"] is None:
            # As online: the first head recorded becomes the household's head.
            await self.service.save_household(principal, household, {"head_resident_id": entity_id})

    async def save(
        self,
        actor: Actor,
        entity_id: uuid.UUID,
        changes: Mapping[str, Any],
        version: int,
        field_versions: Mapping[str, int],
    ) -> None:
        principal = actor.principal
        row = await self._row(entity_id)
        if row is None:
            raise NotFoundError("problem.registry.resident_not_found")
        values: dict[str, Any] = {}
        edits = {name: value for name, value in changes.items() if name != DELETED}
        if edits:
            data = _convert("update", edits, ResidentUpdate, {"version": version})
            with _as_fields():
                fields = self.service.resident_fields(data, row)
            stored = {**row, "memberships": json.loads(row["memberships"])}
            values = {name: fields[name] for name in rules.changed_fields(stored, fields)}
            sensitive = self.service.check_sensitive_write(principal, row["unit_path"], values)
            if sensitive:
                subject = ("resident", entity_id)
                await self.service.audit(
                    principal, "resident.sensitive_written", subject, row["unit_path"], fields=sensitive
                )
        if changes.get(DELETED) is True:
            household = await self.service.writable_household(principal, row["household_id"])
            if household["head_resident_id"] == entity_id:
                await self.service.save_household(principal, household, {"head_resident_id": None})
        await _write(
            "residents", entity_id, {**values, **_bookkeeping(actor, version, field_versions, changes.get(DELETED))}
        )

    async def pull(self, read_paths: list[str], window: PullWindow, limit: int, reader: Principal) -> list[PulledRow]:
        rows = await _pull_rows("residents", "r", _RESIDENT_ROW, read_paths, window, limit)
        live = [row for row in rows if not row["deleted"]]
        unmasked: dict[uuid.UUID, bool] = {}
        if live:
            # Unmasked reads of sensitive values are audited as for GET /residents/{id}, one entry per page.
            async with db.transaction():
                unmasked = await self.service.sensitive_read_page(reader, live)
        return [_change(self.name, row, self._fields(row, unmasked.get(row["id"], False))) for row in rows]

    @staticmethod
    def _fields(row: Any, may_read_sensitive: bool) -> dict[str, Any]:
        read = msgspec.structs.asdict(views.resident_read(row, may_read_sensitive))
        return {name: read[name] for name in (*RESIDENT_FIELDS, "unit_path", "masked", "masked_fields")}


class VisitHandler(_RegistryHandler):
    name = "visit"

    def parse(self, action: ParseAction, fields: dict[str, Any]) -> dict[str, Any]:
        if action == "create":
            data = _convert(action, fields, VisitCreate, {"id": _NO_ID})
            values = _sent(data, VISIT_FIELDS)
            with _as_fields():
                rules.check_not_future("visited_on", values["visited_on"], today_in_vietnam(self.clock))
        else:
            # The checks of PATCH /api/v1/visits/{id} (RegistryService.visit_fields).
            update = _convert(action, _updated(fields, "household_id"), VisitUpdate, {"version": 1})
            with _as_fields():
                values = self.service.visit_fields(update)
        _refuse_nul(values)
        return values

    async def unit_path(self, values: Mapping[str, Any]) -> str:
        return await self._household_path(values["household_id"])

    async def _row(self, entity_id: uuid.UUID) -> Any | None:
        return await _locked("visits", "v", _VISIT_ROW, entity_id)

    async def lock(self, entity_id: uuid.UUID) -> SyncRecord | None:
        row = await self._row(entity_id)
        return None if row is None else self._sync_record(row)

    async def lock_many(self, entity_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, SyncRecord]:
        rows = await _locked_many("visits", "v", _VISIT_ROW, entity_ids)
        return {row["id"]: self._sync_record(row) for row in rows}

    @staticmethod
    def _sync_record(row: Any) -> SyncRecord:
        return _record(row, VISIT_FIELDS, cadre_id=row["cadre"])

    async def insert(self, actor: Actor, entity_id: uuid.UUID, values: Mapping[str, Any], unit_path: str) -> None:
        household = await self.service.writable_household(actor.principal, values["household_id"])
        data = VisitCreate(id=entity_id, **values)
        stamp = self.service.created_stamp(actor.principal, rules.fingerprint(data))
        row = {**msgspec.structs.asdict(data), "unit_path": household["unit_path"], "cadre": actor.account_id}
        if not await repo.insert_visit({**row, **stamp}):
            raise ConflictError("problem.registry.id_taken", id=str(entity_id))

    async def save(
        self,
        actor: Actor,
        entity_id: uuid.UUID,
        changes: Mapping[str, Any],
        version: int,
        field_versions: Mapping[str, int],
    ) -> None:
        row = await self._row(entity_id)
        if row is None:
            raise NotFoundError("problem.registry.visit_not_found")
        edits = {name: value for name, value in changes.items() if name != DELETED}
        values = self.parse("update", edits) if edits else {}
        await _write(
            "visits", entity_id, {**values, **_bookkeeping(actor, version, field_versions, changes.get(DELETED))}
        )

    async def pull(self, read_paths: list[str], window: PullWindow, limit: int, reader: Principal) -> list[PulledRow]:
        rows = await _pull_rows("visits", "v", _VISIT_ROW, read_paths, window, limit)
        return [_change(self.name, row, self._fields(row)) for row in rows]

    @staticmethod
    def _fields(row: Any) -> dict[str, Any]:
        read = msgspec.structs.asdict(views.visit_read(row))
        return {name: read[name] for name in (*VISIT_FIELDS, "unit_path", "cadre_id")}


def registry_handlers(settings: Settings, clock: Clock) -> list[EntityHandler]:
    service = RegistryService(settings, clock)
    return [HouseholdHandler(service, clock), ResidentHandler(service, clock), VisitHandler(service, clock)]
