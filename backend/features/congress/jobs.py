"""Durable jobs of congress tracking: the daily deadline scan (alerts at T-7, T-1, overdue; digests)."""

from __future__ import annotations

import logging

from procrastinate import Blueprint, JobContext, RetryStrategy

from backend.features.congress.alerts import AlertService
from backend.features.jobs.runtime import runtime_of

logger = logging.getLogger("mattran.congress.jobs")

blueprint = Blueprint()


# 07:30 in Viet Nam: the day's alerts and digests arrive as the offices open. Deduplicated, so the hourly
# catch-up runs after a missed morning (worker down) send only what was not sent.
@blueprint.periodic(cron="30 0-10 * * *")
@blueprint.task(
    name="scan_deadlines",
    pass_context=True,
    queueing_lock="congress.scan_deadlines",
    retry=RetryStrategy(max_attempts=5, exponential_wait=2),
)
async def scan_deadlines(context: JobContext, timestamp: int) -> dict[str, int]:
    runtime = runtime_of(context)
    report = await AlertService(runtime.settings, runtime.clock).scan()
    logger.info("congress deadline scan: %s", report)
    return {"claimed": report.claimed, "notified": report.notified, "digests": report.digests}
