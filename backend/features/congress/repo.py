"""Queries of congress tracking (raw asyncpg: the roll-ups and the alert scan are set-based SQL over path
prefixes). Every function joins the caller's transaction when there is one (db.connection())."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from backend.db import connection

OFFICER_ROLES = ("central_admin", "province_officer", "commune_officer")
MILESTONE_COLUMNS = (
    "m.id, m.congress, m.stage, m.position, m.due_on, m.status, m.done_on, m.evidence::text AS evidence, m.note,"
    " m.version, m.reported_at, m.unit_path, m.level, m.term"
)
RESULT_COLUMNS = (
    "state, held_on, delegates_count, delegates_structure::text AS delegates_structure, committee_size, women_pct,"
    " non_party_pct, ethnic_minority_pct, religious_pct, youth_pct, leaders::text AS leaders,"
    " standing_committee::text AS standing_committee, delegation::text AS delegation,"
    " documents_adopted::text AS documents_adopted, version, updated_at"
)


def below(column: str, path: str, param: int) -> tuple[str, str]:
    """Strictly below path (a prefix match the text_pattern_ops indexes serve), and its LIKE argument."""
    escaped = path.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
    return f"{column} LIKE ${param}", escaped + "/%"


# --- terms and templates ---------------------------------------------------------------------------------


async def insert_term(code: str, name: str, actor: str, now: datetime) -> bool:
    async with connection() as conn:
        inserted = await conn.fetchval(
            "INSERT INTO congress_terms (code, name, created_by, created_at) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (code) DO NOTHING RETURNING code",
            code,
            name,
            actor,
            now,
        )
    return inserted is not None


async def insert_term_level(term: str, level: str, start_year: int, end_year: int) -> None:
    async with connection() as conn:
        await conn.execute(
            "INSERT INTO congress_term_levels (term, level, start_year, end_year) VALUES ($1, $2, $3, $4)",
            term,
            level,
            start_year,
            end_year,
        )


async def insert_templates(term: str, level: str, rows: Sequence[tuple[str, int, date, Sequence[str]]]) -> None:
    async with connection() as conn:
        await conn.executemany(
            "INSERT INTO congress_milestone_templates (term, level, stage, position, default_due, depends_on)"
            " VALUES ($1, $2, $3, $4, $5, $6)",
            [(term, level, stage, position, due, list(depends)) for stage, position, due, depends in rows],
        )


async def open_congresses(term: str, level: str, organisations: Sequence[str], today: date) -> int:
    """A Front congress for every current unit of the level, one per member organisation following it,
    and their milestones from the level's templates. Set-based: all communes at once."""
    async with connection() as conn:
        await conn.execute(
            "INSERT INTO congresses (id, term, unit_code, unit_path, level, organisation, follows, created_at)"
            " SELECT gen_random_uuid(), $1, code, path, level, 'front', NULL, now() FROM units"
            " WHERE level = $2 AND (valid_to IS NULL OR valid_to > $3)",
            term,
            level,
            today,
        )
        await conn.execute(
            "INSERT INTO congresses (id, term, unit_code, unit_path, level, organisation, follows, created_at)"
            " SELECT gen_random_uuid(), c.term, c.unit_code, c.unit_path, c.level, o, c.id, now()"
            " FROM congresses c CROSS JOIN unnest($3::text[]) AS o WHERE c.term = $1 AND c.level = $2"
            " AND c.organisation = 'front'",
            term,
            level,
            list(organisations),
        )
        status = await conn.execute(
            "INSERT INTO congress_milestones (id, congress, term, level, organisation, unit_path, stage, position,"
            " due_on, status, evidence, note, version)"
            " SELECT gen_random_uuid(), c.id, c.term, c.level, c.organisation, c.unit_path, t.stage, t.position,"
            " t.default_due, 'not_reported', '[]'::jsonb, '', 1"
            " FROM congresses c JOIN congress_milestone_templates t ON t.term = c.term AND t.level = c.level"
            " WHERE c.term = $1 AND c.level = $2",
            term,
            level,
        )
    return int(status.split()[-1])


async def refresh_statistics() -> None:
    """After a bulk change (a term opened, demo progress loaded): the planner's row estimates, not
    autovacuum's next visit, decide whether the roll-up and late-list queries take milliseconds or tens."""
    async with connection() as conn:
        await conn.execute("ANALYZE congresses, congress_milestones, congress_rollup")


async def list_terms() -> list[Any]:
    async with connection() as conn:
        return list(
            await conn.fetch("SELECT code, name, created_at FROM congress_terms ORDER BY created_at DESC, code")
        )


async def term_levels(term: str) -> list[Any]:
    async with connection() as conn:
        return list(
            await conn.fetch(
                "SELECT level, start_year, end_year FROM congress_term_levels WHERE term = $1 ORDER BY start_year",
                term,
            )
        )


async def templates(term: str, level: str | None = None) -> list[Any]:
    async with connection() as conn:
        return list(
            await conn.fetch(
                "SELECT level, stage, position, default_due, depends_on FROM congress_milestone_templates"
                " WHERE term = $1 AND ($2::text IS NULL OR level = $2) ORDER BY level, position",
                term,
                level,
            )
        )


