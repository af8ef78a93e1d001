"""Durable jobs of petitions: the deadline scan (reminders and escalation), every five minutes."""

from __future__ import annotations

import logging

from procrastinate import Blueprint, JobContext

from backend.features.jobs.runtime import runtime_of
from backend.features.petitions.reminders import DeadlineScanner

logger = logging.getLogger("mattran.petitions.jobs")

blueprint = Blueprint()


@blueprint.periodic(cron="*/5 * * * *")
@blueprint.task(name="scan_deadlines", pass_context=True, queueing_lock="petitions.scan_deadlines")
async def scan_deadlines(context: JobContext, timestamp: int) -> dict[str, int]:
    runtime = runtime_of(context)
    report = await DeadlineScanner(runtime.settings, runtime.clock).scan()
    if report.steps:
        logger.info("petition deadlines: %s", report.as_dict())
    return report.as_dict()
