"""The procrastinate App of the process: every feature's tasks, opened on the database the web app uses.

procrastinate wants one module-level App that knows every task (a worker finds a job's code by the task's
name). The connection is chosen at run time: `opened(dsn)` plugs in a psycopg pool for the same DSN that
the asyncpg pool uses (DATABASE_URL, or the embedded server's), so both drivers see one database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from procrastinate import App, PsycopgConnector

from backend.features.congress.jobs import blueprint as congress_blueprint
from backend.features.identity.jobs import KICKS as IDENTITY_KICKS
from backend.features.identity.jobs import blueprint as identity_blueprint
from backend.features.jobs import maintenance
from backend.features.jobs.kicks import AnyTask
from backend.features.notify.jobs import KICKS as NOTIFY_KICKS
from backend.features.notify.jobs import blueprint as notify_blueprint
from backend.features.petitions.jobs import blueprint as petitions_blueprint
from backend.features.registry.jobs import blueprint as registry_blueprint
from backend.features.reports.jobs import blueprint as reports_blueprint
from backend.settings import Settings

JOBS = App(connector=PsycopgConnector())
JOBS.add_tasks_from(maintenance.blueprint, namespace="jobs")
JOBS.add_tasks_from(notify_blueprint, namespace="notify")
JOBS.add_tasks_from(registry_blueprint, namespace="registry")
JOBS.add_tasks_from(petitions_blueprint, namespace="petitions")
JOBS.add_tasks_from(congress_blueprint, namespace="congress")
JOBS.add_tasks_from(identity_blueprint, namespace="identity")
JOBS.add_tasks_from(reports_blueprint, namespace="reports")

# PostgreSQL channels whose notifications queue a task (see kicks.py): outboxes and their drain tasks.
KICKS: dict[str, AnyTask] = {**NOTIFY_KICKS, **IDENTITY_KICKS}

# psycopg connections a worker needs besides one per running job: LISTEN, fetching, heartbeats, cron.
EXTRA_CONNECTIONS = 4


@asynccontextmanager
async def opened(dsn: str, settings: Settings) -> AsyncIterator[App]:
    """JOBS connected to the database at dsn, for deferring jobs and running a worker."""
    connector = PsycopgConnector(
        conninfo=dsn, min_size=1, max_size=settings.worker_concurrency + EXTRA_CONNECTIONS, name="mattran-jobs"
    )
    with JOBS.replace_connector(connector) as app:
        try:
            await app.open_async()
            yield app
        finally:
            # Also when opening was interrupted (a shutdown during startup): the pool's tasks must not leak.
            await app.close_async()
