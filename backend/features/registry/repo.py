"""Registry queries: raw asyncpg, every read filtered by the caller's unit paths in SQL.

`paths` arguments are `Principal.scope_paths(...)`; an empty list matches nothing (scope_sql gives FALSE).
Column names in the dynamic SET and WHERE parts come from this module and the schemas, never from input.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

import asyncpg

from backend.db import connection
from backend.lib.access import scope_sql
from backend.lib.text import search_terms

HOUSEHOLD_COLUMNS = (
    "h.id, h.unit_code, h.unit_path, h.house_number, h.street, h.address_folded, h.latitude, h.longitude,"
    " h.head_resident_id, head.full_name AS head_name, h.circumstances, h.notes, h.status, h.merged_into,"
    " h.version, h.field_versions::text AS field_versions, h.create_fingerprint, h.created_at, h.updated_at"
)
HOUSEHOLD_FROM = "households h LEFT JOIN residents head ON head.id = h.head_resident_id AND head.deleted_at IS NULL"
RESIDENT_COLUMNS = (
    "r.id, r.household_id, r.unit_path, r.full_name, r.name_folded, r.gender, r.birth_date, r.birth_year,"
    " r.relation_to_head, r.phone, r.phone_digits, r.ethnicity, r.religion, r.id_number, r.id_number_hash,"
    " r.health_note, r.memberships::text AS memberships, r.moved_in_on, r.moved_out_on, r.version,"
    " r.field_versions::text AS field_versions, r.create_fingerprint, r.created_at, r.updated_at"
)
VISIT_COLUMNS = (
    "v.id, v.household_id, v.unit_path, v.visited_on, v.cadre, v.purpose, v.needs, v.concerns, v.feedback,"
    " v.follow_up, v.version, v.field_versions::text AS field_versions, v.create_fingerprint, v.created_at"
)
CONSENT_COLUMNS = (
    "c.id, c.resident_id, c.unit_path, c.purpose, c.given_by, c.given_at, c.method, c.recorded_by,"
    " c.withdrawn_at, c.create_fingerprint"
)
JSON_COLUMNS = frozenset({"field_versions", "memberships"})

logger = logging.getLogger("mattran.registry")


class Search(NamedTuple):
    """A cadre's query in the forms the SQL needs (see service.search_of)."""

    folded: str  # "nguyen van an"
    tsquery: str  # "nguyen:* & van:* & an:*"; empty for a digits-only query
    phone_prefix: str | None  # "0912" for a digits-only query
    id_hash: str | None  # for a 12-digit query: the ID number's hash


def _scope(column: str, paths: list[str], args: list[Any]) -> str:
    clause, scope_args = scope_sql(column, paths, len(args) + 1)
    args.extend(scope_args)
    return clause


def _within(column: str, unit_path: str | None, args: list[Any]) -> str:
    """The ?unit= filter: one unit and everything below it (on top of the scope, never instead of it)."""
    if unit_path is None:
        return "TRUE"
    return _scope(column, [unit_path], args)


def _param(value: Any, args: list[Any], cast: str = "") -> str:
    args.append(value)
    return f"${len(args)}{cast}"


def _assignments(values: Mapping[str, Any], args: list[Any]) -> str:
    return ", ".join(
        f"{name} = {_param(json.dumps(value, default=str) if name in JSON_COLUMNS else value, args)}"
        + ("::jsonb" if name in JSON_COLUMNS else "")
        for name, value in values.items()
    )


async def _insert(table: str, values: Mapping[str, Any]) -> bool:
    """Insert unless the id exists (a replayed create); True when this call created the row."""
    args: list[Any] = []
    placeholders = [
        _param(json.dumps(v, default=str), args, "::jsonb") if k in JSON_COLUMNS else _param(v, args)
        for k, v in values.items()
    ]
    sql = (
        f"INSERT INTO {table} ({', '.join(values)}) VALUES ({', '.join(placeholders)})"
        " ON CONFLICT (id) DO NOTHING RETURNING id"
    )
    async with connection() as conn:
        return await conn.fetchval(sql, *args) is not None


