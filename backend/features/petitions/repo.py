"""Petition queries (raw SQL over the pool, joining the current transaction). Scope is always in the SQL."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from backend.db import connection
from backend.lib.access import scope_sql

PETITION_COLUMNS = (
    "p.id, p.tracking_code, p.idempotency_key, p.create_fingerprint, p.channel, p.filer_account, p.filed_by,"
    " p.contact_name, p.contact_phone, p.contact_email, p.anonymous, p.denunciation, p.consent_at,"
    " p.household_id, p.visit_id, p.title, p.description, p.category_code, p.origin_unit_code,"
    " p.origin_unit_path, p.unit_code, p.unit_path, p.address, p.latitude, p.longitude, p.state, p.assignee,"
    " p.due_at, p.escalations, p.forwarded_to, p.dispatch_number, p.dispatch_date, p.answer, p.reject_reason,"
    " p.merged_into, p.reopen_reason, p.created_at, p.updated_at, p.answered_at, p.published_at, p.closed_at"
)
CATEGORY_COLUMNS = (
    "code, name_vi, name_en, handling_level, deadline_unit, acknowledge_within, classify_within, answer_within,"
    " sensitive, active"
)
# Columns a transition may set (names never come from input: this list is the allowlist).
WRITABLE = frozenset(
    {
        "state",
        "category_code",
        "unit_code",
        "unit_path",
        "assignee",
        "due_at",
        "escalations",
        "forwarded_to",
        "dispatch_number",
        "dispatch_date",
        "answer",
        "reject_reason",
        "merged_into",
        "reopen_reason",
        "answered_at",
        "published_at",
        "closed_at",
        "updated_at",
    }
)


class Access(NamedTuple):
    """Who may reach a petition: staff within these unit paths, or the account it is assigned to."""

    paths: list[str]
    account_id: uuid.UUID | None


def _access_sql(access: Access, next_param: int) -> tuple[str, list[Any]]:
    condition, args = scope_sql("p.unit_path", access.paths, next_param)
    if access.account_id is None:
        return condition, list(args)
    return f"({condition} OR p.assignee = ${next_param + len(args)})", [*args, access.account_id]


async def categories(active_only: bool = True) -> list[Any]:
    where = "WHERE active" if active_only else ""
    async with connection() as conn:
        return list(await conn.fetch(f"SELECT {CATEGORY_COLUMNS} FROM petition_categories {where} ORDER BY position"))


async def category(code: str) -> Any | None:
    async with connection() as conn:
        return await conn.fetchrow(f"SELECT {CATEGORY_COLUMNS} FROM petition_categories WHERE code = $1", code)


async def by_idempotency_key(key: str) -> Any | None:
    async with connection() as conn:
        return await conn.fetchrow(f"SELECT {PETITION_COLUMNS} FROM petitions p WHERE idempotency_key = $1", key)


async def insert_petition(values: Mapping[str, Any]) -> bool:
    """False when a concurrent request with the same idempotency key won."""
    names = list(values)
    placeholders = ", ".join(f"${i}" for i in range(1, len(names) + 1))
    sql = (
        f"INSERT INTO petitions ({', '.join(names)}) VALUES ({placeholders})"
        " ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING"
    )
    async with connection() as conn:
        status = await conn.execute(sql, *values.values())
    return bool(status.endswith(" 1"))


async def get(petition_id: uuid.UUID, access: Access, *, lock: bool = False) -> Any | None:
    condition, args = _access_sql(access, 2)
    suffix = " FOR UPDATE" if lock else ""
    sql = f"SELECT {PETITION_COLUMNS} FROM petitions p WHERE p.id = $1 AND {condition}{suffix}"
    async with connection() as conn:
        return await conn.fetchrow(sql, petition_id, *args)


async def get_unscoped(petition_id: uuid.UUID, *, lock: bool = False) -> Any | None:
    """For the filer's own actions and the deadline job (the caller has checked ownership or is the system)."""
    suffix = " FOR UPDATE" if lock else ""
    async with connection() as conn:
        return await conn.fetchrow(f"SELECT {PETITION_COLUMNS} FROM petitions p WHERE p.id = $1{suffix}", petition_id)


