"""Push sending under faults: PostgreSQL restarted while requests are at the push service, and a push
service slower than the client's timeout. The drain is run as the worker's job runs it (the job is
retried after a failure: `notify.jobs.DRAIN_RETRY`); the clock is the injected one, moved past the lease
or the back-off instead of waiting for them."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from faults_helpers import HeldStub, copies_by_notification, eventually, notify_event, shown_once

from backend import db
from backend.features.notify.delivery import Dispatcher
from backend.lib.clock import FrozenClock
from backend.settings import Settings
from support.config import settings_for
from support.identity import make_account
from support.private_postgres import PrivatePostgres
from support.push_devices import subscribe_device

pytestmark = pytest.mark.integration

NOTIFICATIONS = 20


@pytest.fixture
def settings(private_dsn: str) -> Settings:
    # The stub listens on http://127.0.0.1:<port>: the allow-list and the https rule are off, as in tests only.
    return settings_for(private_dsn, push_service_hosts="*", push_allow_http=True, push_concurrency=8)


@pytest.fixture
def database(private_dsn: str) -> str:
    """The module's own server in place of a clone on the shared one: these tests restart it."""
    return private_dsn


@pytest.fixture
async def held() -> AsyncIterator[HeldStub]:
    stub = HeldStub(gate=asyncio.Event())
    await stub.start()
    try:
        yield stub
    finally:
        assert stub.gate is not None
        stub.gate.set()
        await stub.stop()


async def push_states(ids: list[uuid.UUID]) -> dict[str, int]:
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT push_state, count(*) AS n FROM notifications WHERE id = ANY($1) GROUP BY push_state", ids
        )
    return {row["push_state"]: row["n"] for row in rows}


async def test_a_restart_mid_delivery_loses_nothing_and_shows_each_notification_once(
    connected: str, private_pg: PrivatePostgres, held: HeldStub, settings: Settings, clock: FrozenClock
) -> None:
    assert held.gate is not None
    account = await make_account(settings, clock, f"can.bo.{uuid.uuid4().hex[:6]}", "citizen", "TW")
    browser = await subscribe_device(settings, clock, held, account)
    ids = [await notify_event(clock, account, f"restart:{n}") for n in range(NOTIFICATIONS)]

    async with httpx.AsyncClient(timeout=30) as http:
        draining = asyncio.create_task(Dispatcher(settings, clock, http).drain())
        await eventually(lambda: held.waiting == settings.push_concurrency, 30, "a batch at the push service")
        restart_seconds = await asyncio.to_thread(private_pg.restart)
        held.gate.set()  # the push service answers the requests made before the restart
        try:
            first_job: object = await draining
        except Exception as error:  # the job fails as the database went away under it; procrastinate retries
            first_job = error
        # The retried job, and as many after it as it takes: each a fresh drain after the lease ran out.
        rounds, started = 0, time.monotonic()
        while await push_states(ids) != {"sent": NOTIFICATIONS}:
            rounds += 1
            assert rounds <= 5, await push_states(ids)
            clock.advance(timedelta(seconds=settings.push_lease_seconds))
            try:
                await Dispatcher(settings, clock, http).drain()
            except Exception:  # the pool may hand out a connection the restart closed once more
                continue
        recovered = time.monotonic() - started

    copies = copies_by_notification(held, browser)
    assert sorted(copies) == sorted(str(i) for i in ids)  # nothing lost
    assert all(shown_once(pushes) for pushes in copies.values())  # nothing shown twice
    resent = [key for key, pushes in copies.items() if len(pushes) > 1]
    # Only requests that were at the push service when the database went away can be sent again.
    assert len(resent) <= settings.push_concurrency and all(len(copies[key]) == 2 for key in resent)
    async with db.connection() as conn:
        deliveries = await conn.fetchval("SELECT count(*) FROM push_deliveries WHERE notification = ANY($1)", ids)
    assert deliveries == NOTIFICATIONS  # one delivery per notification and device, however many attempts
    print(
        f"\nFAULT push-restart: pg_ctl restart {restart_seconds:.2f} s with {settings.push_concurrency} requests "
        f"in flight; first drain: {type(first_job).__name__}; recovered in {rounds} more drain(s), "
        f"{recovered:.2f} s; {NOTIFICATIONS} notifications, {len(held.received)} pushes accepted, "
        f"{len(resent)} resent under the same Topic/tag"
    )


async def test_a_slow_push_service_is_timed_out_retried_and_blocks_no_one_else(
    connected: str, settings: Settings, clock: FrozenClock
) -> None:
    slow_service, fast_service = HeldStub(delay=3.0), HeldStub()
    await slow_service.start()
    await fast_service.start()
    try:
        slow_account = await make_account(settings, clock, f"cham.{uuid.uuid4().hex[:6]}", "citizen", "TW")
        fast_account = await make_account(settings, clock, f"nhanh.{uuid.uuid4().hex[:6]}", "citizen", "TW")
        slow = await subscribe_device(settings, clock, slow_service, slow_account)
        fast = await subscribe_device(settings, clock, fast_service, fast_account)
        slow_id = await notify_event(clock, slow_account, "slow:1")
        fast_id = await notify_event(clock, fast_account, "fast:1")

        # The client's read timeout stands for the worker's (worker.HTTP_TIMEOUT, 10 s): the same path, sooner.
        async with httpx.AsyncClient(timeout=1.0) as http:
            started = time.monotonic()
            report = await Dispatcher(settings, clock, http).drain()
            elapsed = time.monotonic() - started

            assert (report.delivered, report.retried) == (1, 1)
            assert len(fast_service.received_for(fast.id)) == 1
            assert elapsed < 2.5  # the fast delivery waited for the slow one's timeout at most
            async with db.connection() as conn:
                attempt = await conn.fetchrow(
                    "SELECT a.outcome, a.status_code, a.response_text, d.state, d.due_at FROM push_attempts a "
                    "JOIN push_deliveries d ON d.id = a.delivery WHERE d.notification = $1",
                    slow_id,
                )
            assert (attempt["outcome"], attempt["status_code"], attempt["state"]) == ("retry", None, "to_send")
            assert "Timeout" in attempt["response_text"]
            assert attempt["due_at"] > clock.now()

            # The slow service took the first request in the end; the retry falls due and is answered in time.
            await eventually(lambda: len(slow_service.received) == 1, 10, "the late acceptance")
            slow_service.delay = 0.0
            clock.advance(timedelta(seconds=settings.push_retry_base_seconds))
            assert (await Dispatcher(settings, clock, http).drain()).delivered == 1
            clock.advance(timedelta(hours=1))
            assert (await Dispatcher(settings, clock, http).drain()).delivered == 0  # and nothing after that
    finally:
        await slow_service.stop()
        await fast_service.stop()

    copies = copies_by_notification(slow_service, slow)[str(slow_id)]
    assert len(copies) == 2 and shown_once(copies)  # the late copy and the retry: one notification shown
    assert await push_states([slow_id, fast_id]) == {"sent": 2}
    print(
        f"\nFAULT slow-push: a 3 s push service against a 1 s timeout: drain of both took {elapsed:.2f} s, "
        f"timeout recorded as retry, delivered on the next attempt; copies received {len(copies)} (same Topic/tag)"
    )
