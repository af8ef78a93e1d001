"""The application server's VAPID key pairs (RFC 8292), kept in the database.

The first start (`mattran migrate`) makes one; every web and worker process reads it from there, so all
of them sign alike. A browser subscribes with the public key of the moment (`applicationServerKey`) and
its push service then accepts only tokens signed by that key, so each subscription remembers its key.

Rotation (`mattran push rotate-key`, e.g. when the private key may have leaked): a new key becomes active
and the old one is retired. Retired keys go on signing for the subscriptions made with them, so nothing
breaks; the web app notices that `GET /api/v1/push/public-key` differs from its subscription's key and
subscribes again (the new subscription replaces the old). A retired key is deleted once no subscription
uses it any more. After a leak, delete the retired key's subscriptions instead of waiting (devices then
subscribe again when the app next opens). Private keys are stored sealed (backend/lib/sealing.py).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from backend import db
from backend.features.notify.webpush import VapidKeys
from backend.lib.sealing import Sealer


@dataclass(frozen=True)
class StoredKey:
    id: uuid.UUID
    keys: VapidKeys


def _stored(row: Any, sealer: Sealer) -> StoredKey:
    private_pem = sealer.open(row["private_pem"])
    return StoredKey(row["id"], VapidKeys(private_pem, row["public_pem"], row["application_server_key"]))


async def _insert_active(conn: Any, now: datetime, sealer: Sealer) -> StoredKey:
    keys = VapidKeys.generate()
    key_id = uuid.uuid4()
    await conn.execute(
        "INSERT INTO push_vapid_keys (id, private_pem, public_pem, application_server_key, state, created_at)"
        " VALUES ($1, $2, $3, $4, 'active', $5)",
        key_id,
        sealer.seal(keys.private_pem),
        keys.public_pem,
        keys.application_server_key,
        now,
    )
    return StoredKey(key_id, keys)


async def active_key(now: datetime, sealer: Sealer) -> StoredKey:
    """The key new subscriptions are made with; made on first use if `migrate` has not made it yet."""
    async with db.connection() as conn:
        row = await conn.fetchrow("SELECT * FROM push_vapid_keys WHERE state = 'active'")
    if row is not None:
        return _stored(row, sealer)
    return await ensure_active_key(now, sealer)


async def ensure_active_key(now: datetime, sealer: Sealer) -> StoredKey:
    async with db.transaction(), db.connection() as conn:
        # Two processes starting at once must not both make one (a unique index allows one active key).
        await conn.execute("LOCK TABLE push_vapid_keys IN SHARE ROW EXCLUSIVE MODE")
        row = await conn.fetchrow("SELECT * FROM push_vapid_keys WHERE state = 'active'")
        return _stored(row, sealer) if row is not None else await _insert_active(conn, now, sealer)


async def key_named(application_server_key: str, sealer: Sealer) -> StoredKey | None:
    """A key still kept (active or retired), by the public key a browser subscribed with."""
    async with db.connection() as conn:
        row = await conn.fetchrow(
            "SELECT * FROM push_vapid_keys WHERE application_server_key = $1", application_server_key
        )
    return None if row is None else _stored(row, sealer)


async def keys_by_id(ids: list[uuid.UUID], sealer: Sealer) -> dict[uuid.UUID, VapidKeys]:
    async with db.connection() as conn:
        rows = await conn.fetch("SELECT * FROM push_vapid_keys WHERE id = ANY($1::uuid[])", ids)
    return {row["id"]: _stored(row, sealer).keys for row in rows}


async def rotate(now: datetime, sealer: Sealer) -> dict[str, Any]:
    """Retire the active key, make a new one, delete retired keys no subscription uses."""
    async with db.transaction(), db.connection() as conn:
        await conn.execute("LOCK TABLE push_vapid_keys IN SHARE ROW EXCLUSIVE MODE")
        await conn.execute("UPDATE push_vapid_keys SET state = 'retired', retired_at = $1 WHERE state = 'active'", now)
        new = await _insert_active(conn, now, sealer)
        purged = await conn.execute(
            "DELETE FROM push_vapid_keys k WHERE state = 'retired'"
            " AND NOT EXISTS (SELECT 1 FROM push_subscriptions s WHERE s.vapid_key = k.id)"
        )
    return {"active": new.keys.application_server_key, "purged": int(purged.split()[-1])}


async def reseal(sealer: Sealer) -> int:
    """Seal every stored private key with the first key-encryption key; returns how many changed."""
    changed = 0
    async with db.transaction(), db.connection() as conn:
        for row in await conn.fetch("SELECT id, private_pem FROM push_vapid_keys FOR UPDATE"):
            resealed = sealer.resealed(row["private_pem"])
            if resealed is not None:
                await conn.execute("UPDATE push_vapid_keys SET private_pem = $2 WHERE id = $1", row["id"], resealed)
                changed += 1
    return changed
