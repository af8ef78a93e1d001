"""Durable jobs of the registry: the upkeep of import jobs (orphaned loads, uploaded files past retention)."""

from __future__ import annotations

import logging
from datetime import timedelta

from procrastinate import Blueprint, JobContext

from backend.features.jobs.runtime import runtime_of
from backend.features.registry.imports import remove_expired_uploads, reset_interrupted_loads
from backend.lib.clock import Clock
from backend.settings import Settings

logger = logging.getLogger("mattran.registry.jobs")

blueprint = Blueprint()


async def import_upkeep(settings: Settings, clock: Clock) -> dict[str, int]:
    now = clock.now()
    reset = await reset_interrupted_loads(now, timedelta(seconds=settings.registry_import_lease_seconds))
    expired = await remove_expired_uploads(now, timedelta(hours=settings.registry_import_retention_hours))
    if reset:
        logger.warning("reset %d registry imports left loading by a stopped process", reset)
    return {"reset": reset, "expired": expired}


@blueprint.periodic(cron="*/5 * * * *")
@blueprint.task(name="import_upkeep", pass_context=True, queueing_lock="registry.import_upkeep")
async def import_upkeep_task(context: JobContext, timestamp: int) -> dict[str, int]:
    """Every five minutes (so also soon after a worker starts again after a crash)."""
    runtime = runtime_of(context)
    return await import_upkeep(runtime.settings, runtime.clock)
