"""The job queue on PostgreSQL: its schema, deduplication by queueing lock, retries with exponential
back-off, periodic jobs, and the recovery of jobs whose worker died."""

from __future__ import annotations

import time
from typing import Any

import pytest
from procrastinate import App, Blueprint, JobContext, PsycopgConnector

from backend import db
from backend.features.identity.jobs import send_logout_notices
from backend.features.identity.repo import LOGOUT_NOTICES_CHANNEL
from backend.features.jobs.app import JOBS, KICKS, opened
from backend.features.jobs.kicks import kick
from backend.features.jobs.maintenance import retry_stalled
from backend.features.jobs.schema import JobsSchemaError, apply_schema, installed_package_version
from backend.features.notify.jobs import DRAIN_RETRY, deliver_pending
from backend.features.notify.repo import OUTBOX_CHANNEL
from backend.settings import Settings

pytestmark = pytest.mark.integration


async def jobs(query: str = "SELECT * FROM procrastinate_jobs ORDER BY id", *args: Any) -> list[Any]:
    async with db.connection() as conn:
        return list(await conn.fetch(query, *args))


async def test_migrate_installed_the_schema_once_and_recorded_its_version(connected: str) -> None:
    async with db.connection() as conn:
        recorded = await conn.fetchval("SELECT version FROM jobs_schema_version")
        async with conn.transaction():
            again = await apply_schema(conn)

    assert recorded == installed_package_version()
    assert again == "up to date"
    assert await jobs() == []


async def test_tables_of_an_unknown_version_are_left_alone(connected: str) -> None:
    async with db.connection() as conn:
        with pytest.raises(JobsSchemaError, match="which version"):
            async with conn.transaction():
                await conn.execute("DELETE FROM jobs_schema_version")
                await apply_schema(conn)
        assert await conn.fetchval("SELECT count(*) FROM jobs_schema_version") == 1  # rolled back


async def test_a_wake_up_while_one_waits_is_deduplicated(connected: str, database: str, settings: Settings) -> None:
    async with opened(database, settings):
        first = await kick(deliver_pending)
        second = await kick(deliver_pending)

    assert (first, second) == (True, False)
    [job] = await jobs()
    assert (job["task_name"], job["status"], job["queueing_lock"]) == ("notify:deliver", "todo", "notify.deliver")


def test_each_outbox_channel_wakes_its_drain_task() -> None:
    assert {OUTBOX_CHANNEL: deliver_pending, LOGOUT_NOTICES_CHANNEL: send_logout_notices} == KICKS


def test_periodic_jobs_are_registered_with_a_queueing_lock_each() -> None:
    periodic = {task.task.name: task for task in JOBS.periodic_registry.periodic_tasks.values()}

    assert {name: task.cron for name, task in periodic.items()} == {
        "notify:sweep": "* * * * *",
        "notify:prune": "23 20 * * *",
        "identity:sweep_logouts": "* * * * *",
        "jobs:retry_stalled": "*/5 * * * *",
        "jobs:remove_old_jobs": "41 19 * * *",
        "registry:import_upkeep": "*/5 * * * *",
        "congress:scan_deadlines": "30 0-10 * * *",
        "petitions:scan_deadlines": "*/5 * * * *",
        "reports:remind_deadline": "7 * * * *",
    }
    # A slow run never piles up copies of itself.
    assert all(task.task.queueing_lock for task in periodic.values())
    # The sweep and the wake-up share one lock: at most one drain waits, whoever asked.
    assert periodic["notify:sweep"].task.queueing_lock == deliver_pending.queueing_lock
    assert periodic["identity:sweep_logouts"].task.queueing_lock == send_logout_notices.queueing_lock


flaky = Blueprint()


@flaky.task(name="always_fails", retry=DRAIN_RETRY)
async def always_fails() -> None:
    raise ConnectionError("the database went away")


async def test_a_failing_job_is_retried_with_exponential_back_off(connected: str, database: str) -> None:
    app = App(connector=PsycopgConnector(conninfo=database))
    app.add_tasks_from(flaky, namespace="test")
    waits = []
    async with app.open_async():
        await always_fails.defer_async()
        for _ in range(3):
            await app.run_worker_async(wait=False, install_signal_handlers=False, listen_notify=False)
            [job] = await jobs("SELECT status, attempts, scheduled_at - now() AS wait FROM procrastinate_jobs")
            waits.append(round(job["wait"].total_seconds()))
            assert job["status"] == "todo"
            # Time passes (PostgreSQL's clock decides when a job is due, so the job is moved instead).
            await jobs("UPDATE procrastinate_jobs SET scheduled_at = now() RETURNING id")

    assert waits == [2, 4, 8]
    assert (await jobs("SELECT attempts FROM procrastinate_jobs"))[0]["attempts"] == 3


def test_the_retry_strategy_gives_up_eventually() -> None:
    class Job:
        attempts = 0

    job = Job()
    decisions = []
    for attempts in range(10):
        job.attempts = attempts
        decision = DRAIN_RETRY.get_retry_decision(exception=ConnectionError(), job=job)  # type: ignore[arg-type]
        decisions.append(decision)
    assert all(decision is not None for decision in decisions[:8])
    assert decisions[8] is None and decisions[9] is None


def context_for(app: App) -> JobContext:
    return JobContext(app=app, job=None, start_timestamp=time.time(), abort_reason=lambda: None)  # type: ignore[arg-type]


async def died_holding(app: App) -> int:
    """Take the waiting job as a worker, then let that worker vanish (pruned after missing heartbeats)."""
    worker_id = await app.job_manager.register_worker()
    job = await app.job_manager.fetch_job(queues=None, worker_id=worker_id)
    assert job is not None and job.id is not None
    await jobs("DELETE FROM procrastinate_workers WHERE id = $1 RETURNING id", worker_id)
    return job.id


async def test_jobs_of_workers_that_died_are_put_back_in_the_queue(
    connected: str, database: str, settings: Settings
) -> None:
    async with opened(database, settings) as app:
        await kick(deliver_pending)
        orphan = await died_holding(app)

        retried = await retry_stalled(context_for(app), timestamp=0)

    assert retried == 1
    [job] = await jobs()
    assert (job["id"], job["status"]) == (orphan, "todo")


async def test_a_dead_workers_job_with_a_waiting_twin_is_closed(
    connected: str, database: str, settings: Settings
) -> None:
    async with opened(database, settings) as app:
        await kick(deliver_pending)
        orphan = await died_holding(app)
        await kick(deliver_pending)  # the twin: its lock is free again while the orphan is "doing"

        retried = await retry_stalled(context_for(app), timestamp=0)

    assert retried == 0
    assert {(job["id"] == orphan, job["status"]) for job in await jobs()} == {(True, "failed"), (False, "todo")}
