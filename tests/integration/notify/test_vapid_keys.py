"""VAPID keys live in the database: made once, the same for every process, rotated without breaking the
subscriptions made with the old key."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from pathlib import Path

import pytest

from backend import db
from backend.features.notify import vapid
from backend.features.notify.delivery import Dispatcher
from backend.features.notify.service import notify
from backend.lib.clock import FrozenClock
from backend.settings import Settings
from support.config import TEST_KEY_ENCRYPTION_KEY, TEST_SEALER
from support.identity import make_account
from support.push_devices import subscribe_device
from support.push_stub import PushServiceStub

pytestmark = pytest.mark.integration


async def key_rows() -> list[tuple[str, str]]:
    async with db.connection() as conn:
        rows = await conn.fetch("SELECT application_server_key, state FROM push_vapid_keys ORDER BY created_at")
    return [(row["application_server_key"], row["state"]) for row in rows]


async def test_migrate_made_one_key_and_keeps_it(connected: str, clock: FrozenClock) -> None:
    first = await vapid.active_key(clock.now(), TEST_SEALER)

    assert await vapid.ensure_active_key(clock.now(), TEST_SEALER) == first
    assert await key_rows() == [(first.keys.application_server_key, "active")]


async def test_a_rotation_keeps_old_subscriptions_working_until_they_renew(
    dispatcher: Dispatcher, stub: PushServiceStub, settings: Settings, clock: FrozenClock
) -> None:
    account = await make_account(settings, clock, "lan", "citizen", "TW")
    old_device = await subscribe_device(settings, clock, stub, account)
    old_key = (await vapid.active_key(clock.now(), TEST_SEALER)).keys.application_server_key

    result = await vapid.rotate(clock.now(), TEST_SEALER)
    new_device = await subscribe_device(settings, clock, stub, account)
    async with db.transaction():
        await notify(account, "announcement", "Sau khi xoay khóa", "…", dedup_key=str(uuid.uuid4()), now=clock.now())
    await dispatcher.drain()

    assert result["active"] != old_key and result["purged"] == 0
    # The stub refuses a token whose k is not the key the browser subscribed with (as push services do).
    assert stub.received_for(old_device.id)[0].headers["authorization"].endswith(f"k={old_key}")
    assert stub.received_for(new_device.id)[0].headers["authorization"].endswith(f"k={result['active']}")
    assert await key_rows() == [(old_key, "retired"), (result["active"], "active")]


async def test_a_retired_key_goes_once_no_subscription_uses_it(
    connected: str, stub: PushServiceStub, settings: Settings, clock: FrozenClock
) -> None:
    account = await make_account(settings, clock, "lan", "citizen", "TW")
    device = await subscribe_device(settings, clock, stub, account)
    original = (await vapid.active_key(clock.now(), TEST_SEALER)).keys.application_server_key
    first = await vapid.rotate(clock.now(), TEST_SEALER)
    assert first["purged"] == 0  # the device still needs the original key
    async with db.transaction(), db.connection() as conn:
        await conn.execute("DELETE FROM push_subscriptions WHERE endpoint = $1", device.subscription.endpoint)

    second = await vapid.rotate(clock.now(), TEST_SEALER)

    assert second["purged"] == 2  # the original and the first rotation's key: no subscription uses either
    assert await key_rows() == [(second["active"], "active")]
    assert await vapid.key_named(original, TEST_SEALER) is None


async def test_the_rotate_command(connected: str, database: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MATTRAN_")} | {
        "DATABASE_URL": database,
        "MATTRAN_KEY_ENCRYPTION_KEYS": TEST_KEY_ENCRYPTION_KEY,
    }
    before = await key_rows()

    process = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "mattran"), "push", "rotate-key", env=env, stdout=asyncio.subprocess.PIPE
    )
    output, _ = await asyncio.wait_for(process.communicate(), 60)

    assert process.returncode == 0
    after = await key_rows()
    [new_key] = [key for key, state in after if state == "active"]
    assert new_key in output.decode() and new_key not in {key for key, _ in before}
