"""Durable jobs of identity: sending back-channel logout notices (woken on commit, swept every minute)."""

from __future__ import annotations

from procrastinate import Blueprint, JobContext, RetryStrategy

from backend.features.identity.backchannel import BackchannelSender
from backend.features.identity.repo import LOGOUT_NOTICES_CHANNEL
from backend.features.jobs.kicks import AnyTask
from backend.features.jobs.runtime import runtime_of

blueprint = Blueprint()

# At most one sender waits in the queue, whoever asked for it.
SEND_LOCK = "identity.logout_notices"
# The sender fails only when the database does (a client's failure is recorded on its notice).
SEND_RETRY = RetryStrategy(max_attempts=8, exponential_wait=2)


async def _drain(context: JobContext) -> int:
    runtime = runtime_of(context)
    return await BackchannelSender(runtime.settings, runtime.clock, runtime.http).drain()


@blueprint.task(name="send_logouts", pass_context=True, queueing_lock=SEND_LOCK, retry=SEND_RETRY)
async def send_logout_notices(context: JobContext) -> int:
    """Queued when a transaction that ended a sign-in commits."""
    return await _drain(context)


@blueprint.periodic(cron="* * * * *")
@blueprint.task(name="sweep_logouts", pass_context=True, queueing_lock=SEND_LOCK, retry=SEND_RETRY)
async def sweep_logout_notices(context: JobContext, timestamp: int) -> int:
    """The safety net: retries falling due, and wake-ups no listener heard."""
    return await _drain(context)


KICKS: dict[str, AnyTask] = {LOGOUT_NOTICES_CHANNEL: send_logout_notices}
