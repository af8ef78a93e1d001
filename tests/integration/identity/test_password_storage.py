"""Passwords are stored only as Argon2id hashes with the configured cost (ASVS V2.4.1)."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from backend import db
from backend.lib.clock import FrozenClock
from backend.settings import Settings
from support.identity import PASSWORD, make_account

pytestmark = pytest.mark.integration


async def test_the_stored_password_is_an_argon2id_hash_with_the_configured_cost(
    connected: str, settings: Settings, clock: FrozenClock
) -> None:
    account_id = await make_account(settings, clock, "hashed", "citizen", "TW")
    async with db.connection() as connection:
        stored = await connection.fetchval("SELECT password_hash FROM accounts WHERE id = $1", account_id)

    assert PASSWORD not in stored
    assert stored.startswith(
        f"$argon2id$v=19$m={settings.argon2_memory_kib},t={settings.argon2_time_cost},p={settings.argon2_parallelism}$"
    )
    assert PasswordHasher().verify(stored, PASSWORD)