async def lock_many(petition_ids: Sequence[uuid.UUID]) -> list[Any]:
    """These petitions (those that exist), locked in id order (concurrent lockers agree on the order)."""
    async with connection() as conn:
        return list(
            await conn.fetch(
                f"SELECT {PETITION_COLUMNS} FROM petitions p WHERE p.id = ANY($1::uuid[]) ORDER BY p.id FOR UPDATE",
                sorted(petition_ids),
            )
        )


async def by_tracking_code(code: str) -> Any | None:
    async with connection() as conn:
        return await conn.fetchrow(f"SELECT {PETITION_COLUMNS} FROM petitions p WHERE tracking_code = $1", code)


async def update(petition_id: uuid.UUID, changes: Mapping[str, Any]) -> None:
    unknown = set(changes) - WRITABLE
    if unknown:
        raise ValueError(f"not writable: {sorted(unknown)}")
    assignments = ", ".join(f"{name} = ${i}" for i, name in enumerate(changes, start=2))
    async with connection() as conn:
        await conn.execute(f"UPDATE petitions SET {assignments} WHERE id = $1", petition_id, *changes.values())


async def add_event(
    petition_id: uuid.UUID,
    at: datetime,
    actor: str,
    action: str,
    from_state: str | None,
    to_state: str,
    note: str = "",
    details: Mapping[str, Any] | None = None,
) -> int:
    async with connection() as conn:
        return int(
            await conn.fetchval(
                """
                INSERT INTO petition_events (petition_id, at, actor, action, from_state, to_state, note, details)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb) RETURNING id
                """,
                petition_id,
                at,
                actor,
                action,
                from_state,
                to_state,
                note,
                json.dumps(details or {}, default=str),
            )
        )


async def timeline(petition_id: uuid.UUID) -> list[Any]:
    async with connection() as conn:
        return list(
            await conn.fetch(
                "SELECT at, actor, action, from_state, to_state, note FROM petition_events"
                " WHERE petition_id = $1 ORDER BY id",
                petition_id,
            )
        )


# steps and deadlines


async def open_step(
    petition_id: uuid.UUID,
    step: str,
    unit_path: str,
    assignee: uuid.UUID | None,
    started_at: datetime,
    due_at: datetime,
    reminder: tuple[str, datetime] | None,
) -> int:
    async with connection() as conn:
        return int(
            await conn.fetchval(
                """
                INSERT INTO petition_steps (petition_id, step, unit_path, assignee, started_at, due_at,
                                            next_reminder, next_reminder_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id
                """,
                petition_id,
                step,
                unit_path,
                assignee,
                started_at,
                due_at,
                reminder[0] if reminder else None,
                reminder[1] if reminder else None,
            )
        )


async def current_step(petition_id: uuid.UUID) -> Any | None:
    async with connection() as conn:
        return await conn.fetchrow(
            "SELECT id, step, assignee, due_at, next_reminder, next_reminder_at FROM petition_steps"
            " WHERE petition_id = $1 AND done_at IS NULL ORDER BY id DESC LIMIT 1",
            petition_id,
        )


async def close_steps(petition_id: uuid.UUID, at: datetime) -> None:
    async with connection() as conn:
        await conn.execute(
            "UPDATE petition_steps SET done_at = $2, next_reminder = NULL, next_reminder_at = NULL"
            " WHERE petition_id = $1 AND done_at IS NULL",
            petition_id,
            at,
        )


async def set_step(step_id: int, assignee: uuid.UUID | None, unit_path: str | None = None) -> None:
    async with connection() as conn:
        await conn.execute(
            "UPDATE petition_steps SET assignee = $2, unit_path = coalesce($3, unit_path) WHERE id = $1",
            step_id,
            assignee,
            unit_path,
        )


async def set_reminder(step_id: int, reminder: tuple[str, datetime] | None) -> None:
    async with connection() as conn:
        await conn.execute(
            "UPDATE petition_steps SET next_reminder = $2, next_reminder_at = $3 WHERE id = $1",
            step_id,
            reminder[0] if reminder else None,
            reminder[1] if reminder else None,
        )


async def claim_due_steps(now: datetime, limit: int) -> list[Any]:
    """Open steps whose next reminder is due, locked (other workers skip them) until the transaction ends."""
    async with connection() as conn:
        return list(
            await conn.fetch(
                """
                SELECT s.id, s.petition_id, s.step, s.assignee, s.due_at, s.next_reminder, s.next_reminder_at
                FROM petition_steps s
                WHERE s.done_at IS NULL AND s.next_reminder_at <= $1
                ORDER BY s.next_reminder_at
                LIMIT $2
                FOR UPDATE SKIP LOCKED
                """,
                now,
                limit,
            )
        )


