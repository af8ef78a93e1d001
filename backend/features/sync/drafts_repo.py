"""Queries on drafts (raw asyncpg, joined to the current transaction like every repo)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from backend.db import connection
from backend.features.sync.feed import PullWindow, window_sql
from backend.lib.access import scope_sql

DRAFT_COLUMNS = (
    "id, owner, unit_code, unit_path, kind, title, body, version, field_versions::text AS field_versions,"
    " deleted, created_at, updated_at"
)
# Columns a change may write; anything else in a change is a programming error, never SQL.
WRITABLE = ("kind", "title", "body", "deleted")


async def get(draft_id: uuid.UUID, *, lock: bool = False) -> Any | None:
    async with connection() as conn:
        return await conn.fetchrow(
            f"SELECT {DRAFT_COLUMNS} FROM drafts WHERE id = $1{' FOR UPDATE' if lock else ''}", draft_id
        )


async def locked(draft_ids: Sequence[uuid.UUID]) -> list[Any]:
    """The drafts among draft_ids, locked in id order."""
    async with connection() as conn:
        return list(
            await conn.fetch(
                f"SELECT {DRAFT_COLUMNS} FROM drafts WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE", draft_ids
            )
        )


async def insert(
    draft_id: uuid.UUID,
    owner: uuid.UUID,
    values: Mapping[str, Any],
    unit_path: str,
    now: datetime,
) -> None:
    async with connection() as conn:
        await conn.execute(
            "INSERT INTO drafts (id, owner, unit_code, unit_path, kind, title, body, version, field_versions,"
            " deleted, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 1, '{}', FALSE, $8, $8)",
            draft_id,
            owner,
            values["unit_code"],
            unit_path,
            values["kind"],
            values["title"],
            values["body"],
            now,
        )


async def save(
    draft_id: uuid.UUID, changes: Mapping[str, Any], version: int, field_versions: str, now: datetime
) -> None:
    unknown = set(changes) - set(WRITABLE)
    if unknown:
        raise ValueError(f"drafts have no writable columns {sorted(unknown)}")
    args: list[Any] = [draft_id, version, field_versions, now]
    assignments = ["version = $2", "field_versions = $3::jsonb", "updated_at = $4"]
    for column in WRITABLE:
        if column in changes:
            args.append(changes[column])
            assignments.append(f"{column} = ${len(args)}")
    async with connection() as conn:
        await conn.execute(f"UPDATE drafts SET {', '.join(assignments)} WHERE id = $1", *args)


async def pull(read_paths: list[str], window: PullWindow, limit: int) -> list[Any]:
    window_clause, window_args = window_sql(window, 1)
    scope, scope_args = scope_sql("unit_path", read_paths, 1 + len(window_args))
    args = [*window_args, *scope_args, limit]
    sql = (
        f"SELECT {DRAFT_COLUMNS}, sync_xid FROM drafts WHERE {window_clause} AND {scope}"
        f" ORDER BY sync_xid, id LIMIT ${len(args)}"
    )
    async with connection() as conn:
        return list(await conn.fetch(sql, *args))


async def page(read_paths: list[str], after: tuple[datetime, uuid.UUID] | None, limit: int) -> list[Any]:
    """Live drafts within the paths, most recently changed first, keyset-paged."""
    scope, scope_args = scope_sql("unit_path", read_paths, 1)
    args: list[Any] = list(scope_args)
    clauses = ["NOT deleted", scope]
    if after is not None:
        args.extend(after)
        clauses.append(f"(updated_at, id) < (${len(args) - 1}, ${len(args)})")
    args.append(limit)
    sql = (
        f"SELECT {DRAFT_COLUMNS} FROM drafts WHERE {' AND '.join(clauses)}"
        f" ORDER BY updated_at DESC, id DESC LIMIT ${len(args)}"
    )
    async with connection() as conn:
        return list(await conn.fetch(sql, *args))
