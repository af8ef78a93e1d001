"""`mattran worker` killed (SIGKILL) while a push delivery is at a slow push service, and a new worker
started: the delivery's lease runs out and the new worker's sweep sends it; the dead worker's job is put
back by `jobs.retry_stalled` once its heartbeat is stale, and runs without sending anything again.

Slow (it waits for the real 30 s lease and heartbeat timeouts and the minute sweep): marked `faults`,
run with `pytest -m faults tests/integration/faults` (docs/faults.md)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from faults_helpers import HeldStub, copies_by_notification, eventually, notify_event, shown_once

from backend import db
from backend.features.jobs.app import opened
from backend.lib.clock import FrozenClock
from backend.settings import MIN_PUSH_LEASE_SECONDS, Settings
from support.commands import MATTRAN, command_env
from support.config import settings_for
from support.identity import make_account
from support.push_devices import subscribe_device

pytestmark = [pytest.mark.integration, pytest.mark.faults]

STALLED_AFTER_SECONDS = 30  # procrastinate's default heartbeat timeout (get_stalled_jobs)


@pytest.fixture
def settings(database: str) -> Settings:
    return settings_for(
        database, push_service_hosts="*", push_allow_http=True, push_lease_seconds=MIN_PUSH_LEASE_SECONDS
    )


@contextlib.asynccontextmanager
async def worker(database: str, log: Path) -> AsyncIterator[asyncio.subprocess.Process]:
    output = log.open("wb")  # a file, not a pipe: nobody reads it while the worker runs
    process = await asyncio.create_subprocess_exec(
        MATTRAN,
        "worker",
        env=command_env(
            DATABASE_URL=database,
            MATTRAN_PUSH_SERVICE_HOSTS="*",
            MATTRAN_PUSH_ALLOW_HTTP="true",
            MATTRAN_PUSH_LEASE_SECONDS=str(MIN_PUSH_LEASE_SECONDS),
        ),
        stdout=output,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()  # never leave a stray worker behind a failed test
                await process.wait()
        output.close()


async def fetchval(query: str, *args: object) -> object:
    async with db.connection() as conn:
        return await conn.fetchval(query, *args)


async def test_a_killed_worker_s_job_is_taken_over_and_done_once(
    connected: str, database: str, settings: Settings, clock: FrozenClock, tmp_path: Path
) -> None:
    stub = HeldStub(gate=asyncio.Event())
    assert stub.gate is not None
    await stub.start()
    try:
        account = await make_account(settings, clock, f"can.bo.{uuid.uuid4().hex[:6]}", "citizen", "TW")
        browser = await subscribe_device(settings, clock, stub, account)
        notification_id = await notify_event(clock, account, "worker-killed:1")

        async with worker(database, tmp_path / "first.log") as first:
            await eventually(lambda: stub.waiting == 1, 90, "the first worker's request at the push service")
            dead_job = await fetchval(
                "SELECT id FROM procrastinate_jobs WHERE status = 'doing' AND task_name LIKE 'notify:%'"
            )
            assert dead_job is not None
            first.kill()  # SIGKILL: no graceful stop, nothing recorded
            await first.wait()
        killed_at = time.monotonic()
        stub.gate.set()  # the push service had the message: it accepts it although its sender is gone

        async with worker(database, tmp_path / "second.log"):
            sent_after = await eventually(
                lambda: _push_state_is(notification_id, "sent"), 150, "the new worker to deliver the notification"
            )
            # The dead worker's job: stalled once its heartbeat is older than the timeout; the cron of
            # jobs.retry_stalled (every 5 minutes) is stood in for by deferring it now.
            await asyncio.sleep(max(0.0, STALLED_AFTER_SECONDS + 2 - (time.monotonic() - killed_at)))
            async with opened(database, settings) as jobs:
                await jobs.configure_task("jobs:retry_stalled", allow_unknown=False).defer_async(
                    timestamp=int(time.time())
                )
            await eventually(lambda: _job_left_doing(dead_job), 60, "the dead worker's job to be taken over and finish")
    finally:
        await stub.stop()

    copies = copies_by_notification(stub, browser)[str(notification_id)]
    assert 1 <= len(copies) <= 2 and shown_once(copies)  # at most the dead worker's copy and one resend
    assert await fetchval("SELECT count(*) FROM push_deliveries WHERE notification = $1", notification_id) == 1
    assert await fetchval("SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing'") == 0
    assert "requeued 1 jobs of workers that died" in (tmp_path / "second.log").read_text()
    print(
        f"\nFAULT worker-killed: SIGKILL mid-send; new worker delivered {sent_after:.1f} s after the kill "
        f"(lease {MIN_PUSH_LEASE_SECONDS} s, sweep every minute); copies received {len(copies)} (same Topic/tag); "
        f"dead worker's job {dead_job} retried and finished"
    )


async def _push_state_is(notification_id: uuid.UUID, state: str) -> bool:
    return await fetchval("SELECT push_state FROM notifications WHERE id = $1", notification_id) == state


async def _job_left_doing(job_id: object) -> bool:
    status = await fetchval("SELECT status::text FROM procrastinate_jobs WHERE id = $1", job_id)
    return status in (None, "succeeded", "failed")  # successful jobs are deleted by the worker