async def count_congresses(term: str) -> int:
    async with connection() as conn:
        return int(await conn.fetchval("SELECT count(*) FROM congresses WHERE term = $1", term))


async def term_code(term: str | None) -> str | None:
    """The term asked for if it exists, else (none asked for) the latest one opened."""
    async with connection() as conn:
        code: str | None = await conn.fetchval(
            "SELECT code FROM congress_terms WHERE ($1::text IS NULL OR code = $1)"
            " ORDER BY created_at DESC, code DESC LIMIT 1",
            term,
        )
    return code


# --- deadlines -------------------------------------------------------------------------------------------


async def bound_above(term: str, level: str, stage: str, unit_path: str) -> date | None:
    """The tightest deadline for the stage set strictly above unit_path, or the template's default."""
    async with connection() as conn:
        bound: date | None = await conn.fetchval(
            "SELECT LEAST((SELECT default_due FROM congress_milestone_templates"
            "               WHERE term = $1 AND level = $2 AND stage = $3),"
            "             (SELECT min(due_on) FROM congress_deadlines WHERE term = $1 AND level = $2 AND stage = $3"
            "               AND starts_with($4, unit_path || '/')))",
            term,
            level,
            stage,
            unit_path,
        )
    return bound


async def upsert_deadline(
    term: str, level: str, stage: str, unit_code: str, unit_path: str, due_on: date, actor: str, now: datetime
) -> date | None:
    """Set the deadline; returns the one it replaced (None when new)."""
    async with connection() as conn:
        previous: date | None = await conn.fetchval(
            "SELECT due_on FROM congress_deadlines WHERE term = $1 AND level = $2 AND stage = $3 AND unit_code = $4"
            " FOR UPDATE",
            term,
            level,
            stage,
            unit_code,
        )
        await conn.execute(
            "INSERT INTO congress_deadlines (term, level, stage, unit_code, unit_path, due_on, set_by, set_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            " ON CONFLICT (term, level, unit_code, stage)"
            " DO UPDATE SET due_on = EXCLUDED.due_on, set_by = EXCLUDED.set_by, set_at = EXCLUDED.set_at",
            term,
            level,
            stage,
            unit_code,
            unit_path,
            due_on,
            actor,
            now,
        )
    return previous


async def refresh_due_dates(term: str, level: str, stage: str, unit_path: str) -> int:
    """Recompute the effective deadline of the stage's milestones at and below unit_path: the template's
    default tightened by every deadline set at or above each milestone's unit."""
    condition, pattern = below("m.unit_path", unit_path, 5)
    async with connection() as conn:
        status = await conn.execute(
            "UPDATE congress_milestones m SET due_on = LEAST(t.default_due,"
            "   (SELECT min(d.due_on) FROM congress_deadlines d WHERE d.term = m.term AND d.level = m.level"
            "    AND d.stage = m.stage"
            "    AND (m.unit_path = d.unit_path OR starts_with(m.unit_path, d.unit_path || '/'))))"
            " FROM congress_milestone_templates t"
            " WHERE t.term = m.term AND t.level = m.level AND t.stage = m.stage"
            f" AND m.term = $1 AND m.level = $2 AND m.stage = $3 AND (m.unit_path = $4 OR {condition})",
            term,
            level,
            stage,
            unit_path,
            pattern,
        )
    return int(status.split()[-1])


# --- congresses and milestones ------------------------------------------------------------------------------


async def get_congress(congress_id: uuid.UUID) -> Any | None:
    async with connection() as conn:
        return await conn.fetchrow(
            "SELECT c.id, c.term, c.unit_code, c.unit_path, c.level, c.organisation, c.follows, u.name AS unit_name,"
            " u.parent AS parent_code FROM congresses c JOIN units u ON u.code = c.unit_code WHERE c.id = $1",
            congress_id,
        )


async def find_congress(term: str, unit_code: str, organisation: str) -> uuid.UUID | None:
    async with connection() as conn:
        found: uuid.UUID | None = await conn.fetchval(
            "SELECT id FROM congresses WHERE term = $1 AND unit_code = $2 AND organisation = $3",
            term,
            unit_code,
            organisation,
        )
    return found


async def milestones_of(congress_id: uuid.UUID) -> list[Any]:
    async with connection() as conn:
        return list(
            await conn.fetch(
                f"SELECT {MILESTONE_COLUMNS}, t.depends_on FROM congress_milestones m"
                " JOIN congress_milestone_templates t ON t.term = m.term AND t.level = m.level AND t.stage = m.stage"
                " WHERE m.congress = $1 ORDER BY m.position",
                congress_id,
            )
        )


async def lock_milestones(congress_id: uuid.UUID) -> None:
    """Progress of one congress is written one change at a time (dependencies are checked across stages)."""
    async with connection() as conn:
        await conn.execute("SELECT 1 FROM congress_milestones WHERE congress = $1 FOR UPDATE", congress_id)