async def _update(table: str, record_id: uuid.UUID, version: int, values: Mapping[str, Any]) -> bool:
    """Apply values if the row is still at `version` (optimistic concurrency); False when it moved on."""
    args: list[Any] = [record_id, version]
    sql = f"UPDATE {table} SET {_assignments(values, args)} WHERE id = $1 AND version = $2 AND deleted_at IS NULL"
    async with connection() as conn:
        status = await conn.execute(sql, *args)
    return bool(status.endswith(" 1"))


# Households


async def insert_household(values: Mapping[str, Any]) -> bool:
    return await _insert("households", values)


async def update_household(household_id: uuid.UUID, version: int, values: Mapping[str, Any]) -> bool:
    return await _update("households", household_id, version, values)


async def fingerprint_of(table: str, record_id: uuid.UUID) -> tuple[str, str] | None:
    """(create fingerprint, unit path) of any row with this id, deleted or not, in scope or not."""
    async with connection() as conn:
        row = await conn.fetchrow(f"SELECT create_fingerprint, unit_path FROM {table} WHERE id = $1", record_id)
    return None if row is None else (row["create_fingerprint"], row["unit_path"])


def _household_query(household_id: uuid.UUID, paths: list[str]) -> tuple[str, list[Any]]:
    args: list[Any] = [household_id]
    scope = _scope("h.unit_path", paths, args)
    return (
        f"SELECT {HOUSEHOLD_COLUMNS} FROM {HOUSEHOLD_FROM} WHERE h.id = $1 AND h.deleted_at IS NULL AND {scope}",
        args,
    )


async def get_household(household_id: uuid.UUID, paths: list[str], *, lock: bool = False) -> Any | None:
    sql, args = _household_query(household_id, paths)
    async with connection() as conn:
        if lock:
            # Lock the household row alone (FOR UPDATE cannot lock the nullable side of an outer join).
            sql += " FOR UPDATE OF h"
        return await conn.fetchrow(sql, *args)


async def list_households(
    paths: list[str], unit_path: str | None, after: tuple[str, str] | None, limit: int
) -> list[Any]:
    """Households in natural address order ("2" before "10"), keyset-paged on (address_sort, id)."""
    args: list[Any] = []
    clauses = ["h.deleted_at IS NULL", _scope("h.unit_path", paths, args), _within("h.unit_path", unit_path, args)]
    if after is not None:
        clauses.append(f"(h.address_sort, h.id) > ({_param(after[0], args)}, {_param(after[1], args, '::uuid')})")
    sql = (
        f"SELECT {HOUSEHOLD_COLUMNS}, h.address_sort FROM {HOUSEHOLD_FROM} WHERE {' AND '.join(clauses)}"
        f" ORDER BY h.address_sort, h.id LIMIT {_param(limit, args)}"
    )
    async with connection() as conn:
        return list(await conn.fetch(sql, *args))


def _communes(paths: list[str], unit_path: str | None) -> list[str] | None:
    """The communes a search lies within (the third part of TW/<province>/<commune>/...): those of ?unit=
    when it is a commune or below, else those of the scope; None when that is wider than communes."""
    narrowest = [unit_path] if unit_path is not None and unit_path.count("/") >= 2 else paths
    codes = {path.split("/")[2] if path.count("/") >= 2 else "" for path in narrowest}
    if not codes or not all(code.isascii() and code.isalnum() for code in codes):
        return None
    return sorted(codes)


def _words_match(text: str, unit_path: str, search: Search, communes: list[str] | None, args: list[Any]) -> str:
    """The folded text's words start with the query's words. Within communes, through the index of each
    commune's own words (registry migration 2026-11-30T12:30: 'c00136xnguyen' is "nguyen" in commune
    00136), which reads only those communes' postings; wider, through the plain index of the words."""
    if communes is None:
        return f"to_tsvector('simple', {text}) @@ to_tsquery('simple', {_param(search.tsquery, args)})"
    words = search_terms(search.folded)
    query = " | ".join("(" + " & ".join(f"c{code.lower()}x{word}:*" for word in words) + ")" for code in communes)
    commune_words = rf"regexp_replace({text}, '(\S+)', 'c' || split_part({unit_path}, '/', 3) || 'x\1', 'g')"
    return f"to_tsvector('simple', {commune_words}) @@ to_tsquery('simple', {_param(query, args)})"


