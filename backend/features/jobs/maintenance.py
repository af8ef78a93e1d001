"""Periodic upkeep of the job queue itself."""

from __future__ import annotations

import logging

from procrastinate import Blueprint, JobContext, exceptions
from procrastinate.jobs import Status

logger = logging.getLogger("mattran.jobs.maintenance")

blueprint = Blueprint()

# Finished jobs are deleted on success by the worker; failed, cancelled and aborted ones are kept this long
# for diagnosis.
KEEP_FINISHED_HOURS = 7 * 24


@blueprint.periodic(cron="*/5 * * * *")
@blueprint.task(name="retry_stalled", pass_context=True, queueing_lock="jobs.retry_stalled")
async def retry_stalled(context: JobContext, timestamp: int) -> int:
    """Put back in the queue the jobs of workers that stopped sending heartbeats (they died mid-job)."""
    manager = context.app.job_manager
    retried = 0
    for job in await manager.get_stalled_jobs():
        try:
            await manager.retry_job(job)
            retried += 1
        except exceptions.UniqueViolation:
            # A waiting job with the same queueing lock will do the same work: close this one instead.
            assert job.id is not None
            await manager.finish_job_by_id_async(job.id, status=Status.FAILED, delete_job=False)
    if retried:
        logger.warning("requeued %d jobs of workers that died", retried)
    return retried


@blueprint.periodic(cron="41 19 * * *")  # 02:41 in Viet Nam, when little else runs
@blueprint.task(name="remove_old_jobs", pass_context=True, queueing_lock="jobs.remove_old_jobs")
async def remove_old_jobs(context: JobContext, timestamp: int) -> None:
    await context.app.job_manager.delete_old_jobs(
        nb_hours=KEEP_FINISHED_HOURS, include_failed=True, include_cancelled=True, include_aborted=True
    )
