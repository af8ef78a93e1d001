"""Running jobs: `mattran worker`, and the same worker inside `mattran serve` for the embedded default.

Stopping (SIGINT/SIGTERM for `mattran worker`, the app's shutdown for the in-process one) is graceful:
no new job starts, running ones get SHUTDOWN_GRACE_SECONDS to finish, then they are cancelled. A cancelled
push drain still lets the requests already on the wire finish and records their outcome (delivery.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator

import httpx
from litestar import Litestar

from backend import db
from backend.features.jobs.app import KICKS, opened
from backend.features.jobs.kicks import Kicker
from backend.features.jobs.runtime import RUNTIME_KEY, JobRuntime
from backend.lib.clock import Clock
from backend.settings import Settings
from backend.version import VERSION

logger = logging.getLogger("mattran.jobs.worker")

SHUTDOWN_GRACE_SECONDS = 10.0
# Per phase (connect, write, read, pool); delivery.py also bounds a whole send.
HTTP_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
RESTART_MAX_SECONDS = 60.0


def outgoing_http(settings: Settings) -> httpx.AsyncClient:
    """The client jobs use for outside services (push services): bounded, no redirects, identified."""
    limits = httpx.Limits(
        max_connections=settings.push_concurrency * 2, max_keepalive_connections=settings.push_concurrency
    )
    return httpx.AsyncClient(
        timeout=HTTP_TIMEOUT, limits=limits, follow_redirects=False, headers={"User-Agent": f"mattran/{VERSION}"}
    )


def current_dsn() -> str:
    """The DSN the app's database pool was started with (DATABASE_URL or the embedded server's)."""
    dsn = db.ENGINE.config.get("dsn")
    if not dsn:
        raise RuntimeError("the database is not connected")
    return str(dsn)


async def run_worker(
    settings: Settings,
    clock: Clock,
    dsn: str,
    *,
    name: str = "worker",
    install_signal_handlers: bool = True,
    wait: bool = True,
) -> None:
    """Run jobs until stopped (or, with wait=False, until the queue is empty). Needs db.connect() done."""
    async with opened(dsn, settings) as app, outgoing_http(settings) as http, Kicker(dsn, KICKS).listening():
        await app.run_worker_async(
            name=name,
            concurrency=settings.worker_concurrency,
            additional_context={RUNTIME_KEY: JobRuntime(settings, clock, http)},
            # Successful jobs leave nothing behind (the cron sweep alone would add 1,440 rows a day).
            delete_jobs="successful",
            shutdown_graceful_timeout=SHUTDOWN_GRACE_SECONDS,
            install_signal_handlers=install_signal_handlers,
            wait=wait,
        )


@contextlib.asynccontextmanager
async def in_process_worker(app: Litestar) -> AsyncIterator[None]:
    """Lifespan hook: the job worker as a task of a web process, when settings.runs_worker_in_process."""
    settings: Settings = app.state.settings
    if not settings.runs_worker_in_process:
        yield
        return
    supervisor = asyncio.create_task(_supervise(settings, app.state.clock, current_dsn()), name="in-process worker")
    try:
        yield
    finally:
        supervisor.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await supervisor


async def _supervise(settings: Settings, clock: Clock, dsn: str) -> None:
    """Keep the in-process worker running: a database outage must not silently end job processing while the
    web process lives on (a separate `mattran worker` is restarted by its process manager instead)."""
    wait = 1.0
    while True:
        try:
            await run_worker(settings, clock, dsn, name=f"serve-{os.getpid()}", install_signal_handlers=False)
            return
        except Exception:
            logger.exception("the in-process job worker stopped; restarting in %.0f s", wait)
        await asyncio.sleep(wait)
        wait = min(wait * 2, RESTART_MAX_SECONDS)