def _resident_match(search: Search, args: list[Any], communes: list[str] | None) -> tuple[str, str]:
    """(condition, rank) for residents matching a query: by name word prefixes, or by phone / ID number.
    communes: _communes() of the search.

    Rank: 0 the exact full name (or the exact phone / ID), 1 the full name starts with the query,
    2 the query is the end of the name (the given name, how Vietnamese people are called), 3 the rest."""
    if not search.tsquery:
        id_hash = _param(search.id_hash, args)
        phone_prefix = _param(f"{search.phone_prefix}%", args)
        phone = _param(search.phone_prefix, args)
        phone_match = f"r.phone_digits LIKE {phone_prefix}"
        if communes is not None:
            # Through the index of each commune's phones (registry migration 2026-12-03T15:30): a carrier's
            # prefix ("0912") is shared by a phone in fifty nationwide, all of them read by the plain index.
            phone_match = f"split_part(r.unit_path, '/', 3) = ANY({_param(communes, args)}::text[]) AND {phone_match}"
        condition = f"(r.id_number_hash = {id_hash} OR ({phone_match}))"
        return condition, f"CASE WHEN r.id_number_hash = {id_hash} OR r.phone_digits = {phone} THEN 0 ELSE 1 END"
    exact = _param(search.folded, args)
    prefix, suffix = _param(search.folded + " %", args), _param("% " + search.folded, args)
    rank = (
        f"CASE WHEN r.name_folded = {exact} THEN 0 WHEN r.name_folded LIKE {prefix} THEN 1"
        f" WHEN r.name_folded LIKE {suffix} THEN 2 ELSE 3 END"
    )
    return _words_match("r.name_folded", "r.unit_path", search, communes, args), rank


def _address_match(search: Search, args: list[Any], communes: list[str] | None) -> tuple[str, str]:
    if not search.tsquery:
        return "FALSE", "3"
    exact, prefix = _param(search.folded, args), _param(search.folded + " %", args)
    rank = f"CASE WHEN h.address_folded = {exact} THEN 0 WHEN h.address_folded LIKE {prefix} THEN 1 ELSE 3 END"
    return _words_match("h.address_folded", "h.unit_path", search, communes, args), rank


def _checked_on_rows(column: str, paths: list[str], communes: list[str] | None) -> str:
    """The unit path column as a scope condition on it should name it: itself, so that its index narrows the
    rows (an area within a commune), or, when the paths are whole communes that the search already narrows
    to through the communes' own indexes (`communes`), an expression no index serves: the condition is then
    checked on the rows found, instead of PostgreSQL first gathering the communes' tens of thousands of rows
    from the unit_path index to intersect with them (2-3 ms of a 7-10 ms search at a million households)."""
    if communes is not None and paths and all(path.count("/") == 2 for path in paths):
        return f"({column} || '')"
    return column


