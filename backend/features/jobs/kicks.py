"""Waking the worker right after a commit, through PostgreSQL's LISTEN/NOTIFY.

A service that records outbox work calls `pg_notify(channel, '')` inside its own (asyncpg) transaction.
PostgreSQL delivers a notification only when that transaction commits, and never when it rolls back, so a
listener hears of exactly the work that exists. The listener (one per worker process) then queues the
channel's drain task under its queueing lock: however many commits arrive, at most one drain waits.

This is best effort by design: while the listener is disconnected nothing is heard, and the periodic sweep
of each outbox (a cron job) picks the work up within a minute. Nothing is lost either way, because the
work itself is the committed outbox row, not the notification.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Mapping
from typing import Any

import asyncpg
from procrastinate import exceptions
from procrastinate.tasks import Task

logger = logging.getLogger("mattran.jobs.kicks")

# A dead connection is noticed by this probe at the latest (a half-open TCP connection never reports).
PROBE_SECONDS = 30.0
RECONNECT_MAX_SECONDS = 30.0

AnyTask = Task[Any, Any, Any]


async def kick(task: AnyTask) -> bool:
    """Queue one run of task unless one is already waiting (its queueing lock); True when one was queued."""
    try:
        await task.defer_async()
    except exceptions.AlreadyEnqueued:
        return False
    return True


class Kicker:
    """Listens on the channels of `kicks` and queues the matching task, coalescing bursts."""

    def __init__(self, dsn: str, kicks: Mapping[str, AnyTask]) -> None:
        self.dsn = dsn
        self.kicks = dict(kicks)
        self._running: dict[str, asyncio.Task[None]] = {}
        self._again: set[str] = set()

    @contextlib.asynccontextmanager
    async def listening(self) -> AsyncIterator[None]:
        listener = asyncio.create_task(self._listen_forever(), name="jobs-kicker")
        try:
            yield
        finally:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener
            for running in list(self._running.values()):
                running.cancel()
            await asyncio.gather(*self._running.values(), return_exceptions=True)

    async def _listen_forever(self) -> None:
        wait = 1.0
        while True:
            try:
                await self._listen_once()
                wait = 1.0
            except Exception as error:  # whatever broke the connection, listening must resume
                logger.warning("job wake-up listener lost its connection, retrying in %.0f s: %r", wait, error)
            await asyncio.sleep(wait)
            wait = min(wait * 2, RECONNECT_MAX_SECONDS)

    async def _listen_once(self) -> None:
        connection = await asyncpg.connect(self.dsn)
        try:
            for channel in self.kicks:
                await connection.add_listener(channel, self._on_notification)
            # Work committed while nobody listened (before start, or during a reconnect) is queued now.
            for channel in self.kicks:
                self._schedule(channel)
            while not connection.is_closed():
                await asyncio.sleep(PROBE_SECONDS)
                async with asyncio.timeout(PROBE_SECONDS):
                    await connection.execute("SELECT 1")
        finally:
            with contextlib.suppress(Exception):  # closing a broken connection may fail in many ways
                await connection.close(timeout=5)

    def _on_notification(self, _connection: Any, _pid: int, channel: str, _payload: str) -> None:
        self._schedule(channel)

    def _schedule(self, channel: str) -> None:
        # One deferral in flight per channel; commits arriving meanwhile ask for one more round, not one each.
        if channel in self._running:
            self._again.add(channel)
            return
        self._running[channel] = asyncio.create_task(self._kick_until_quiet(channel))

    async def _kick_until_quiet(self, channel: str) -> None:
        try:
            while True:
                self._again.discard(channel)
                try:
                    await kick(self.kicks[channel])
                except exceptions.ProcrastinateException as error:
                    # The periodic sweep will find the work; a failed wake-up only costs latency.
                    logger.warning("could not queue the job for %s: %r", channel, error)
                if channel not in self._again:
                    return
        finally:
            self._running.pop(channel, None)
