"""Unit report queries: raw asyncpg on the unit_reports table (piccolo_migrations/).

Column names in the dynamic parts come from this module, never from input.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, NamedTuple

from backend.db import connection
from backend.lib.access import scope_sql

REPORT_COLUMNS = (
    "r.id, r.unit_code, r.unit_path, r.week_start, r.revision, r.status, r.members, r.cadres,"
    " r.households_visited, r.households_visited_registry, r.activities, r.petitions, r.difficulties,"
    " r.recommendations, r.version, r.supersedes, r.correction_reason, r.first_submitted_at, r.submitted_at,"
    " r.submitted_by, r.updated_at"
)
# What a correction copies from the revision it corrects.
FIGURE_COLUMNS = (
    "members", "cadres", "households_visited", "activities", "petitions", "difficulties", "recommendations",
)  # fmt: skip
# The most difficulties/recommendations and missing units one roll-up lists (the totals count them all).
LISTED = 200


async def latest(unit_code: str, week_start: date, *, lock: bool = False) -> Any | None:
    """The week's newest revision: the open draft (a first report or a correction) or the standing one."""
    sql = (
        f"SELECT {REPORT_COLUMNS} FROM unit_reports r WHERE r.unit_code = $1 AND r.week_start = $2"
        " ORDER BY r.revision DESC LIMIT 1"
    )
    async with connection() as conn:
        return await conn.fetchrow(sql + (" FOR UPDATE" if lock else ""), unit_code, week_start)


async def revisions(unit_code: str, week_start: date) -> list[Any]:
    async with connection() as conn:
        return list(
            await conn.fetch(
                "SELECT id, revision, status, submitted_at, submitted_by, correction_reason FROM unit_reports"
                " WHERE unit_code = $1 AND week_start = $2 ORDER BY revision",
                unit_code,
                week_start,
            )
        )


async def insert(values: Mapping[str, Any]) -> None:
    placeholders = ", ".join(f"${n}" for n in range(1, len(values) + 1))
    async with connection() as conn:
        await conn.execute(f"INSERT INTO unit_reports ({', '.join(values)}) VALUES ({placeholders})", *values.values())


async def update(report_id: uuid.UUID, version: int, values: Mapping[str, Any]) -> bool:
    """Apply values to a draft still at `version`; False when it moved on or is no longer a draft."""
    assignments = ", ".join(f"{name} = ${n}" for n, name in enumerate(values, start=3))
    async with connection() as conn:
        status = await conn.execute(
            f"UPDATE unit_reports SET {assignments}, version = version + 1"
            " WHERE id = $1 AND version = $2 AND status = 'draft'",
            report_id,
            version,
            *values.values(),
        )
    return bool(status.endswith(" 1"))


async def supersede(report_id: uuid.UUID) -> None:
    async with connection() as conn:
        await conn.execute(
            "UPDATE unit_reports SET status = 'superseded' WHERE id = $1 AND status = 'submitted'", report_id
        )


class Totals(NamedTuple):
    level: str
    units: int
    reported: int
    late: int
    members: int
    cadres: int
    households_visited: int
    activities: int
    petitions: int
    petitions_reported_by: int


def _below(unit: Any, next_param: int) -> tuple[str, list[Any]]:
    """Current units strictly below `unit` (any depth), by path prefix."""
    scope, args = scope_sql("u.path", [unit["path"]], next_param)
    return f"{scope} AND u.code <> ${next_param + len(args)} AND u.valid_to IS NULL", [*args, unit["code"]]


_STANDING = "LEFT JOIN unit_reports r ON r.unit_code = u.code AND r.week_start = $1 AND r.status = 'submitted'"


async def totals_by_level(unit: Any, week_start: date, deadline: datetime) -> list[Totals]:
    """Per level below the unit: how many units, how many reported (a standing submission), the sums."""
    below, args = _below(unit, 3)
    sql = f"""
        SELECT u.level, count(*) AS units, count(r.id) AS reported,
               count(r.id) FILTER (WHERE r.first_submitted_at > $2) AS late,
               coalesce(sum(r.members), 0) AS members, coalesce(sum(r.cadres), 0) AS cadres,
               coalesce(sum(r.households_visited), 0) AS households_visited,
               coalesce(sum(r.activities), 0) AS activities, coalesce(sum(r.petitions), 0) AS petitions,
               count(r.petitions) AS petitions_reported_by
        FROM units u {_STANDING}
        WHERE {below} GROUP BY u.level"""
    async with connection() as conn:
        rows = await conn.fetch(sql, week_start, deadline, *args)
    return [Totals(**{name: row[name] for name in Totals._fields}) for row in rows]


async def notes(unit: Any, week_start: date) -> tuple[list[Any], int]:
    """Difficulties and recommendations of the standing submissions below the unit (first LISTED, by path)."""
    below, args = _below(unit, 2)
    sql = f"""
        SELECT u.code, u.name, u.level, r.difficulties, r.recommendations, count(*) OVER () AS total
        FROM units u JOIN unit_reports r ON r.unit_code = u.code AND r.week_start = $1 AND r.status = 'submitted'
        WHERE {below} AND (r.difficulties <> '' OR r.recommendations <> '')
        ORDER BY u.path LIMIT {LISTED}"""
    async with connection() as conn:
        rows = list(await conn.fetch(sql, week_start, *args))
    return rows, int(rows[0]["total"]) if rows else 0


async def not_reported(unit: Any, week_start: date) -> list[Any]:
    """Units below without a standing submission for the week (first LISTED, by path)."""
    below, args = _below(unit, 2)
    sql = f"""
        SELECT u.code, u.name, u.level FROM units u {_STANDING}
        WHERE {below} AND r.id IS NULL ORDER BY u.path LIMIT {LISTED}"""
    async with connection() as conn:
        return list(await conn.fetch(sql, week_start, *args))
