"""The platform's own health, for operators: the figures of the admin health page and its JSON twin, and
the job-queue figures every Prometheus scrape reads (docs/observability.md)."""

from __future__ import annotations

import asyncio
import shutil
import time
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

from piccolo.apps.migrations.commands.base import BaseMigrationManager
from piccolo.conf.apps import AppRegistry
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric

from backend import db
from backend.features.system import repo
from backend.features.units.catalog import CENTRAL_CODE
from backend.lib.access import Permission, Principal
from backend.lib.clock import Clock
from backend.lib.errors import NotFoundError
from backend.settings import Settings
from backend.version import VERSION
from schemas.system import QueueAge, QueueCount, SystemHealth

# A probe that takes longer than this counts as "unreachable": the page must answer while the database hangs.
DATABASE_PROBE_SECONDS = 2.0


def may_see_system(principal: Principal | None) -> bool:
    """The platform's internals are for those who manage accounts at the root of the tree (central admins)."""
    return principal is not None and principal.may(Permission.manage_accounts, CENTRAL_CODE)


@lru_cache(maxsize=1)
def known_migrations() -> frozenset[tuple[str, str]]:
    """(app, migration id) of every migration the code carries (read from the migration modules once)."""
    from backend.piccolo_conf import APP_REGISTRY  # the registry imports every feature app: load it late

    registry: AppRegistry = APP_REGISTRY
    manager = BaseMigrationManager()
    return frozenset(
        (config.app_name, migration_id)
        for config in registry.app_configs.values()
        for migration_id in manager.get_migration_modules(config.resolved_migrations_folder_path)
    )


async def queue_metric_families() -> list[Metric]:
    """Whether the database answers, and the job queue as gauges, read at scrape time (one grouped count and
    one small join). A scrape while the database is down still answers, with the process metrics."""
    up = GaugeMetricFamily("mattran_database_up", "1 when the database answered this scrape's queries, else 0.")
    try:
        async with asyncio.timeout(DATABASE_PROBE_SECONDS):
            families = await _queue_families()
    except Exception:  # a probe: whatever went wrong, the figures are unknown now
        up.add_metric([], 0)
        return [up]
    up.add_metric([], 1)
    return [up, *families]


async def _queue_families() -> list[Metric]:
    counts = GaugeMetricFamily(
        "mattran_jobs", "Jobs in the durable queue, by queue and status.", labels=["queue", "status"]
    )
    for row in await repo.job_counts():
        counts.add_metric([row["queue"], row["status"]], row["jobs"])
    ages = GaugeMetricFamily(
        "mattran_jobs_oldest_due_seconds",
        "How long the longest-waiting due job has waited, by queue.",
        labels=["queue"],
    )
    for row in await repo.oldest_due_jobs():
        ages.add_metric([row["queue"]], row["age"])
    return [counts, ages]


class SystemService:
    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock

    async def health(self, principal: Principal | None) -> SystemHealth:
        if not may_see_system(principal):
            raise NotFoundError()  # as for any record outside the caller's scope: existence does not leak
        now = self.clock.now()
        latency_ms = await self._probe()
        disk = shutil.disk_usage(self._existing_data_dir())
        if latency_ms is None:
            return self._without_database(now, disk)
        vapid_created = await repo.active_vapid_key_created_at()
        applied = await repo.applied_migrations()
        return SystemHealth(
            checked_at=now,
            version=VERSION,
            database_ok=True,
            database_latency_ms=latency_ms,
            migrations_applied=len(applied),
            migrations_pending=sorted(f"{app}:{name}" for app, name in known_migrations() - applied),
            job_counts=[
                QueueCount(queue=r["queue"], status=r["status"], jobs=r["jobs"]) for r in await repo.job_counts()
            ],
            job_ages=[QueueAge(queue=r["queue"], oldest_todo_seconds=r["age"]) for r in await repo.oldest_due_jobs()],
            jobs_failed_last_day=await repo.jobs_failed_last_day(),
            push_last_hour=await repo.push_outcomes_since(now - timedelta(hours=1)),
            vapid_key_age_days=None
            if vapid_created is None
            else round((now - vapid_created).total_seconds() / 86400, 1),
            data_dir_free_bytes=disk.free,
            data_dir_total_bytes=disk.total,
        )

    @staticmethod
    def _without_database(now: datetime, disk: shutil._ntuple_diskusage) -> SystemHealth:
        return SystemHealth(
            checked_at=now,
            version=VERSION,
            database_ok=False,
            database_latency_ms=None,
            migrations_applied=0,
            migrations_pending=[],
            job_counts=[],
            job_ages=[],
            jobs_failed_last_day=0,
            push_last_hour={},
            vapid_key_age_days=None,
            data_dir_free_bytes=disk.free,
            data_dir_total_bytes=disk.total,
        )

    @staticmethod
    async def _probe() -> float | None:
        """Milliseconds for one round trip to the database, or None when it cannot be reached in time."""
        started = time.perf_counter()
        try:
            async with asyncio.timeout(DATABASE_PROBE_SECONDS), db.connection() as conn:
                await conn.fetchval("SELECT 1")
        except Exception:  # a probe: whatever went wrong, the database is not usable now
            return None
        return round((time.perf_counter() - started) * 1000, 2)

    def _existing_data_dir(self) -> Path:
        """The data folder, or its nearest existing parent (with DATABASE_URL it may never have been made)."""
        path = Path(self.settings.data_dir).resolve()
        while not path.exists():
            path = path.parent
        return path
