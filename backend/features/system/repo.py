"""Read-only queries about the platform itself: the job queue (procrastinate's tables), push attempts,
VAPID keys and the migrations the database has run. All small: grouped counts over indexed columns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from backend import db


async def job_counts() -> list[Any]:
    async with db.connection() as conn:
        return list(
            await conn.fetch(
                "SELECT queue_name AS queue, status::text AS status, count(*) AS jobs"
                " FROM procrastinate_jobs GROUP BY 1, 2 ORDER BY 1, 2"
            )
        )


async def oldest_due_jobs() -> list[Any]:
    """Per queue, how long the longest-waiting due job has waited: since it was deferred, or since its
    scheduled time when that came later (a job scheduled for tomorrow is not late today)."""
    async with db.connection() as conn:
        return list(
            await conn.fetch(
                "SELECT j.queue_name AS queue,"
                " EXTRACT(EPOCH FROM now() - min(GREATEST(e.at, COALESCE(j.scheduled_at, e.at))))::float8 AS age"
                " FROM procrastinate_jobs j"
                " JOIN procrastinate_events e ON e.job_id = j.id AND e.type = 'deferred'"
                " WHERE j.status = 'todo' AND (j.scheduled_at IS NULL OR j.scheduled_at <= now())"
                " GROUP BY 1 ORDER BY 1"
            )
        )


async def jobs_failed_last_day() -> int:
    # procrastinate stamps its events with the database's clock, so the window is measured on it too.
    async with db.connection() as conn:
        return int(
            await conn.fetchval(
                "SELECT count(DISTINCT job_id) FROM procrastinate_events"
                " WHERE type = 'failed' AND at >= now() - interval '1 day'"
            )
        )


async def push_outcomes_since(since: datetime) -> dict[str, int]:
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT outcome, count(*) AS attempts FROM push_attempts WHERE at >= $1 GROUP BY 1 ORDER BY 1", since
        )
    return {row["outcome"]: row["attempts"] for row in rows}


async def active_vapid_key_created_at() -> datetime | None:
    async with db.connection() as conn:
        created: datetime | None = await conn.fetchval(
            "SELECT max(created_at) FROM push_vapid_keys WHERE state = 'active'"
        )
        return created


async def applied_migrations() -> set[tuple[str, str]]:
    async with db.connection() as conn:
        rows = await conn.fetch("SELECT app_name, name FROM migration")
    return {(row["app_name"], row["name"]) for row in rows}