# people


async def eligible_assignee(account_id: uuid.UUID, unit_path: str, on: Any) -> bool:
    """A staff member (valid non-citizen role) whose unit is the petition's unit, above it or below it."""
    async with connection() as conn:
        return bool(
            await conn.fetchval(
                """
                SELECT EXISTS (
                    SELECT 1 FROM role_assignments r JOIN units u ON u.code = r.unit
                    JOIN accounts a ON a.id = r.account
                    WHERE r.account = $1 AND r.role <> 'citizen' AND a.status = 'active'
                      AND (r.valid_from IS NULL OR r.valid_from <= $3) AND (r.valid_to IS NULL OR r.valid_to >= $3)
                      AND ($2 = u.path OR $2 LIKE u.path || '/%' OR u.path LIKE $2 || '/%'))
                """,
                account_id,
                unit_path,
                on,
            )
        )


async def officers_of(unit_code: str, on: Any) -> list[uuid.UUID]:
    """Active staff bound to exactly this unit (who receive an escalated petition)."""
    async with connection() as conn:
        rows = await conn.fetch(
            """
            SELECT DISTINCT r.account FROM role_assignments r JOIN accounts a ON a.id = r.account
            WHERE r.unit = $1 AND r.role <> 'citizen' AND a.status = 'active'
              AND (r.valid_from IS NULL OR r.valid_from <= $2) AND (r.valid_to IS NULL OR r.valid_to >= $2)
            """,
            unit_code,
            on,
        )
    return [row["account"] for row in rows]


async def ancestor_at_level(unit_code: str, level: str) -> Any | None:
    """The unit itself or its ancestor at level (codes of a path are the ancestors' codes)."""
    async with connection() as conn:
        return await conn.fetchrow(
            """
            SELECT a.code, a.path, a.level, a.parent FROM units u
            JOIN units a ON a.code = ANY(string_to_array(u.path, '/'))
            WHERE u.code = $1 AND a.level = $2
            """,
            unit_code,
            level,
        )


# listing and search


class InboxFilter(NamedTuple):
    states: Sequence[str]
    # Only these assigned to this account (and then wherever they are: an assignee may be outside the scope).
    assignee: uuid.UUID | None
    unit_path: str | None


# The states the inbox shows by default; the same list is the predicate of the petitions_inbox_open index.
INBOX_STATES = ("received", "classified", "assigned", "forwarded", "reopened", "answered")
# No deadline sorts last; as an expression (indexed) so that keyset pages stay index range scans.
DUE_KEY = "coalesce(p.due_at, 'infinity'::timestamptz)"


async def inbox(
    paths: list[str], wanted: InboxFilter, after: tuple[datetime | None, uuid.UUID] | None, limit: int
) -> list[Any]:
    """Petitions by due date (no deadline last), then id; keyset-paged. Each filter is written the way one
    of the inbox indexes reads it: one state (state, due), the default states (partial index), a narrow
    scope (path, state, due)."""
    values: list[Any] = []

    def param(value: Any) -> str:
        values.append(value)
        return f"${len(values)}"

    if wanted.assignee is not None:
        clauses = [f"p.assignee = {param(wanted.assignee)}"]
    else:
        condition, args = scope_sql("p.unit_path", paths, 1)
        clauses, values = [condition], list(args)
    if list(wanted.states) == list(INBOX_STATES):
        clauses.append("p.state IN (" + ", ".join(f"'{state}'" for state in INBOX_STATES) + ")")
    elif len(wanted.states) == 1:
        clauses.append(f"p.state = {param(wanted.states[0])}")
    else:
        clauses.append(f"p.state = ANY({param(list(wanted.states))}::varchar[])")
    if wanted.unit_path is not None:
        path = wanted.unit_path
        clauses.append(f"(p.unit_path = {param(path)} OR p.unit_path LIKE {param(path + '/%')})")
    if after is not None:
        due, last_id = after
        clauses.append(f"({DUE_KEY}, p.id) > (coalesce({param(due)}::timestamptz, 'infinity'), {param(last_id)})")
    # The page's ids first, from the index alone (scope and state are checked on index entries, so rows
    # outside the scope cost no heap reads), then those rows.
    sql = f"""
        SELECT p.id, p.title, p.state, p.category_code, p.unit_code, p.channel, p.assignee, p.due_at, p.created_at
        FROM petitions p
        JOIN (SELECT p.id FROM petitions p WHERE {" AND ".join(clauses)} ORDER BY {DUE_KEY}, p.id
              LIMIT {param(limit)}) page USING (id)
        ORDER BY {DUE_KEY}, p.id"""
    async with connection() as conn:
        return list(await conn.fetch(sql, *values))


