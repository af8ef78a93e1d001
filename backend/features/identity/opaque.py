"""Opaque secrets (codes, refresh tokens, session ids, client secrets): 256 random bits, stored as sha256."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_secret() -> tuple[str, str]:
    """(the value to hand out, the hash to store)."""
    raw = secrets.token_urlsafe(32)
    return raw, secret_hash(raw)


def secret_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def same_secret(raw: str, stored_hash: str | None) -> bool:
    return stored_hash is not None and hmac.compare_digest(secret_hash(raw), stored_hash)