async def search_households(
    paths: list[str], unit_path: str | None, search: Search, after: tuple[int, str, str] | None, limit: int
) -> list[Any]:
    """Households whose address, or one of whose members' name, phone or ID number, matches; best first,
    ties in natural address order (address_sort, as lists), keyset-paged on (match, address_sort, id).

    Both branches carry the scope condition (the same parameters), so neither can reach outside it."""
    communes = _communes(paths, unit_path)
    args: list[Any] = []
    h_scope = _scope(_checked_on_rows("h.unit_path", paths, communes), paths, args)
    h_within = _within(_checked_on_rows("h.unit_path", [unit_path] if unit_path else [], communes), unit_path, args)
    r_scope, r_within = (clause.replace("h.unit_path", "r.unit_path") for clause in (h_scope, h_within))
    address_condition, address_rank = _address_match(search, args, communes)
    resident_condition, resident_rank = _resident_match(search, args, communes)
    keyset = "TRUE"
    if after is not None:
        keyset = (
            f"(match, address_sort, household_id) > ({_param(after[0], args)}, {_param(after[1], args)},"
            f" {_param(after[2], args, '::uuid')})"
        )
    # Residents carry their household's address_sort (registry migration 2026-12-03T14:30), so the matches
    # are ranked and paged without reading their households; only the page's are read. A live resident
    # always belongs to a live household (a household is deleted only without live members).
    sql = f"""
        WITH hits AS (
            SELECT h.id AS household_id, {address_rank} AS match, h.address_sort FROM households h
            WHERE h.deleted_at IS NULL AND {h_scope} AND {h_within} AND {address_condition}
            UNION ALL
            SELECT r.household_id, {resident_rank}, r.address_sort FROM residents r
            WHERE r.deleted_at IS NULL AND {r_scope} AND {r_within} AND {resident_condition}
        ), best AS (
            SELECT household_id, min(match) AS match, min(address_sort) AS address_sort FROM hits GROUP BY household_id
        ), page AS (
            SELECT household_id, match FROM best WHERE {keyset}
            ORDER BY match, address_sort, household_id LIMIT {_param(limit, args)}
        )
        -- The head's name only for the page, not for every household matching a common name.
        SELECT {HOUSEHOLD_COLUMNS}, page.match, h.address_sort FROM page JOIN households h ON h.id = page.household_id
        LEFT JOIN residents head ON head.id = h.head_resident_id AND head.deleted_at IS NULL
        WHERE h.deleted_at IS NULL ORDER BY page.match, h.address_sort, h.id"""
    async with connection() as conn, conn.transaction():
        # The estimates for word prefixes are coarse (a commune's `dang:*` thought 70,000 rows, not 2,465),
        # enough to tempt the planner into parallel workers, which take longer to start than these lookups
        # take to run on a busy server, and into compiling the query (JIT: 30 ms seen). One round trip.
        await conn.execute("SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL jit = off")
        return list(await conn.fetch(sql, *args))


async def household_duplicates(paths: list[str], unit_code: str, address: str, exclude: uuid.UUID) -> list[Any]:
    """Live households of the same area with the same folded address (house number and street)."""
    args: list[Any] = [unit_code, address, exclude]
    scope = _scope("h.unit_path", paths, args)
    sql = (
        f"SELECT {HOUSEHOLD_COLUMNS} FROM {HOUSEHOLD_FROM} WHERE h.unit_code = $1 AND h.address_folded = $2"
        f" AND h.id <> $3 AND h.deleted_at IS NULL AND {scope} ORDER BY h.created_at, h.id LIMIT 20"
    )
    async with connection() as conn:
        return list(await conn.fetch(sql, *args))


async def soft_delete(table: str, record_id: uuid.UUID, version: int, actor: str, at: datetime) -> bool:
    """Leave a tombstone (sync devices learn of the deletion); the row itself stays."""
    async with connection() as conn:
        status = await conn.execute(
            f"UPDATE {table} SET deleted_at = $3, version = version + 1, updated_by = $4, updated_at = $3"
            " WHERE id = $1 AND version = $2 AND deleted_at IS NULL",
            record_id,
            version,
            at,
            actor,
        )
    return bool(status.endswith(" 1"))


async def move_household_members(household_id: uuid.UUID, unit_path: str) -> None:
    """A household moved to another area: its members and visits follow (scope is by their own path)."""
    async with connection() as conn:
        for table in ("residents", "visits"):
            await conn.execute(
                f"UPDATE {table} SET unit_path = $2 WHERE household_id = $1 AND unit_path <> $2",
                household_id,
                unit_path,
            )
        await conn.execute(
            "UPDATE consents SET unit_path = $2 WHERE resident_id IN"
            " (SELECT id FROM residents WHERE household_id = $1)",
            household_id,
            unit_path,
        )


async def area_addresses(unit_code: str) -> list[Any]:
    """Every household of an area (tombstones too) with what its folded address is made of."""
    async with connection() as conn:
        return list(
            await conn.fetch(
                "SELECT id, house_number, street, address_folded FROM households WHERE unit_code = $1", unit_code
            )
        )


async def set_addresses_folded(addresses: Sequence[tuple[uuid.UUID, str]]) -> None:
    """Store recomputed folded addresses (id, address), in one statement."""
    async with connection() as conn:
        await conn.execute(
            "UPDATE households h SET address_folded = a.address"
            " FROM unnest($1::uuid[], $2::text[]) AS a (id, address) WHERE h.id = a.id",
            [household_id for household_id, _ in addresses],
            [address for _, address in addresses],
        )


