"""Durable jobs of notify: draining the push outbox (woken on commit, and every minute as a safety net)
and pruning delivery history."""

from __future__ import annotations

import logging
from datetime import timedelta

from procrastinate import Blueprint, JobContext, RetryStrategy

from backend.features.jobs.kicks import AnyTask, kick
from backend.features.jobs.runtime import runtime_of
from backend.features.notify.delivery import Dispatcher, prune
from backend.features.notify.repo import OUTBOX_CHANNEL

logger = logging.getLogger("mattran.notify.jobs")

blueprint = Blueprint()

# At most one drain waits in the queue, whoever asked for it (a commit's wake-up or the cron sweep).
DELIVERY_LOCK = "notify.deliver"
# A drain hands over to a fresh job after this long, so one busy outbox cannot hold a worker slot forever
# and a deploy never waits long for it.
DRAIN_SECONDS = 50.0
# The drain fails only when the database does; try again soon, then less and less often:
# 2, 4, 8, ... 256 s (procrastinate waits exponential_wait ** (attempts + 1)).
DRAIN_RETRY = RetryStrategy(max_attempts=8, exponential_wait=2)
HISTORY_DAYS = 30


async def _drain(context: JobContext) -> dict[str, int]:
    runtime = runtime_of(context)
    report = await Dispatcher(runtime.settings, runtime.clock, runtime.http).drain(max_seconds=DRAIN_SECONDS)
    if report.more:
        await kick(deliver_pending)
    return report.as_dict()


@blueprint.task(name="deliver", pass_context=True, queueing_lock=DELIVERY_LOCK, retry=DRAIN_RETRY)
async def deliver_pending(context: JobContext) -> dict[str, int]:
    """Send what the outbox holds; queued when a transaction that wrote a notification commits."""
    return await _drain(context)


@blueprint.periodic(cron="* * * * *")
@blueprint.task(name="sweep", pass_context=True, queueing_lock=DELIVERY_LOCK, retry=DRAIN_RETRY)
async def sweep(context: JobContext, timestamp: int) -> dict[str, int]:
    """The safety net: whatever no wake-up reached (listener down, retries falling due, quiet hours ending)."""
    return await _drain(context)


@blueprint.periodic(cron="23 20 * * *")  # 03:23 in Viet Nam
@blueprint.task(name="prune", pass_context=True, queueing_lock="notify.prune")
async def prune_history(context: JobContext, timestamp: int) -> int:
    """Delivery attempts are for diagnosis; after HISTORY_DAYS they go (the inbox itself stays)."""
    removed = await prune(runtime_of(context).clock.now() - timedelta(days=HISTORY_DAYS))
    logger.info("pruned %d finished push deliveries", removed)
    return removed


KICKS: dict[str, AnyTask] = {OUTBOX_CHANNEL: deliver_pending}
