"""Queries of the sync core: stored operation outcomes, conflicts, and the snapshot a pull starts from."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from backend.db import connection
from backend.features.sync.feed import Snapshot, bounded
from backend.lib.access import scope_sql

CONFLICT_COLUMNS = (
    "id, entity, entity_id, unit_path, status, op_id, account, device_id, base_version, server_version,"
    " fields::text AS fields, client_at, created_at, resolved_by, resolved_at, resolution::text AS resolution"
)


# What a claim records of an operation: op_id, entity, entity_id, action, fingerprint.
Claim = tuple[uuid.UUID, str, uuid.UUID, str, str]


async def stored_outcomes(account_id: uuid.UUID, op_ids: list[uuid.UUID]) -> dict[uuid.UUID, Any]:
    """op_id -> (fingerprint, outcome) of the given operations already applied for the account."""
    async with connection() as conn:
        rows = await conn.fetch(
            "SELECT op_id, fingerprint, outcome::text AS outcome FROM sync_operations"
            " WHERE account = $1 AND op_id = ANY($2::uuid[]) AND outcome IS NOT NULL",
            account_id,
            op_ids,
        )
    return {row["op_id"]: row for row in rows}


async def claim(account_id: uuid.UUID, device_id: str, now: datetime, operations: Sequence[Claim]) -> set[uuid.UUID]:
    """Reserve the operations' op_ids for this transaction, in order; the ones returned were free. A
    concurrent replay of the same operations waits here until the first attempt commits (then finds them
    taken) or rolls back (then takes them). The op_ids must be distinct."""
    op_ids, entities, entity_ids, actions, fingerprints = (list(column) for column in zip(*operations, strict=True))
    async with connection() as conn:
        rows = await conn.fetch(
            "INSERT INTO sync_operations"
            " (account, op_id, device_id, entity, entity_id, action, fingerprint, created_at)"
            " SELECT $1, op_id, $2, entity, entity_id, action, fingerprint, $3"
            " FROM unnest($4::uuid[], $5::text[], $6::uuid[], $7::text[], $8::text[]) WITH ORDINALITY"
            " AS o(op_id, entity, entity_id, action, fingerprint, position)"
            " ORDER BY position ON CONFLICT (account, op_id) DO NOTHING RETURNING op_id",
            account_id,
            device_id,
            now,
            op_ids,
            entities,
            entity_ids,
            actions,
            fingerprints,
        )
    return {row["op_id"] for row in rows}


async def settle(account_id: uuid.UUID, outcomes: dict[uuid.UUID, str], unused: list[uuid.UUID]) -> None:
    """Store the outcomes of the claimed operations that were applied, and give back the claims of those
    that were not (rejected, or not reached), so that they can be sent again."""
    async with connection() as conn:
        if outcomes:
            await conn.execute(
                "UPDATE sync_operations s SET outcome = o.outcome::jsonb"
                " FROM unnest($2::uuid[], $3::text[]) AS o(op_id, outcome)"
                " WHERE s.account = $1 AND s.op_id = o.op_id",
                account_id,
                list(outcomes),
                list(outcomes.values()),
            )
        if unused:
            await conn.execute(
                "DELETE FROM sync_operations WHERE account = $1 AND op_id = ANY($2::uuid[])", account_id, unused
            )


async def current_snapshot() -> Snapshot:
    async with connection() as conn:
        xmin, xmax, running = await conn.fetchval("SELECT pg_current_snapshot()")
    return bounded((int(xmin), int(xmax), tuple(int(xid) for xid in running)))


async def insert_conflict(
    conflict_id: uuid.UUID,
    entity: str,
    entity_id: uuid.UUID,
    unit_path: str,
    op_id: uuid.UUID,
    account_id: uuid.UUID,
    device_id: str,
    base_version: int,
    server_version: int,
    fields: str,
    client_at: datetime,
    now: datetime,
) -> None:
    async with connection() as conn:
        await conn.execute(
            "INSERT INTO sync_conflicts (id, entity, entity_id, unit_path, status, op_id, account, device_id,"
            " base_version, server_version, fields, client_at, created_at)"
            " VALUES ($1, $2, $3, $4, 'open', $5, $6, $7, $8, $9, $10::jsonb, $11, $12)",
            conflict_id,
            entity,
            entity_id,
            unit_path,
            op_id,
            account_id,
            device_id,
            base_version,
            server_version,
            fields,
            client_at,
            now,
        )


async def conflict(conflict_id: uuid.UUID, *, lock: bool = False) -> Any | None:
    async with connection() as conn:
        return await conn.fetchrow(
            f"SELECT {CONFLICT_COLUMNS} FROM sync_conflicts WHERE id = $1{' FOR UPDATE' if lock else ''}",
            conflict_id,
        )


async def list_conflicts(
    read_paths: list[str], status: str, after: tuple[datetime, uuid.UUID] | None, limit: int
) -> list[Any]:
    """Conflicts within the paths, oldest first (a queue to work through), keyset-paged."""
    scope, args = scope_sql("unit_path", read_paths, 2)
    clauses = ["status = $1", scope]
    all_args: list[Any] = [status, *args]
    if after is not None:
        all_args.extend(after)
        clauses.append(f"(created_at, id) > (${len(all_args) - 1}, ${len(all_args)})")
    all_args.append(limit)
    sql = (
        f"SELECT {CONFLICT_COLUMNS} FROM sync_conflicts WHERE {' AND '.join(clauses)}"
        f" ORDER BY created_at, id LIMIT ${len(all_args)}"
    )
    async with connection() as conn:
        return list(await conn.fetch(sql, *all_args))


async def mark_resolved(conflict_id: uuid.UUID, account_id: uuid.UUID, now: datetime, resolution: str) -> None:
    async with connection() as conn:
        await conn.execute(
            "UPDATE sync_conflicts SET status = 'resolved', resolved_by = $2, resolved_at = $3,"
            " resolution = $4::jsonb WHERE id = $1",
            conflict_id,
            account_id,
            now,
            resolution,
        )