async def live_members(household_id: uuid.UUID) -> int:
    async with connection() as conn:
        count = await conn.fetchval(
            "SELECT count(*) FROM residents WHERE household_id = $1 AND deleted_at IS NULL", household_id
        )
    return int(count)


# Residents


async def insert_resident(values: Mapping[str, Any]) -> bool:
    return await _insert("residents", values)


async def update_resident(resident_id: uuid.UUID, version: int, values: Mapping[str, Any]) -> bool:
    return await _update("residents", resident_id, version, values)


async def get_resident(resident_id: uuid.UUID, paths: list[str], *, lock: bool = False) -> Any | None:
    args: list[Any] = [resident_id]
    scope = _scope("r.unit_path", paths, args)
    sql = f"SELECT {RESIDENT_COLUMNS} FROM residents r WHERE r.id = $1 AND r.deleted_at IS NULL AND {scope}"
    async with connection() as conn:
        return await conn.fetchrow(sql + (" FOR UPDATE" if lock else ""), *args)


async def household_with_members(household_id: uuid.UUID, paths: list[str]) -> tuple[Any | None, list[Any]]:
    """A live household in scope and its live members (the household's scope covers them), on one pooled
    connection: each acquire costs a round trip of its own when the connection is given back (its reset)."""
    async with connection() as conn:
        sql, args = _household_query(household_id, paths)
        household = await conn.fetchrow(sql, *args)
        if household is None:
            return None, []
        members = await conn.fetch(
            f"SELECT {RESIDENT_COLUMNS} FROM residents r WHERE r.household_id = $1 AND r.deleted_at IS NULL"
            " ORDER BY r.relation_to_head = 'head' DESC, r.birth_year NULLS LAST, r.name_folded, r.id",
            household_id,
        )
    return household, list(members)


async def list_residents(
    paths: list[str],
    unit_path: str | None,
    household_id: uuid.UUID | None,
    search: Search | None,
    after: tuple[int, str, str] | None,
    limit: int,
) -> list[Any]:
    """Residents in scope (optionally of one household, or matching a search), best match then by name."""
    args: list[Any] = []
    clauses = ["r.deleted_at IS NULL", _scope("r.unit_path", paths, args), _within("r.unit_path", unit_path, args)]
    if household_id is not None:
        clauses.append(f"r.household_id = {_param(household_id, args)}")
    rank = "0"
    if search is not None:
        condition, rank = _resident_match(search, args, _communes(paths, unit_path))
        clauses.append(condition)
    keyset = "TRUE"
    if after is not None:
        keyset = (
            f"(match, name_folded, id) > ({_param(after[0], args)}, {_param(after[1], args)},"
            f" {_param(after[2], args, '::uuid')})"
        )
    sql = f"""
        SELECT * FROM (SELECT {RESIDENT_COLUMNS}, {rank} AS match FROM residents r
                       WHERE {" AND ".join(clauses)}) hits
        WHERE {keyset} ORDER BY match, name_folded, id LIMIT {_param(limit, args)}"""
    async with connection() as conn:
        return list(await conn.fetch(sql, *args))


class ResidentKey(NamedTuple):
    """What makes two resident records look like one person."""

    unit_path: str
    name_folded: str
    birth_year: int | None
    id_hash: str | None
    phone_digits: str | None


async def resident_duplicates(paths: list[str], key: ResidentKey, exclude: uuid.UUID) -> list[Any]:
    """Live residents in scope sharing the ID number, the phone, or name + birth year in the same area.
    Each row says which of the three matched."""
    args: list[Any] = [key.unit_path, key.name_folded, key.birth_year, key.id_hash, key.phone_digits, exclude]
    scope = _scope("r.unit_path", paths, args)
    sql = f"""
        SELECT r.id, r.household_id, r.full_name,
               (r.unit_path = $1 AND r.name_folded = $2 AND r.birth_year = $3) AS same_person,
               (r.id_number_hash = $4) AS same_id, (r.phone_digits = $5) AS same_phone
        FROM residents r
        WHERE r.deleted_at IS NULL AND r.id <> $6 AND {scope}
          AND ((r.unit_path = $1 AND r.name_folded = $2 AND r.birth_year = $3)
               OR r.id_number_hash = $4 OR r.phone_digits = $5)
        ORDER BY r.created_at, r.id LIMIT 20"""
    async with connection() as conn:
        return list(await conn.fetch(sql, *args))


