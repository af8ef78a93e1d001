"""Registry use cases: one transaction each, the audit entry inside it, scope enforced in the SQL.

Creates are idempotent on the client's id (offline outbox replays): the same request again answers the
record, another request with a used id is a conflict. Updates and deletions carry the version the client
last saw. Sensitive fields are shown only to readers holding read_sensitive for the record's unit, and
every such read, like every change of one, leaves an audit entry naming the fields (never the values).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any, NamedTuple

import msgspec

from backend import db
from backend.features.audit.service import AuditEvent, record
from backend.features.registry import repo, rules, views
from backend.features.sync.merge import DELETED
from backend.features.units import repo as units_repo
from backend.lib.access import Permission, Principal, Role
from backend.lib.clock import Clock, today_in_vietnam
from backend.lib.errors import AppError, ConflictError, NotFoundError
from backend.lib.pagination import decode_cursor, encode_cursor
from backend.lib.text import fold, prefix_tsquery
from backend.settings import Settings
from schemas.registry import (
    ConsentCreate,
    ConsentRead,
    DuplicateCandidate,
    DuplicateList,
    HouseholdCreate,
    HouseholdCreated,
    HouseholdDetail,
    HouseholdPage,
    HouseholdRead,
    HouseholdUpdate,
    ResidentCreate,
    ResidentCreated,
    ResidentPage,
    ResidentRead,
    ResidentUpdate,
    VisitCreate,
    VisitPage,
    VisitRead,
    VisitUpdate,
)

# Queries of only digits (and phone punctuation) this long search phones and ID numbers, not names.
MIN_NUMBER_QUERY = 4
ID_NUMBER_LENGTH = 12
_PHONE_PUNCTUATION = re.compile(r"[\s.+-]")


class SensitiveFieldsForbidden(AppError):
    """Writing ID number, ethnicity, religion or health without the right to read them (else a writer
    could learn them back)."""

    status = 403
    slug = "sensitive-fields-forbidden"
    title_key = "problem.forbidden.title"


class AreaActivity(NamedTuple):
    """A residential area a cadre works in, as their "my areas" list shows it."""

    code: str
    name: str
    kind: str
    households: int
    last_visit: date | None
    recent_visits: int  # in the last RECENT_VISIT_DAYS days


RECENT_VISIT_DAYS = 30


def search_of(query: str | None, pepper: str) -> repo.Search | None:
    """How a cadre's query is matched: digits are a phone (prefix) or a 12-digit ID number, text is
    word prefixes of the folded name or address. None when there is nothing to search for."""
    if not query:
        return None
    compact = _PHONE_PUNCTUATION.sub("", query)
    if compact.isdigit() and len(compact) >= MIN_NUMBER_QUERY:
        digits = rules.phone_digits(query.strip()) or compact
        id_hash = rules.id_number_hash(compact, pepper) if len(compact) == ID_NUMBER_LENGTH else None
        return repo.Search(folded=compact, tsquery="", phone_prefix=digits, id_hash=id_hash)
    tsquery = prefix_tsquery(query)
    return repo.Search(folded=fold(query), tsquery=tsquery, phone_prefix=None, id_hash=None) if tsquery else None


async def current_unit(unit_code: str) -> Any:
    """A unit that is not retired; 404 when there is none."""
    unit = await units_repo.get_unit(unit_code)
    if unit is None or unit["valid_to"] is not None:
        raise NotFoundError("problem.unit_not_found.detail", code=unit_code)
    return unit


def require_area(unit: Any) -> None:
    """Households belong to residential areas (checked after the scope, so it reveals nothing outside it)."""
    if unit["level"] != "residential_area":
        raise rules.invalid("unit_code", "problem.registry.not_an_area", unit["code"], code=unit["code"])


async def refresh_area_addresses(area_code: str, area_name: str) -> int:
    """After an area is renamed (in the caller's transaction): its households' folded addresses, which end
    with the area's name, so that searching by the new name finds them and by the old one does not."""
    rows = await repo.area_addresses(area_code)
    addresses = [(row["id"], rules.address_folded(row["house_number"], row["street"], area_name)) for row in rows]
    changed = [(household_id, address) for (household_id, address), row in zip(addresses, rows, strict=True)
               if address != row["address_folded"]]  # fmt: skip
    if changed:
        await repo.set_addresses_folded(changed)
    return len(changed)


def _page_cursor(rows: list[Any], limit: int, key: tuple[str, ...]) -> str | None:
    if len(rows) <= limit:
        return None
    last = rows[limit - 1]
    return encode_cursor(tuple(str(last[name]) if name == "id" else last[name] for name in key))


class RegistryService:
    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock
        self.pepper = settings.registry_id_pepper
        self.circumstances = settings.registry_circumstance_codes

    # shared steps

    async def _audit(
        self, principal: Principal, action: str, subject: tuple[str, uuid.UUID], unit_path: str, **details: Any
    ) -> None:
        event = AuditEvent(
            action=action,
            actor=principal.actor,
            subject_type=subject[0],
            subject_id=str(subject[1]),
            unit_path=unit_path,
            details=details,
        )
        await record(event, self.clock.now())

    async def _area(self, principal: Principal, unit_code: str) -> Any:
        """A current residential area the caller may write in (outside scope: 404, like a missing one)."""
        area = await current_unit(unit_code)
        principal.require(Permission.write, area["path"])
        require_area(area)
        return area

    async def _writable_household(self, principal: Principal, household_id: uuid.UUID) -> Any:
        row = await repo.get_household(household_id, principal.scope_paths(Permission.write), lock=True)
        if row is None:
            raise NotFoundError("problem.registry.household_not_found")
        return row

    async def _replay(self, table: str, record_id: uuid.UUID, fingerprint: str, principal: Principal) -> bool:
        """True when this exact create was applied before (answer the record); a conflict when the id is
        taken by other content, deleted, or out of the caller's scope (it cannot be theirs)."""
        existing = await repo.fingerprint_of(table, record_id)
        if existing is None:
            return False
        if existing[0] != fingerprint or not principal.may(Permission.read, existing[1]):
            raise ConflictError("problem.registry.id_taken", id=str(record_id))
        return True

    def _stale(self, row: Any, version: int) -> None:
        if row["version"] != version:
            raise ConflictError("problem.registry.stale_version", sent=version, current=row["version"])

    def _stamp(self, principal: Principal, row: Any, fields: list[str]) -> dict[str, Any]:
        version = row["version"] + 1
        return {
            "version": version,
            "field_versions": rules.bump_field_versions(views.field_versions_of(row), fields, version),
            "updated_by": principal.actor,
            "updated_at": self.clock.now(),
        }

    def _created_stamp(self, principal: Principal, fingerprint: str) -> dict[str, Any]:
        now = self.clock.now()
        return {
            "version": 1,
            "field_versions": {},
            "create_fingerprint": fingerprint,
            "created_by": principal.actor,
            "created_at": now,
            "updated_by": principal.actor,
            "updated_at": now,
        }

    # households

    def _household_fields(self, data: HouseholdCreate | HouseholdUpdate, area: Any | None, row: Any) -> dict[str, Any]:
        """The household's fields after applying data (an update sends only some) to row (None: new)."""
        sent = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET and k != "version"}
        before = {} if row is None else {k: row[k] for k in ("house_number", "street", "latitude", "longitude")}
        fields = {**before, **{k: v for k, v in sent.items() if k != "id"}}
        rules.check_coordinates(fields.get("latitude"), fields.get("longitude"))
        if "circumstances" in sent:
            fields["circumstances"] = rules.check_circumstances(sent["circumstances"], self.circumstances)
        if area is not None:
            fields["unit_code"], fields["unit_path"] = area["code"], area["path"]
        area_name = area["name"] if area is not None else row["address_area_name"]
        fields["address_folded"] = rules.address_folded(fields["house_number"], fields["street"], area_name)
        return fields

    async def create_household(self, principal: Principal, data: HouseholdCreate) -> tuple[HouseholdCreated, bool]:
        """The new household and True, or (a replay) the existing one and False."""
        fingerprint = rules.fingerprint(data)
        async with db.transaction():
            area = await self._area(principal, data.unit_code)
            fields = self._household_fields(data, area, None)
            created = False
            if not await self._replay("households", data.id, fingerprint, principal):
                values = {"id": data.id, **fields, **self._created_stamp(principal, fingerprint)}
                created = await repo.insert_household(values)
                if not created:  # a concurrent replay won the insert
                    await self._replay("households", data.id, fingerprint, principal)
                else:
                    await self._audit(principal, "household.created", ("household", data.id), area["path"])
            row = await repo.get_household(data.id, principal.scope_paths(Permission.read))
            duplicates = await self._household_duplicates(principal, data.unit_code, fields["address_folded"], data.id)
        read = views.household_read(row)
        return HouseholdCreated(**msgspec.structs.asdict(read), duplicates=duplicates), created

    async def _household_duplicates(
        self, principal: Principal, unit_code: str, address: str, exclude: uuid.UUID
    ) -> list[DuplicateCandidate]:
        rows = await repo.household_duplicates(principal.scope_paths(Permission.read), unit_code, address, exclude)
        return [views.household_candidate(row) for row in rows]

    async def household_duplicates(self, principal: Principal, data: HouseholdCreate) -> DuplicateList:
        """Households that may be the one about to be created (same address in the same area)."""
        area = await self._area(principal, data.unit_code)
        address = rules.address_folded(data.house_number, data.street, area["name"])
        return DuplicateList(items=await self._household_duplicates(principal, data.unit_code, address, data.id))

    async def get_household(self, principal: Principal, household_id: uuid.UUID) -> HouseholdDetail:
        row, member_rows = await repo.household_with_members(household_id, principal.scope_paths(Permission.read))
        if row is None:
            raise NotFoundError("problem.registry.household_not_found")
        members = [views.resident_read(member, False) for member in member_rows]
        read = views.household_read(row)
        return HouseholdDetail(**msgspec.structs.asdict(read), members=members)

    async def list_households(
        self, principal: Principal, query: str | None, unit: str | None, cursor: str | None, limit: int
    ) -> HouseholdPage:
        paths = principal.scope_paths(Permission.read)
        unit_path = await self._unit_filter(unit)
        search = search_of(query, self.pepper)
        if search is None:
            after = decode_cursor(cursor, tuple[str, str]) if cursor else None
            rows = await repo.list_households(paths, unit_path, after, limit + 1)
            next_cursor = _page_cursor(rows, limit, ("address_sort", "id"))
        else:
            after_hit = decode_cursor(cursor, tuple[int, str, str]) if cursor else None
            rows = await repo.search_households(paths, unit_path, search, after_hit, limit + 1)
            next_cursor = _page_cursor(rows, limit, ("match", "address_sort", "id"))
        return HouseholdPage(items=[views.household_read(row) for row in rows[:limit]], next_cursor=next_cursor)

    async def _unit_filter(self, unit: str | None) -> str | None:
        """The path of ?unit= (narrows the scope, never widens it: the scope condition stays)."""
        if unit is None:
            return None
        row = await units_repo.get_unit(unit)
        if row is None:
            raise NotFoundError("problem.unit_not_found.detail", code=unit)
        return str(row["path"])

    async def update_household(
        self, principal: Principal, household_id: uuid.UUID, data: HouseholdUpdate
    ) -> HouseholdRead:
        async with db.transaction():
            row = await self._writable_household(principal, household_id)
            self._stale(row, data.version)
            new_area = await self._area(principal, data.unit_code) if isinstance(data.unit_code, str) else None
            area: Any = new_area or await units_repo.get_unit(row["unit_code"])
            area_name = area["name"]
            fields = self._household_fields(data, new_area, {**row, "address_area_name": area_name})
            await self._check_household_links(principal, row, fields)
            changed = rules.changed_fields(row, fields)
            if changed:
                await self._save_household(principal, row, {k: fields[k] for k in changed})
            result = await repo.get_household(household_id, principal.scope_paths(Permission.read))
        return views.household_read(result)

    async def _check_household_links(self, principal: Principal, row: Any, fields: dict[str, Any]) -> None:
        head = fields.get("head_resident_id")
        if head is not None and head != row["head_resident_id"]:
            member = await repo.get_resident(head, principal.scope_paths(Permission.read))
            if member is None or member["household_id"] != row["id"]:
                raise rules.invalid("head_resident_id", "problem.registry.head_not_member", head)
        status = fields.get("status", row["status"])
        merged_into = fields.get("merged_into", row["merged_into"] if status == "merged" else None)
        if status != "merged":
            fields["merged_into"] = None
        elif merged_into is None or merged_into == row["id"]:
            raise rules.invalid("merged_into", "problem.registry.merge_target", merged_into or "")
        elif await repo.get_household(merged_into, principal.scope_paths(Permission.write)) is None:
            raise rules.invalid("merged_into", "problem.registry.merge_target", merged_into)

    async def _save_household(self, principal: Principal, row: Any, changes: Mapping[str, Any]) -> None:
        values = {**changes, **self._stamp(principal, row, list(changes))}
        if not await repo.update_household(row["id"], row["version"], values):
            raise ConflictError("problem.registry.stale_version", sent=row["version"], current=row["version"] + 1)
        if "unit_path" in changes:
            await repo.move_household_members(row["id"], changes["unit_path"])
        unit_path = changes.get("unit_path", row["unit_path"])
        await self._audit(principal, "household.updated", ("household", row["id"]), unit_path, fields=list(changes))

    async def delete_household(self, principal: Principal, household_id: uuid.UUID, version: int) -> None:
        async with db.transaction():
            row = await self._writable_household(principal, household_id)
            self._stale(row, version)
            if await repo.live_members(household_id):
                raise ConflictError("problem.registry.household_has_members")
            if not await repo.soft_delete("households", household_id, version, principal.actor, self.clock.now()):
                raise ConflictError("problem.registry.stale_version", sent=version, current=version + 1)
            await self._audit(principal, "household.deleted", ("household", household_id), row["unit_path"])

    # residents

    def _resident_fields(self, data: ResidentCreate | ResidentUpdate, row: Any | None) -> dict[str, Any]:
        """The resident's stored fields after applying data (an update sends only some) to row."""
        today = today_in_vietnam(self.clock)
        sent = {
            k: v
            for k, v in msgspec.structs.asdict(data).items()
            if v is not msgspec.UNSET and k not in ("version", "id")
        }
        current = {} if row is None else {**row, "memberships": views.memberships_of(row)}
        fields, merged = dict(sent), {**current, **sent}
        if {"birth_date", "birth_year"} & sent.keys():
            given_year = sent.get("birth_year", None if "birth_date" in sent else merged.get("birth_year"))
            fields["birth_year"] = rules.birth_year_of(merged.get("birth_date"), given_year, today)
            fields["birth_date"] = merged.get("birth_date")
        rules.check_moves(merged.get("moved_in_on"), merged.get("moved_out_on"), today)
        for index, membership in enumerate(merged.get("memberships") or []):
            rules.check_not_future(f"memberships[{index}].since", membership.since, today)
        if "full_name" in sent:
            fields["name_folded"] = fold(sent["full_name"])
        if "phone" in sent:
            fields["phone_digits"] = rules.phone_digits(sent["phone"])
        if "id_number" in sent:
            fields["id_number_hash"] = rules.id_number_hash(sent["id_number"], self.pepper)
        if "memberships" in fields:
            fields["memberships"] = msgspec.to_builtins(fields["memberships"])
        return fields

    def _check_sensitive_write(self, principal: Principal, unit_path: str, fields: Mapping[str, Any]) -> list[str]:
        """The sensitive fields written (with a value or cleared); refused to those who may not read them."""
        written = [name for name in rules.SENSITIVE_FIELDS if name in fields]
        if written and not principal.may(Permission.read_sensitive, unit_path):
            raise SensitiveFieldsForbidden("problem.registry.sensitive_forbidden", fields=", ".join(written))
        return written

    async def _resident_out(self, principal: Principal, row: Any) -> ResidentRead:
        """The resident as this reader may see them; an unmasked sensitive value read is audited."""
        return views.resident_read(row, await self.sensitive_read(principal, row))

    async def sensitive_read(self, principal: Principal, row: Any) -> bool:
        """Whether this reader sees the resident's sensitive fields unmasked; when they do and there are
        any, the read is audited (names of the fields, never the values)."""
        may = principal.may(Permission.read_sensitive, row["unit_path"])
        present = rules.sensitive_present(row)
        if may and present:
            await self._audit(
                principal, "resident.sensitive_read", ("resident", row["id"]), row["unit_path"], fields=present
            )
        return may

    async def sensitive_read_page(self, principal: Principal, rows: Sequence[Any]) -> dict[uuid.UUID, bool]:
        """For a page of residents read at once (a sync pull): whether this reader sees each one unmasked,
        with ONE audit entry naming the residents whose sensitive fields were shown and which fields (never
        the values), at the deepest unit holding them all; the same who/what/when/where as one entry each,
        without one row per resident in the audit log."""
        unmasked = {row["id"]: principal.may(Permission.read_sensitive, row["unit_path"]) for row in rows}
        shown = {str(row["id"]): rules.sensitive_present(row) for row in rows if unmasked[row["id"]]}
        shown = {resident: fields for resident, fields in shown.items() if fields}
        if shown:
            paths = [row["unit_path"] for row in rows if str(row["id"]) in shown]
            event = AuditEvent(
                action="resident.sensitive_read",
                actor=principal.actor,
                subject_type="residents",
                unit_path=rules.common_path(paths),
                details={"residents": shown},
            )
            await record(event, self.clock.now())
        return unmasked

    async def create_resident(self, principal: Principal, data: ResidentCreate) -> tuple[ResidentCreated, bool]:
        fingerprint = rules.fingerprint(data)
        async with db.transaction():
            household = await self._writable_household(principal, data.household_id)
            fields = self._resident_fields(data, None)
            given = {name: value for name, value in fields.items() if value is not None}
            sensitive = self._check_sensitive_write(principal, household["unit_path"], given)
            created = False
            if not await self._replay("residents", data.id, fingerprint, principal):
                values = {"id": data.id, "unit_path": household["unit_path"], **fields}
                created = await repo.insert_resident({**values, **self._created_stamp(principal, fingerprint)})
                if not created:
                    await self._replay("residents", data.id, fingerprint, principal)
                else:
                    await self._after_resident_created(principal, household, data, sensitive)
            row = await repo.get_resident(data.id, principal.scope_paths(Permission.read))
            duplicates = await self._resident_duplicates(principal, household["unit_path"], fields, data.id)
            read = await self._resident_out(principal, row)
        return ResidentCreated(**msgspec.structs.asdict(read), duplicates=duplicates), created

    async def _after_resident_created(
        self, principal: Principal, household: Any, data: ResidentCreate, sensitive: list[str]
    ) -> None:
        subject = ("resident", data.id)
        await self._audit(principal, "resident.created", subject, household["unit_path"])
        if sensitive:
            await self._audit(
                principal, "resident.sensitive_written", subject, household["unit_path"], fields=sensitive
            )
        if data.relation_to_head == "head" and household["head_resident_id"] is None:
            # The first head recorded becomes the household's head (a later one is set explicitly).
            await self._save_household(principal, household, {"head_resident_id": data.id})

    async def _resident_duplicates(
        self, principal: Principal, unit_path: str, fields: Mapping[str, Any], exclude: uuid.UUID
    ) -> list[DuplicateCandidate]:
        key = repo.ResidentKey(
            unit_path=unit_path,
            name_folded=fields.get("name_folded", ""),
            birth_year=fields.get("birth_year"),
            id_hash=fields.get("id_number_hash"),
            phone_digits=fields.get("phone_digits"),
        )
        rows = await repo.resident_duplicates(principal.scope_paths(Permission.read), key, exclude)
        return [views.resident_candidate(row) for row in rows]

    async def resident_duplicates(self, principal: Principal, data: ResidentCreate) -> DuplicateList:
        """Residents who may be the person about to be recorded (offered, not blocking)."""
        household = await self._writable_household(principal, data.household_id)
        fields = self._resident_fields(data, None)
        return DuplicateList(items=await self._resident_duplicates(principal, household["unit_path"], fields, data.id))

    async def get_resident(self, principal: Principal, resident_id: uuid.UUID) -> ResidentRead:
        async with db.transaction():
            row = await repo.get_resident(resident_id, principal.scope_paths(Permission.read))
            if row is None:
                raise NotFoundError("problem.registry.resident_not_found")
            return await self._resident_out(principal, row)

    async def list_residents(
        self,
        principal: Principal,
        *,
        query: str | None,
        unit: str | None,
        household_id: uuid.UUID | None,
        cursor: str | None,
        limit: int,
    ) -> ResidentPage:
        """Lists are always masked (data minimisation): the detail view shows what the reader may see."""
        search = search_of(query, self.pepper)
        after = decode_cursor(cursor, tuple[int, str, str]) if cursor else None
        rows = await repo.list_residents(
            principal.scope_paths(Permission.read),
            await self._unit_filter(unit),
            household_id,
            search,
            after,
            limit + 1,
        )
        next_cursor = _page_cursor(rows, limit, ("match", "name_folded", "id"))
        return ResidentPage(items=[views.resident_read(row, False) for row in rows[:limit]], next_cursor=next_cursor)

    async def update_resident(self, principal: Principal, resident_id: uuid.UUID, data: ResidentUpdate) -> ResidentRead:
        async with db.transaction():
            row = await repo.get_resident(resident_id, principal.scope_paths(Permission.write), lock=True)
            if row is None:
                raise NotFoundError("problem.registry.resident_not_found")
            self._stale(row, data.version)
            fields = self._resident_fields(data, row)
            if isinstance(data.household_id, uuid.UUID) and data.household_id != row["household_id"]:
                fields["unit_path"] = (await self._writable_household(principal, data.household_id))["unit_path"]
            stored = {**row, "memberships": msgspec.json.decode(row["memberships"])}
            changed = rules.changed_fields(stored, fields)
            sensitive = self._check_sensitive_write(principal, row["unit_path"], dict.fromkeys(changed))
            if changed:
                await self._save_resident(principal, row, {k: fields[k] for k in changed}, sensitive)
            result = await repo.get_resident(resident_id, principal.scope_paths(Permission.read))
            return await self._resident_out(principal, result)

    async def _save_resident(
        self, principal: Principal, row: Any, changes: Mapping[str, Any], sensitive: list[str]
    ) -> None:
        values = {**changes, **self._stamp(principal, row, list(changes))}
        if not await repo.update_resident(row["id"], row["version"], values):
            raise ConflictError("problem.registry.stale_version", sent=row["version"], current=row["version"] + 1)
        subject, unit_path = ("resident", row["id"]), changes.get("unit_path", row["unit_path"])
        plain = [name for name in changes if name not in (*rules.SENSITIVE_FIELDS, "id_number_hash")]
        await self._audit(principal, "resident.updated", subject, unit_path, fields=sorted(plain))
        if sensitive:
            await self._audit(principal, "resident.sensitive_written", subject, unit_path, fields=sensitive)

    async def delete_resident(self, principal: Principal, resident_id: uuid.UUID, version: int) -> None:
        async with db.transaction():
            row = await repo.get_resident(resident_id, principal.scope_paths(Permission.write), lock=True)
            if row is None:
                raise NotFoundError("problem.registry.resident_not_found")
            self._stale(row, version)
            if not await repo.soft_delete("residents", resident_id, version, principal.actor, self.clock.now()):
                raise ConflictError("problem.registry.stale_version", sent=version, current=version + 1)
            household = await self._writable_household(principal, row["household_id"])
            if household["head_resident_id"] == resident_id:
                await self._save_household(principal, household, {"head_resident_id": None})
            await self._audit(principal, "resident.deleted", ("resident", resident_id), row["unit_path"])

    # visits

    async def record_visit(self, principal: Principal, data: VisitCreate) -> tuple[VisitRead, bool]:
        fingerprint = rules.fingerprint(data)
        rules.check_not_future("visited_on", data.visited_on, today_in_vietnam(self.clock))
        if principal.account_id is None:
            raise rules.invalid("cadre", "problem.registry.visit_needs_cadre")
        async with db.transaction():
            household = await self._writable_household(principal, data.household_id)
            created = False
            if not await self._replay("visits", data.id, fingerprint, principal):
                values = {
                    **msgspec.structs.asdict(data),
                    "unit_path": household["unit_path"],
                    "cadre": principal.account_id,
                }
                created = await repo.insert_visit({**values, **self._created_stamp(principal, fingerprint)})
                if not created:
                    await self._replay("visits", data.id, fingerprint, principal)
                else:
                    await self._audit(principal, "visit.recorded", ("visit", data.id), household["unit_path"])
            row = await repo.get_visit(data.id, principal.scope_paths(Permission.read))
        return views.visit_read(row), created

    async def list_visits(
        self, principal: Principal, household_id: uuid.UUID | None, cursor: str | None, limit: int
    ) -> VisitPage:
        paths = principal.scope_paths(Permission.read)
        if household_id is not None and await repo.get_household(household_id, paths) is None:
            raise NotFoundError("problem.registry.household_not_found")
        after = decode_cursor(cursor, tuple[str, str]) if cursor else None
        rows = await repo.list_visits(paths, household_id, after, limit + 1)
        next_cursor = None
        if len(rows) > limit:
            last = rows[limit - 1]
            next_cursor = encode_cursor((last["visited_on"].isoformat(), str(last["id"])))
        return VisitPage(items=[views.visit_read(row) for row in rows[:limit]], next_cursor=next_cursor)

    async def get_visit(self, principal: Principal, visit_id: uuid.UUID) -> VisitRead:
        row = await repo.get_visit(visit_id, principal.scope_paths(Permission.read))
        if row is None:
            raise NotFoundError("problem.registry.visit_not_found")
        return views.visit_read(row)

    def _visit_fields(self, data: VisitUpdate) -> dict[str, Any]:
        """The fields an update sends, checked (REST and sync alike: a visit is not dated in the future)."""
        fields = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET and k != "version"}
        rules.check_not_future("visited_on", fields.get("visited_on"), today_in_vietnam(self.clock))
        return fields

    async def _writable_visit(self, principal: Principal, visit_id: uuid.UUID, version: int) -> Any:
        row = await repo.get_visit(visit_id, principal.scope_paths(Permission.write), lock=True)
        if row is None:
            raise NotFoundError("problem.registry.visit_not_found")
        self._stale(row, version)
        return row

    async def update_visit(self, principal: Principal, visit_id: uuid.UUID, data: VisitUpdate) -> VisitRead:
        fields = self._visit_fields(data)
        async with db.transaction():
            row = await self._writable_visit(principal, visit_id, data.version)
            changed = rules.changed_fields(row, fields)
            if changed:
                stamp = self._stamp(principal, row, changed)
                if not await repo.update_visit(visit_id, row["version"], {**{k: fields[k] for k in changed}, **stamp}):
                    raise ConflictError("problem.registry.stale_version", sent=data.version, current=data.version + 1)
                # The entry sync writes for the same change (backend/features/sync/apply.py).
                await self._audit(
                    principal, "visit.updated", ("visit", visit_id), row["unit_path"],
                    version=stamp["version"], fields=changed,
                )  # fmt: skip
            result = await repo.get_visit(visit_id, principal.scope_paths(Permission.read))
        return views.visit_read(result)

    async def delete_visit(self, principal: Principal, visit_id: uuid.UUID, version: int) -> None:
        async with db.transaction():
            row = await self._writable_visit(principal, visit_id, version)
            if not await repo.soft_delete("visits", visit_id, version, principal.actor, self.clock.now()):
                raise ConflictError("problem.registry.stale_version", sent=version, current=version + 1)
            await self._audit(
                principal, "visit.deleted", ("visit", visit_id), row["unit_path"], version=version + 1, fields=[DELETED]
            )

    async def my_areas(self, principal: Principal) -> list[AreaActivity]:
        """The residential areas the caller works in, with their households and visits: those assigned to
        them as area cadre and, for a commune officer, every area of the commune."""
        codes = [role.unit_code for role in principal.roles if role.role == Role.area_cadre]
        communes = [role.unit_code for role in principal.roles if role.role == Role.commune_officer]
        if not codes and not communes:
            return []
        since = today_in_vietnam(self.clock) - timedelta(days=RECENT_VISIT_DAYS)
        rows = await repo.area_activity(codes, communes, since)
        return [
            AreaActivity(
                code=row["code"],
                name=row["name"],
                kind=row["kind"],
                households=row["households"],
                last_visit=row["last_visit"],
                recent_visits=row["recent_visits"],
            )
            for row in rows
            if principal.may(Permission.read, row["path"])
        ]

    # The same steps for offline writes through /api/v1/sync (sync_handlers.py): one set of rules.
    audit = _audit
    household_fields = _household_fields
    check_household_links = _check_household_links
    save_household = _save_household
    writable_household = _writable_household
    resident_fields = _resident_fields
    check_sensitive_write = _check_sensitive_write
    created_stamp = _created_stamp
    visit_fields = _visit_fields

    # consents

    async def _resident_for(self, principal: Principal, resident_id: uuid.UUID, permission: Permission) -> Any:
        row = await repo.get_resident(
            resident_id, principal.scope_paths(permission), lock=permission == Permission.write
        )
        if row is None:
            raise NotFoundError("problem.registry.resident_not_found")
        return row

    async def record_consent(
        self, principal: Principal, resident_id: uuid.UUID, data: ConsentCreate
    ) -> tuple[ConsentRead, bool]:
        if data.given_at > self.clock.now():
            raise rules.invalid("given_at", "problem.registry.future_date", data.given_at, field="given_at")
        fingerprint = rules.fingerprint(data)
        async with db.transaction():
            resident = await self._resident_for(principal, resident_id, Permission.write)
            created = False
            if not await self._replay("consents", data.id, fingerprint, principal):
                await self._insert_consent(principal, resident, data, fingerprint)
                created = True
            row: Any = await repo.get_consent(data.id)
        if row["resident_id"] != resident_id:
            raise ConflictError("problem.registry.id_taken", id=str(data.id))
        return views.consent_read(row), created

    async def _insert_consent(self, principal: Principal, resident: Any, data: ConsentCreate, fingerprint: str) -> None:
        if await repo.open_consent(resident["id"], data.purpose) is not None:
            raise ConflictError("problem.registry.consent_open", purpose=data.purpose)
        values = {
            **msgspec.structs.asdict(data),
            "resident_id": resident["id"],
            "unit_path": resident["unit_path"],
            "recorded_by": principal.actor,
            "create_fingerprint": fingerprint,
        }
        if not await repo.insert_consent(values):
            raise ConflictError("problem.registry.id_taken", id=str(data.id))
        await self._audit(
            principal, "consent.recorded", ("resident", resident["id"]), resident["unit_path"], purpose=data.purpose
        )

    async def withdraw_consent(
        self, principal: Principal, resident_id: uuid.UUID, consent_id: uuid.UUID
    ) -> ConsentRead:
        """Withdraw a consent; withdrawing again changes nothing and answers the same."""
        async with db.transaction():
            resident = await self._resident_for(principal, resident_id, Permission.write)
            consent = await repo.get_consent(consent_id)
            if consent is None or consent["resident_id"] != resident_id:
                raise NotFoundError("problem.registry.consent_not_found")
            if await repo.withdraw_consent(consent_id, principal.actor, self.clock.now()):
                await self._audit(
                    principal,
                    "consent.withdrawn",
                    ("resident", resident_id),
                    resident["unit_path"],
                    purpose=consent["purpose"],
                )
            row = await repo.get_consent(consent_id)
        return views.consent_read(row)

    async def list_consents(self, principal: Principal, resident_id: uuid.UUID) -> list[ConsentRead]:
        await self._resident_for(principal, resident_id, Permission.read)
        return [views.consent_read(row) for row in await repo.consents_of(resident_id)]