async def update_milestone(
    milestone_id: uuid.UUID,
    status: str,
    done_on: date | None,
    evidence: list[dict[str, Any]],
    note: str,
    actor: str,
    now: datetime,
) -> None:
    async with connection() as conn:
        await conn.execute(
            "UPDATE congress_milestones SET status = $2, done_on = $3, evidence = $4::jsonb, note = $5,"
            " version = version + 1, reported_by = $6, reported_at = $7 WHERE id = $1",
            milestone_id,
            status,
            done_on,
            json.dumps(evidence, ensure_ascii=False),
            note,
            actor,
            now,
        )


async def officers_of(unit_code: str, today: date) -> list[uuid.UUID]:
    """Active accounts holding an officer role bound to the unit itself (not to a unit above or below)."""
    async with connection() as conn:
        rows = await conn.fetch(
            "SELECT DISTINCT r.account FROM role_assignments r JOIN accounts a ON a.id = r.account"
            " WHERE r.unit = $1 AND r.role = ANY($2::text[]) AND a.status = 'active'"
            " AND (r.valid_from IS NULL OR r.valid_from <= $3) AND (r.valid_to IS NULL OR r.valid_to > $3)"
            " ORDER BY r.account",
            unit_code,
            list(OFFICER_ROLES),
            today,
        )
    return [row["account"] for row in rows]


# --- results ---------------------------------------------------------------------------------------------


async def get_result(congress_id: uuid.UUID, *, lock: bool = False) -> Any | None:
    async with connection() as conn:
        return await conn.fetchrow(
            f"SELECT {RESULT_COLUMNS} FROM congress_results WHERE congress = $1{' FOR UPDATE' if lock else ''}",
            congress_id,
        )


async def save_result(congress_id: uuid.UUID, state: str, fields: dict[str, Any], actor: str, now: datetime) -> None:
    """Insert or replace the result's fields (JSON-valued ones as jsonb), version + 1 on replace."""
    names = list(fields)
    values = [json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v for v in fields.values()]
    casts = ["::jsonb" if isinstance(v, list | dict) else "" for v in fields.values()]
    placeholders = ", ".join(f"${i + 5}{cast}" for i, cast in enumerate(casts))
    updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in names)
    async with connection() as conn:
        await conn.execute(
            f"INSERT INTO congress_results (congress, state, updated_by, updated_at, {', '.join(names)})"
            f" VALUES ($1, $2, $3, $4, {placeholders})"
            f" ON CONFLICT (congress) DO UPDATE SET state = EXCLUDED.state, updated_by = EXCLUDED.updated_by,"
            f" updated_at = EXCLUDED.updated_at, version = congress_results.version + 1, {updates}",
            congress_id,
            state,
            actor,
            now,
            *values,
        )


async def set_result_state(congress_id: uuid.UUID, state: str, actor: str, now: datetime) -> None:
    async with connection() as conn:
        await conn.execute(
            "UPDATE congress_results SET state = $2, version = version + 1, updated_by = $3, updated_at = $4"
            " WHERE congress = $1",
            congress_id,
            state,
            actor,
            now,
        )


async def add_event(
    congress_id: uuid.UUID, action: str, state_after: str, actor: str, reason: str, at: datetime
) -> None:
    async with connection() as conn:
        await conn.execute(
            "INSERT INTO congress_result_events (congress, action, state_after, actor, reason, at)"
            " VALUES ($1, $2, $3, $4, $5, $6)",
            congress_id,
            action,
            state_after,
            actor,
            reason,
            at,
        )


async def events_of(congress_id: uuid.UUID) -> list[Any]:
    async with connection() as conn:
        return list(
            await conn.fetch(
                "SELECT action, state_after, actor, reason, at FROM congress_result_events WHERE congress = $1"
                " ORDER BY at, id",
                congress_id,
            )
        )


async def submitted_below(
    scope: str, args: list[Any], after: tuple[datetime, uuid.UUID] | None, limit: int
) -> list[Any]:
    """Results waiting for a decision whose unit's parent is in the approver's scope (the SQL of scope
    matches `parent_path`), oldest submission first."""
    conditions = ["r.state = 'submitted'", scope]
    if after is not None:
        conditions.append(f"(r.updated_at, c.id) > (${len(args) + 1}, ${len(args) + 2})")
        args = [*args, *after]
    async with connection() as conn:
        return list(
            await conn.fetch(
                "SELECT c.id, c.unit_code, u.name AS unit_name, c.organisation, r.held_on, r.state, r.version,"
                " r.updated_at FROM congress_results r JOIN congresses c ON c.id = r.congress"
                " JOIN units u ON u.code = c.unit_code"
                " CROSS JOIN LATERAL (SELECT regexp_replace(c.unit_path, '/[^/]+$', '') AS parent_path) p"
                f" WHERE {' AND '.join(conditions)} ORDER BY r.updated_at, c.id LIMIT ${len(args) + 1}",
                *args,
                limit,
            )
        )