# Visits


async def insert_visit(values: Mapping[str, Any]) -> bool:
    return await _insert("visits", values)


async def update_visit(visit_id: uuid.UUID, version: int, values: Mapping[str, Any]) -> bool:
    return await _update("visits", visit_id, version, values)


async def get_visit(visit_id: uuid.UUID, paths: list[str], *, lock: bool = False) -> Any | None:
    args: list[Any] = [visit_id]
    scope = _scope("v.unit_path", paths, args)
    sql = f"SELECT {VISIT_COLUMNS} FROM visits v WHERE v.id = $1 AND v.deleted_at IS NULL AND {scope}"
    async with connection() as conn:
        return await conn.fetchrow(sql + (" FOR UPDATE" if lock else ""), *args)


async def list_visits(
    paths: list[str], household_id: uuid.UUID | None, after: tuple[str, str] | None, limit: int
) -> list[Any]:
    """Visits in scope, newest first, keyset-paged on (visited_on, id) descending."""
    args: list[Any] = []
    clauses = ["v.deleted_at IS NULL", _scope("v.unit_path", paths, args)]
    if household_id is not None:
        clauses.append(f"v.household_id = {_param(household_id, args)}")
    if after is not None:
        clauses.append(
            f"(v.visited_on, v.id) < ({_param(after[0], args, '::date')}, {_param(after[1], args, '::uuid')})"
        )
    sql = (
        f"SELECT {VISIT_COLUMNS} FROM visits v WHERE {' AND '.join(clauses)}"
        f" ORDER BY v.visited_on DESC, v.id DESC LIMIT {_param(limit, args)}"
    )
    async with connection() as conn:
        return list(await conn.fetch(sql, *args))


async def households_visited(unit_path: str, first_day: date, last_day: date) -> int:
    """Distinct households with a live visit between the two days, in the unit and below (unit reports)."""
    args: list[Any] = [first_day, last_day]
    within = _scope("v.unit_path", [unit_path], args)
    sql = (
        "SELECT count(DISTINCT v.household_id) FROM visits v"
        f" WHERE v.visited_on BETWEEN $1 AND $2 AND v.deleted_at IS NULL AND {within}"
    )
    async with connection() as conn:
        return int(await conn.fetchval(sql, *args))


# Consents


async def insert_consent(values: Mapping[str, Any]) -> bool:
    return await _insert("consents", values)


async def open_consent(resident_id: uuid.UUID, purpose: str) -> Any | None:
    async with connection() as conn:
        return await conn.fetchrow(
            f"SELECT {CONSENT_COLUMNS} FROM consents c WHERE c.resident_id = $1 AND c.purpose = $2"
            " AND c.withdrawn_at IS NULL",
            resident_id,
            purpose,
        )


async def get_consent(consent_id: uuid.UUID) -> Any | None:
    async with connection() as conn:
        return await conn.fetchrow(f"SELECT {CONSENT_COLUMNS} FROM consents c WHERE c.id = $1", consent_id)


async def consents_of(resident_id: uuid.UUID) -> list[Any]:
    async with connection() as conn:
        return list(
            await conn.fetch(
                f"SELECT {CONSENT_COLUMNS} FROM consents c WHERE c.resident_id = $1 ORDER BY c.given_at DESC, c.id",
                resident_id,
            )
        )


async def withdraw_consent(consent_id: uuid.UUID, actor: str, at: datetime) -> bool:
    async with connection() as conn:
        status = await conn.execute(
            "UPDATE consents SET withdrawn_at = $2, withdrawn_by = $3 WHERE id = $1 AND withdrawn_at IS NULL",
            consent_id,
            at,
            actor,
        )
    return bool(status.endswith(" 1"))


