"""The worker runs jobs end to end against PostgreSQL: in the web process (the embedded default) and as
the `mattran worker` command. A notification committed by a service reaches the push service through the
whole chain: outbox row, NOTIFY on commit, wake-up job, procrastinate worker, delivery."""

from __future__ import annotations

import asyncio
import inspect
import os
import signal
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import msgspec
import pytest
from httpx import AsyncClient

from backend import db
from backend.features.notify import vapid
from backend.features.notify.service import NotifyService, notify
from backend.lib.clock import FrozenClock
from backend.settings import Settings
from schemas.notify import PushKeys, PushSubscriptionCreate
from support.config import TEST_KEY_ENCRYPTION_KEY, TEST_SEALER, settings_for
from support.identity import make_account
from support.push_stub import BrowserSubscription, PushServiceStub

pytestmark = pytest.mark.integration

MATTRAN = str(Path(sys.executable).parent / "mattran")


async def subscribed_account(
    settings: Settings, clock: FrozenClock, stub: PushServiceStub
) -> tuple[uuid.UUID, BrowserSubscription]:
    account_id = await make_account(settings, clock, f"lan.{uuid.uuid4().hex[:6]}", "citizen", "TW")
    key = await vapid.active_key(clock.now(), TEST_SEALER)
    browser = stub.subscribe(application_server_key=key.keys.application_server_key)
    sub = browser.subscription
    data = PushSubscriptionCreate(endpoint=sub.endpoint, keys=PushKeys(p256dh=sub.p256dh, auth=sub.auth))
    await NotifyService(settings, clock).subscribe(account_id, data, "test")
    return account_id, browser


async def commit_a_notification(account_id: uuid.UUID, clock: FrozenClock) -> uuid.UUID:
    async with db.transaction():  # as a feature's service would, together with its own change
        notification_id = await notify(
            account_id,
            "assignment",
            "Việc mới được giao",
            "Thăm hộ gia đình ông Đặng Văn Nam trước ngày 15.",
            dedup_key=f"visit:{uuid.uuid4()}",
            url="/tham-ho/7",
            now=clock.now(),
        )
    assert notification_id is not None
    return notification_id


async def eventually(condition: Callable[[], object], seconds: float, what: str) -> None:
    """Poll: the worker runs on its own schedule (these are the only tests that wait on real time)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not await _holds(condition):
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def _holds(condition: Callable[[], object]) -> bool:
    result = condition()
    return bool(await result if inspect.isawaitable(result) else result)


async def push_state(notification_id: uuid.UUID) -> str:
    async with db.connection() as conn:
        return str(await conn.fetchval("SELECT push_state FROM notifications WHERE id = $1", notification_id))


class TestInProcess:
    @pytest.fixture
    def settings(self, database: str) -> Settings:
        return settings_for(database, push_service_hosts="*", push_allow_http=True, worker_in_process="on")

    async def test_the_web_process_runs_the_worker_when_told_to(
        self, client: AsyncClient, settings: Settings, clock: FrozenClock, stub: PushServiceStub
    ) -> None:
        account_id, browser = await subscribed_account(settings, clock, stub)

        notification_id = await commit_a_notification(account_id, clock)

        await eventually(lambda: stub.received_for(browser.id), 20, "the push")
        message = msgspec.json.decode(stub.received_for(browser.id)[0].payload)
        assert (message["title"], message["id"]) == ("Việc mới được giao", str(notification_id))
        # The outcome is committed right after the push service's answer.
        await eventually(lambda: _is_sent(notification_id), 5, "the outcome")
        # The worker's cron deferrer runs too (at start it queues each periodic job's latest tick, unless,
        # like the sweep right now, a job holding the same queueing lock is already waiting).
        await eventually(_periodic_jobs_deferred, 10, "the periodic jobs")


async def _is_sent(notification_id: uuid.UUID) -> bool:
    return await push_state(notification_id) == "sent"


async def _periodic_jobs_deferred() -> bool:
    async with db.connection() as conn:
        return bool(await conn.fetchval("SELECT count(*) FROM procrastinate_periodic_defers"))


def command_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MATTRAN_") and k != "DATABASE_URL"}
    return env | {"MATTRAN_LOG_JSON": "false", "MATTRAN_KEY_ENCRYPTION_KEYS": TEST_KEY_ENCRYPTION_KEY} | overrides


async def test_mattran_worker_runs_jobs_until_told_to_stop(
    connected: str, database: str, settings: Settings, clock: FrozenClock, stub: PushServiceStub
) -> None:
    account_id, browser = await subscribed_account(settings, clock, stub)
    # Committed before the worker starts: it must find the work without having heard the commit.
    waiting = await commit_a_notification(account_id, clock)
    worker = await asyncio.create_subprocess_exec(
        MATTRAN,
        "worker",
        "--concurrency",
        "2",
        env=command_env(DATABASE_URL=database),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        await eventually(lambda: stub.received_for(browser.id), 90, "the push of the waiting notification")
        heard = await commit_a_notification(account_id, clock)
        await eventually(lambda: len(stub.received_for(browser.id)) == 2, 20, "the push of the new notification")
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            output, _ = await asyncio.wait_for(worker.communicate(), 60)
        except TimeoutError:
            worker.kill()  # never leave a stray worker behind a failed test
            raise

    assert worker.returncode == 0, output.decode()
    assert await push_state(waiting) == await push_state(heard) == "sent"
