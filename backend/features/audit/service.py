"""Writing and checking the audit log.

Each entry is written inside the caller's transaction (so it exists exactly when the change does) and
chained to the previous one by sha256. A transaction-scoped advisory lock orders writers, so the chain
has no forks; the cost is that audited transactions serialise at the moment they write their entry.
"""

from __future__ import annotations

import hashlib
import json
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


async def record(event: AuditEvent, at: datetime) -> None:
    """Append one entry; joins the current transaction (or makes its own)."""
    request_id = current_request_id() or ""
    async with db.transaction(), db.connection() as conn:
        await conn.execute("SELECT pg_advisory_xact_lock($1)", AUDIT_CHAIN_LOCK)
        prev_hash = await conn.fetchval("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1") or GENESIS_HASH
        await conn.execute(
            """
            INSERT INTO audit_log (at, actor, action, subject_type, subject_id, unit_path, ip, request_id,
                                   details, prev_hash, hash)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11)
            """,
            at,
            event.actor,
            event.action,
            event.subject_type,
            event.subject_id,
            event.unit_path,
            event.ip,
            request_id,
            json.dumps(event.details, default=str),
            prev_hash,
            entry_hash(prev_hash, at, event, request_id),
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
