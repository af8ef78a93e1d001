"""The private keys in the database are sealed: a copy of the database cannot sign; tokens still verify;
`mattran keys reseal` moves them to a new key-encryption key."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from backend import db
from backend.features.identity import keys
from backend.features.notify import vapid
from backend.lib.clock import FrozenClock
from backend.lib.sealing import SEALED_PREFIX, Sealer, SealingError, new_key
from backend.settings import Settings
from support.config import TEST_KEY_ENCRYPTION_KEY, TEST_SEALER
from support.identity import access_token_for, bearer, make_account

pytestmark = pytest.mark.integration


async def stored_private_keys() -> list[str]:
    async with db.connection() as conn:
        signing = await conn.fetch("SELECT private_pem FROM oidc_signing_keys")
        push = await conn.fetch("SELECT private_pem FROM push_vapid_keys")
    return [row["private_pem"] for row in [*signing, *push]]


async def test_stored_private_keys_are_sealed_and_tokens_still_work(
    client: AsyncClient, settings: Settings, clock: FrozenClock
) -> None:
    stored = await stored_private_keys()
    assert len(stored) == 3  # active + next signing keys, one VAPID key
    assert all(value.startswith(SEALED_PREFIX) and "PRIVATE KEY" not in value for value in stored)
    with pytest.raises(SealingError):
        (await keys.key_set()).signing_pem(Sealer(new_key()))
    await make_account(settings, clock, "officer", "commune_officer", "00070")
    token = await access_token_for(client, "officer")
    assert (await client.get("/api/v1/me", headers=bearer(token))).status_code == 200


async def test_resealing_moves_every_key_to_the_new_key_encryption_key(connected: str, clock: FrozenClock) -> None:
    replacement = new_key()
    both = Sealer(f"{replacement},{TEST_KEY_ENCRYPTION_KEY}")
    assert await keys.reseal(both) == 2 and await vapid.reseal(both) == 1
    assert await keys.reseal(both) == 0 and await vapid.reseal(both) == 0
    only_new = Sealer(replacement)
    assert "PRIVATE KEY" in (await keys.key_set()).signing_pem(only_new)
    assert (await vapid.active_key(clock.now(), only_new)).keys.private_pem.startswith("-----BEGIN")
    with pytest.raises(SealingError):
        await vapid.active_key(clock.now(), TEST_SEALER)
