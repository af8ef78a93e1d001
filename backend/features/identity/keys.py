"""Signing keys in the database: next -> active -> retired.

The JWKS publishes all three: `next` so caches learn it before it signs, `retired` until every token it
signed has expired. Each process caches the set briefly and reloads it when it meets an unknown `kid`, so
a rotation done by `mattran keys rotate` on one machine reaches every web process without a restart.
Private keys are stored sealed (backend/lib/sealing.py) and opened only to sign.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jose import jwk

from backend import db
from backend.features.identity.jose import ALGORITHM
from backend.lib.sealing import Sealer

CACHE_SECONDS = 60.0
# An unknown kid reloads the set at most this often, so forged kids cannot hammer the database.
MIN_RELOAD_SECONDS = 5.0
RSA_KEY_BITS = 2048


@dataclass(frozen=True)
class KeySet:
    active_kid: str
    active_sealed_pem: str
    public_jwks: dict[str, dict[str, Any]]  # kid -> public JWK (next, active, retired)

    def signing_pem(self, sealer: Sealer) -> str:
        """The active private key, opened for one signature (it is not kept open in memory)."""
        return sealer.open(self.active_sealed_pem)


def new_key() -> tuple[str, str, dict[str, Any]]:
    """(kid, private PEM, public JWK) of a fresh RSA key."""
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_KEY_BITS)
    private_pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public_pem = (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    kid = uuid.uuid4().hex[:16]
    public = jwk.construct(public_pem, ALGORITHM).to_dict()
    public_jwk = {"kty": "RSA", "n": public["n"], "e": public["e"], "kid": kid, "use": "sig", "alg": ALGORITHM}
    return kid, private_pem, public_jwk


async def _insert(conn: Any, state: str, now: datetime, sealer: Sealer) -> str:
    kid, private_pem, public_jwk = new_key()
    await conn.execute(
        "INSERT INTO oidc_signing_keys (kid, alg, private_pem, public_jwk, state, created_at, activated_at)"
        " VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7)",
        kid,
        ALGORITHM,
        sealer.seal(private_pem),
        json.dumps(public_jwk),
        state,
        now,
        now if state == "active" else None,
    )
    return kid


async def ensure_keys(now: datetime, sealer: Sealer) -> None:
    """First start: an active key and the next one."""
    async with db.transaction(), db.connection() as conn:
        await conn.execute("LOCK TABLE oidc_signing_keys IN SHARE ROW EXCLUSIVE MODE")
        states = {row["state"] for row in await conn.fetch("SELECT DISTINCT state FROM oidc_signing_keys")}
        if "active" not in states:
            await _insert(conn, "active", now, sealer)
        if "next" not in states:
            await _insert(conn, "next", now, sealer)
    forget_cached()


async def rotate(now: datetime, longest_token_seconds: int, sealer: Sealer) -> dict[str, str | int]:
    """next becomes active, active retires, a new next is made; retired keys whose tokens have all
    expired are deleted."""
    async with db.transaction(), db.connection() as conn:
        await conn.execute("LOCK TABLE oidc_signing_keys IN SHARE ROW EXCLUSIVE MODE")
        await conn.execute(
            "UPDATE oidc_signing_keys SET state = 'retired', retired_at = $1 WHERE state = 'active'", now
        )
        promoted = await conn.fetchval(
            "UPDATE oidc_signing_keys SET state = 'active', activated_at = $1 WHERE state = 'next' RETURNING kid", now
        )
        if promoted is None:
            promoted = await _insert(conn, "active", now, sealer)
        next_kid = await _insert(conn, "next", now, sealer)
        purged = await conn.execute(
            "DELETE FROM oidc_signing_keys WHERE state = 'retired' AND retired_at < $1",
            now - timedelta(seconds=longest_token_seconds),
        )
    forget_cached()
    return {"active": promoted, "next": next_kid, "purged": int(purged.split()[-1])}


_cache: dict[str, tuple[float, KeySet]] = {}


async def key_set(*, refresh: bool = False) -> KeySet:
    cached = _cache.get("keys")
    if cached and not refresh and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    async with db.connection() as conn:
        rows = await conn.fetch("SELECT kid, state, private_pem, public_jwk::text FROM oidc_signing_keys")
    active = next((row for row in rows if row["state"] == "active"), None)
    if active is None:
        raise RuntimeError("no active signing key: run `mattran migrate`")
    keys = KeySet(
        active_kid=active["kid"],
        active_sealed_pem=active["private_pem"],
        public_jwks={row["kid"]: json.loads(row["public_jwk"]) for row in rows},
    )
    _cache["keys"] = (time.monotonic(), keys)
    return keys


async def public_jwks_with(kid: str | None) -> dict[str, dict[str, Any]]:
    """The public keys, reloaded once if kid is not among them (it may come from a rotation elsewhere)."""
    keys = await key_set()
    loaded_at = _cache["keys"][0]
    if kid is not None and kid not in keys.public_jwks and time.monotonic() - loaded_at > MIN_RELOAD_SECONDS:
        keys = await key_set(refresh=True)
    return keys.public_jwks


def forget_cached() -> None:
    _cache.clear()


async def reseal(sealer: Sealer) -> int:
    """Seal every stored private key with the first key-encryption key; returns how many changed."""
    changed = 0
    async with db.transaction(), db.connection() as conn:
        for row in await conn.fetch("SELECT kid, private_pem FROM oidc_signing_keys FOR UPDATE"):
            resealed = sealer.resealed(row["private_pem"])
            if resealed is not None:
                await conn.execute("UPDATE oidc_signing_keys SET private_pem = $2 WHERE kid = $1", row["kid"], resealed)
                changed += 1
    forget_cached()
    return changed