async def residential_areas() -> list[Any]:
    async with connection() as conn:
        return list(
            await conn.fetch(
                "SELECT code, path, name FROM units WHERE level = 'residential_area' AND valid_to IS NULL ORDER BY code"
            )
        )


async def area_activity(codes: Sequence[str], communes: Sequence[str], since: date) -> list[Any]:
    """Per current residential area, of these codes or under these communes: its live households, its last
    visit and the visits since a day."""
    sql = """
        SELECT u.code, u.name, u.kind, u.path,
          (SELECT count(*) FROM households h WHERE h.unit_path = u.path AND h.deleted_at IS NULL) AS households,
          v.last_visit, v.recent_visits
        FROM units u
        CROSS JOIN LATERAL (
          SELECT max(visited_on) AS last_visit, count(*) FILTER (WHERE visited_on >= $2) AS recent_visits
          FROM visits WHERE unit_path = u.path AND deleted_at IS NULL
        ) v
        WHERE (u.code = ANY($1::text[]) OR u.parent = ANY($3::text[])) AND u.level = 'residential_area'
          AND u.valid_to IS NULL
        ORDER BY u.name, u.code"""
    async with connection() as conn:
        return list(await conn.fetch(sql, list(codes), since, list(communes)))


# Bulk (demo data, later imports): COPY, about ten times faster than INSERTs at a million rows.


# The columns bulk loads (demo data, imports) fill when they COPY households in.
HOUSEHOLD_COPY_COLUMNS = (
    "id", "unit_code", "unit_path", "house_number", "street", "address_folded", "circumstances", "notes",
    "status", "head_resident_id", "version", "field_versions", "create_fingerprint", "created_by", "created_at",
    "updated_by", "updated_at",
)  # fmt: skip


async def address_sorts(household_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The listing order (address_sort) of these households: bulk loads send it with the residents they
    COPY, so that the database need not look each one up (the trigger of registry migration 2026-12-03T14:30
    does, for rows that come without it)."""
    async with connection() as conn:
        rows = await conn.fetch(
            "SELECT id, address_sort FROM households WHERE id = ANY($1::uuid[])", list(household_ids)
        )
    return {row["id"]: row["address_sort"] for row in rows}


# The registry's GIN indexes (words, and each commune's words): PostgreSQL queues their new entries in a
# pending list (fastupdate) that every search of the index reads in full until it is merged.
SEARCH_WORD_INDEXES = (
    "households_address_search", "households_address_commune", "residents_name_search", "residents_name_commune",
)  # fmt: skip


async def merge_pending_search_words() -> None:
    """Merge the search indexes' pending lists now, after an import committed. Left to autovacuum, which at
    a million households comes only after a fifth of the table has changed, what an import leaves there (up
    to each list's limit: 512 kB, registry migration 2026-12-03T16:00) is read by every search in the
    country: with GIN's default 4 MB, 30,000 residents left 310 pending pages, and a search with no match
    took 6.4 ms instead of 1.2 (merging: 0.5 s). The import has committed: a failure here only leaves the
    lists to autovacuum."""
    try:
        async with connection() as conn:
            await conn.execute(
                "SELECT gin_clean_pending_list(name::regclass) FROM unnest($1::text[]) AS name",
                list(SEARCH_WORD_INDEXES),
            )
    except asyncpg.PostgresError as error:
        logger.warning("registry: search words left pending after an import: %r", error)


async def settle_after_bulk_load() -> None:
    """VACUUM (ANALYZE) households and residents, outside any transaction, after a load of many rows: the
    search indexes' pending words (GIN's fast-update list, read in full by every search until merged) are
    merged, the visibility map is set, and the planner learns the tables' new sizes and words. Autovacuum
    gets there too, but only after a fifth of the table has changed. About 3 s at a million households."""
    async with connection() as conn:
        for table in ("households", "residents"):
            await conn.execute(f"VACUUM (ANALYZE) {table}")


async def copy_rows(table: str, columns: Sequence[str], records: Sequence[tuple[Any, ...]]) -> None:
    async with connection() as conn:
        await conn.copy_records_to_table(table, records=records, columns=list(columns))