async def of_filer(account_id: uuid.UUID, limit: int) -> list[Any]:
    async with connection() as conn:
        return list(
            await conn.fetch(
                "SELECT p.id, p.title, p.state, p.category_code, p.unit_code, p.channel, p.assignee, p.due_at,"
                " p.created_at FROM petitions p WHERE p.filer_account = $1 ORDER BY p.created_at DESC LIMIT $2",
                account_id,
                limit,
            )
        )


class DuplicateProbe(NamedTuple):
    category_code: str | None
    origin_unit_path: str
    latitude: float | None
    longitude: float | None
    tsquery: str


# About 300 m in degrees of latitude (longitude degrees are shorter at Viet Nam's latitudes: close enough).
NEARBY_DEGREES = 0.003
# Candidates per source (same area, nearby) before the text is compared: the most recent ones.
CANDIDATES = 200
_LIVE = "state NOT IN ('merged', 'rejected', 'closed')"


async def duplicates(probe: DuplicateProbe, exclude: uuid.UUID | None, limit: int = 50) -> list[Any]:
    """Live petitions from the same residential area (or unit) or within about 300 m whose text shares a
    word with the probe's, newest first. Candidates come from indexes on the area and the position, so the
    cost does not grow with the table. Not scoped: the caller keeps only those the reader may see."""
    if not probe.tsquery:
        return []
    async with connection() as conn:
        return list(
            await conn.fetch(
                f"""
                WITH candidates AS (
                    (SELECT id FROM petitions WHERE origin_unit_path = $3 AND {_LIVE}
                     ORDER BY created_at DESC LIMIT $8)
                    UNION
                    (SELECT id FROM petitions WHERE $4::float8 IS NOT NULL AND {_LIVE}
                       AND latitude BETWEEN $4 - $7 AND $4 + $7 AND longitude BETWEEN $5 - $7 AND $5 + $7
                     ORDER BY created_at DESC LIMIT $8)
                )
                SELECT p.id, p.title, p.state, p.category_code, p.created_at, p.unit_path, p.published_at,
                       p.denunciation,
                       (p.category_code IS NOT DISTINCT FROM $2 AND $2 IS NOT NULL) AS same_category,
                       (p.origin_unit_path = $3) AS same_area,
                       ($4::float8 IS NOT NULL AND p.latitude IS NOT NULL
                        AND abs(p.latitude - $4) <= $7 AND abs(p.longitude - $5) <= $7) AS nearby
                FROM petitions p JOIN candidates USING (id)
                WHERE to_tsvector('simple', p.text_folded) @@ to_tsquery('simple', $1) AND p.id IS DISTINCT FROM $6
                ORDER BY p.created_at DESC, p.id
                LIMIT $9
                """,
                probe.tsquery,
                probe.category_code,
                probe.origin_unit_path,
                probe.latitude,
                probe.longitude,
                exclude,
                NEARBY_DEGREES,
                CANDIDATES,
                limit,
            )
        )


async def published(tsquery: str | None, after: tuple[datetime, uuid.UUID] | None, limit: int) -> list[Any]:
    clauses = ["p.state IN ('published', 'closed')", "p.published_at IS NOT NULL", "NOT p.denunciation"]
    args: list[Any] = []
    if tsquery:
        args.append(tsquery)
        clauses.append(f"to_tsvector('simple', p.text_folded) @@ to_tsquery('simple', ${len(args)})")
    if after is not None:
        args.extend(after)
        clauses.append(f"(p.published_at, p.id) < (${len(args) - 1}, ${len(args)})")
    args.append(limit)
    sql = f"""
        SELECT p.id, p.title, p.description, p.category_code, p.unit_code, p.answer, p.published_at, r.score
        FROM petitions p LEFT JOIN petition_ratings r ON r.petition_id = p.id
        WHERE {" AND ".join(clauses)}
        ORDER BY p.published_at DESC, p.id DESC LIMIT ${len(args)}"""
    async with connection() as conn:
        return list(await conn.fetch(sql, *args))


