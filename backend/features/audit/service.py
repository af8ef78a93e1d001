"""Writing and checking the audit log.

Each entry is written inside the caller's transaction (so it exists exactly when the change does) and
chained to the previous one by sha256. A transaction-scoped advisory lock orders writers, so the chain
has no forks; the cost is that audited transactions serialise at the moment they write their entry.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import msgspec

from backend import db
from backend.lib.request_context import current_request_id

GENESIS_HASH = "0" * 64
# Key of the advisory lock that orders audit writers.
AUDIT_CHAIN_LOCK = 7_307_202_601


class AuditEvent(msgspec.Struct, kw_only=True, frozen=True):
    action: str
    actor: str = ""
    subject_type: str = ""
    subject_id: str = ""
    unit_path: str = ""
    ip: str = ""
    details: dict[str, Any] = msgspec.field(default_factory=dict)


def entry_hash(prev_hash: str, at: datetime, event: AuditEvent, request_id: str) -> str:
    fields = [
        at.astimezone(UTC).isoformat(),
        event.actor,
        event.action,
        event.subject_type,
        event.subject_id,
        event.unit_path,
        event.ip,
        request_id,
        event.details,
    ]
    content = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256((prev_hash + content).encode()).hexdigest()


class PendingEntry(msgspec.Struct, frozen=True):
    """An entry recorded while appends are deferred: written by append_many before the commit."""

    event: AuditEvent
    at: datetime
    request_id: str


# Set by deferred(): where record() puts entries instead of writing them one by one.
_pending: ContextVar[list[PendingEntry] | None] = ContextVar("audit_pending", default=None)


@contextmanager
def deferred() -> Iterator[list[PendingEntry]]:
    """Collect the entries record() is given (in this task) instead of writing each under the chain lock.
    The caller writes them with append_many inside the same transaction, and drops those of work it rolled
    back (a savepoint) by truncating the list."""
    pending: list[PendingEntry] = []
    token = _pending.set(pending)
    try:
        yield pending
    finally:
        _pending.reset(token)


async def record(event: AuditEvent, at: datetime) -> None:
    """Append one entry; joins the current transaction (or makes its own). Under deferred(), only noted."""
    entry = PendingEntry(event, at, current_request_id() or "")
    pending = _pending.get()
    if pending is not None:
        pending.append(entry)
        return
    await append_many([entry])


async def append_many(entries: Sequence[PendingEntry]) -> None:
    """Append entries in order with one chain lock and one INSERT; joins the current transaction."""
    if not entries:
        return
    async with db.transaction(), db.connection() as conn:
        await conn.execute("SELECT pg_advisory_xact_lock($1)", AUDIT_CHAIN_LOCK)
        prev_hash = await conn.fetchval("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1") or GENESIS_HASH
        columns: list[list[Any]] = [[] for _ in range(11)]
        for entry in entries:
            event = entry.event
            hash_ = entry_hash(prev_hash, entry.at, event, entry.request_id)
            row = (
                entry.at,
                event.actor,
                event.action,
                event.subject_type,
                event.subject_id,
                event.unit_path,
                event.ip,
                entry.request_id,
                json.dumps(event.details, default=str),
                prev_hash,
                hash_,
            )
            for column, value in zip(columns, row, strict=True):
                column.append(value)
            prev_hash = hash_
        # Rows reach the insert in array order, so the serial ids follow the chain.
        await conn.execute(
            """
            INSERT INTO audit_log (at, actor, action, subject_type, subject_id, unit_path, ip, request_id,
                                   details, prev_hash, hash)
            SELECT at, actor, action, subject_type, subject_id, unit_path, ip, request_id, details::jsonb,
                   prev_hash, hash
            FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                        $7::text[], $8::text[], $9::text[], $10::text[], $11::text[]) WITH ORDINALITY
                 AS e(at, actor, action, subject_type, subject_id, unit_path, ip, request_id, details,
                      prev_hash, hash, position)
            ORDER BY position
            """,
            *columns,
        )


async def first_broken_entry() -> int | None:
    """Walk the chain; the id of the first entry whose hash does not match, or None when intact."""
    prev_hash = GENESIS_HASH
    async with db.transaction(), db.connection() as conn:
        cursor = conn.cursor(
            "SELECT id, at, actor, action, subject_type, subject_id, unit_path, ip, request_id, details::text,"
            " prev_hash, hash FROM audit_log ORDER BY id"
        )
        async for row in cursor:
            event = AuditEvent(
                action=row["action"],
                actor=row["actor"],
                subject_type=row["subject_type"],
                subject_id=row["subject_id"],
                unit_path=row["unit_path"],
                ip=row["ip"],
                details=json.loads(row["details"]),
            )
            expected = entry_hash(prev_hash, row["at"], event, row["request_id"])
            if row["prev_hash"] != prev_hash or row["hash"] != expected:
                return int(row["id"])
            prev_hash = row["hash"]
    return None
