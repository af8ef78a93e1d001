"""Durable jobs of unit reports: the reminder before the weekly deadline (reminders.py)."""

from __future__ import annotations

import logging

from procrastinate import Blueprint, JobContext, RetryStrategy

from backend.features.jobs.runtime import runtime_of
from backend.features.reports.reminders import remind

logger = logging.getLogger("mattran.reports.jobs")

blueprint = Blueprint()


# Hourly, so a reminder goes out within the hour its window opens (and a run missed while the worker was
# down is made up by the next one, as long as the deadline has not passed).
@blueprint.periodic(cron="7 * * * *")
@blueprint.task(
    name="remind_deadline",
    pass_context=True,
    queueing_lock="reports.remind_deadline",
    retry=RetryStrategy(max_attempts=5, exponential_wait=2),
)
async def remind_deadline(context: JobContext, timestamp: int) -> dict[str, int]:
    runtime = runtime_of(context)
    sent = await remind(runtime.settings, runtime.clock)
    if sent:
        logger.info("report deadline reminders sent: %d", sent)
    return {"sent": sent}