# attachments


async def insert_attachment(values: Mapping[str, Any]) -> None:
    names = list(values)
    placeholders = ", ".join(f"${i}" for i in range(1, len(names) + 1))
    async with connection() as conn:
        await conn.execute(
            f"INSERT INTO petition_attachments ({', '.join(names)}) VALUES ({placeholders})", *values.values()
        )


async def attachments(petition_id: uuid.UUID, purpose: str | None = None) -> list[Any]:
    async with connection() as conn:
        return list(
            await conn.fetch(
                "SELECT id, petition_id, purpose, media_type, filename, size_bytes, sha256, original_key, public_key,"
                " width, height FROM petition_attachments WHERE petition_id = $1 AND ($2::varchar IS NULL OR"
                " purpose = $2) ORDER BY created_at, id",
                petition_id,
                purpose,
            )
        )


async def attachment(attachment_id: uuid.UUID) -> Any | None:
    async with connection() as conn:
        return await conn.fetchrow(
            "SELECT id, petition_id, purpose, media_type, filename, size_bytes, sha256, original_key, public_key,"
            " width, height FROM petition_attachments WHERE id = $1",
            attachment_id,
        )


# ratings and the tracking throttle


async def rating(petition_id: uuid.UUID) -> int | None:
    async with connection() as conn:
        value = await conn.fetchval("SELECT score FROM petition_ratings WHERE petition_id = $1", petition_id)
    return int(value) if value is not None else None


async def rate(petition_id: uuid.UUID, score: int, comment: str, at: datetime) -> bool:
    """False when the petition was rated before (a rating is given once)."""
    async with connection() as conn:
        status = await conn.execute(
            "INSERT INTO petition_ratings (petition_id, score, comment, rated_at) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (petition_id) DO NOTHING",
            petition_id,
            score,
            comment,
            at,
        )
    return bool(status.endswith(" 1"))


async def throttle_state(client_key: str) -> Any | None:
    async with connection() as conn:
        return await conn.fetchrow(
            "SELECT failures, last_failure_at, locked_until FROM petition_track_throttle WHERE client_key = $1",
            client_key,
        )


async def save_throttle(client_key: str, failures: int, last: datetime | None, locked_until: datetime | None) -> None:
    async with connection() as conn:
        await conn.execute(
            """
            INSERT INTO petition_track_throttle (client_key, failures, last_failure_at, locked_until)
            VALUES ($1, $2, $3, $4)
            ON CONFLICT (client_key) DO UPDATE SET failures = $2, last_failure_at = $3, locked_until = $4
            """,
            client_key,
            failures,
            last,
            locked_until,
        )


async def open311_requests(
    *,
    ids: Sequence[uuid.UUID] | None = None,
    service_code: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int = 1000,
) -> list[Any]:
    """Petitions as Open311 service requests: these ids (any state), or the published ones updated in the
    window, newest first. With their category's and unit's names and the first evidence file."""
    if ids is not None:
        where, args = "p.id = ANY($1::uuid[])", [list(ids), limit]
    else:
        where = (
            "p.state IN ('published', 'closed') AND p.published_at IS NOT NULL AND NOT p.denunciation"
            " AND p.updated_at BETWEEN $2 AND $3 AND ($1::varchar IS NULL OR p.category_code = $1)"
        )
        args = [service_code, start, end, limit]
    sql = f"""
        SELECT {PETITION_COLUMNS}, c.name_vi AS category_name, u.name AS unit_name,
               (SELECT a.id FROM petition_attachments a WHERE a.petition_id = p.id AND a.purpose = 'evidence'
                ORDER BY a.created_at, a.id LIMIT 1) AS media_id
        FROM petitions p
        JOIN units u ON u.code = p.unit_code
        LEFT JOIN petition_categories c ON c.code = p.category_code
        WHERE {where}
        ORDER BY p.updated_at DESC, p.id
        LIMIT ${len(args)}"""
    async with connection() as conn:
        return list(await conn.fetch(sql, *args))
