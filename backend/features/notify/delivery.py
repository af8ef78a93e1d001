"""Push delivery: the worker's side of the outbox.

A notification committed in state `to_send` is fanned out into one delivery per device of its account
(after the user's mutes and quiet hours are applied); deliveries are claimed, sent with `webpush.deliver`,
and settled. Each step is its own short transaction, rows are taken with FOR UPDATE SKIP LOCKED, so any
number of workers can drain at once without taking the same row.

What a crash can and cannot do. A claim marks a delivery `sending` under a lease (MATTRAN_PUSH_LEASE_SECONDS)
and commits before the request is made; the outcome is written right after the answer, in one transaction.
- Crash before the request: the lease runs out, another worker (or this one restarted) sends it. Lost: none.
- Crash after the outcome is written: nothing is left to do. Sent twice: none.
- Stopped on purpose (deploy, SIGTERM): requests already on the wire are awaited and recorded before the
  job ends, and no new batch is claimed, so a graceful restart loses nothing and sends nothing twice.
- The one window that cannot be closed: the process dies after the push service accepted the message and
  before the outcome is committed (a few milliseconds per send). The push service gives no way to ask
  whether it already has a message, so after the lease the delivery is sent again. Two things make that
  resend invisible to the user: the `Topic` header is the notification's id, so a push service still
  holding the first copy for an offline device replaces it with the second; and the payload's `tag` (the
  caller's, or the notification's id) and `id` make the service worker replace the notification it
  already shows instead of adding one. Push is at-least-once; what the user sees is once.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

import httpx

from backend import db
from backend.features.notify import repo, vapid
from backend.features.notify.quiet import QuietHours, quiet_until
from backend.features.notify.tables import DeliveryState
from backend.features.notify.webpush import (
    DeliveryResult,
    Outcome,
    PayloadTooLarge,
    PushMessage,
    PushSubscription,
    Urgency,
    VapidKeys,
    deliver,
)
from backend.lib import metrics
from backend.lib.clock import Clock
from backend.settings import MIN_PUSH_LEASE_SECONDS, Settings

logger = logging.getLogger("mattran.notify.delivery")

# A whole send (encrypt, connect, post, read) is cut off after this, well inside the shortest lease, so a
# slow push service cannot make a live worker's claim look abandoned.
SEND_TIMEOUT_SECONDS = MIN_PUSH_LEASE_SECONDS * 2 / 3
MAX_RETRY_WAIT = timedelta(hours=1)
FAN_OUT_BATCH = 200


@dataclass(frozen=True)
class Claim:
    """A delivery this worker holds, with what it takes to send it."""

    delivery_id: uuid.UUID
    notification_id: uuid.UUID
    token: uuid.UUID
    attempts: int  # including this one
    expires_at: datetime
    endpoint_host: str
    urgency: Urgency
    message: PushMessage
    subscription_id: uuid.UUID | None  # None: the device unsubscribed or its endpoint expired meanwhile
    subscription: PushSubscription | None
    vapid_key_id: uuid.UUID | None

    @classmethod
    def from_row(cls, row: Any) -> Claim:
        subscription = None
        if row["subscription"] is not None and row["endpoint"] is not None:
            subscription = PushSubscription(row["endpoint"], row["p256dh"], row["auth"])
        return cls(
            delivery_id=row["id"],
            notification_id=row["notification"],
            token=row["claim_token"],
            attempts=row["attempts"],
            expires_at=row["expires_at"],
            endpoint_host=row["endpoint_host"],
            urgency=cast(Urgency, row["urgency"]),  # the table's CHECK admits nothing else
            message=push_message(row["notification"], row["title"], row["body"], row["url"], row["tag"]),
            subscription_id=row["subscription"] if subscription else None,
            subscription=subscription,
            vapid_key_id=row["vapid_key"],
        )


@dataclass(frozen=True)
class Settlement:
    state: DeliveryState
    due_at: datetime | None = None
    error: str = ""


@dataclass
class DrainReport:
    fanned_out: int = 0
    postponed: int = 0
    skipped: int = 0
    delivered: int = 0
    retried: int = 0
    gone: int = 0
    failed: int = 0
    more: bool = False  # stopped for time with work left

    def settled(self, state: DeliveryState) -> None:
        name = {"sent": "delivered", "to_send": "retried", "gone": "gone", "failed": "failed"}[state.value]
        setattr(self, name, getattr(self, name) + 1)

    def as_dict(self) -> dict[str, int]:
        return {
            "fanned_out": self.fanned_out,
            "postponed": self.postponed,
            "skipped": self.skipped,
            "delivered": self.delivered,
            "retried": self.retried,
            "gone": self.gone,
            "failed": self.failed,
        }


# --- pure decisions ------------------------------------------------------------------------------------


def push_message(notification_id: uuid.UUID, title: str, body: str, url: str | None, tag: str | None) -> PushMessage:
    # Without a tag of the caller's, the notification's own id: a resend then replaces, never duplicates.
    return PushMessage(title=title, body=body, url=url, tag=tag or notification_id.hex, id=str(notification_id))


def topic_for(notification_id: uuid.UUID) -> str:
    """RFC 8030 Topic: 32 hex characters are within its 32 base64url characters. Per notification, not per
    tag: a late resend of an older notification must not replace a newer one still waiting."""
    return notification_id.hex


def retry_wait(attempts: int, base_seconds: int, retry_after: float | None) -> timedelta:
    """The push service's Retry-After when it gave one (at least a second); otherwise exponential back-off
    from base_seconds, doubling per attempt, at most MAX_RETRY_WAIT."""
    if retry_after is not None:
        return timedelta(seconds=max(1.0, retry_after))
    exponent = min(max(attempts - 1, 0), 20)  # 2**20 * base is far past the cap already
    return min(timedelta(seconds=base_seconds * 2**exponent), MAX_RETRY_WAIT)


def unsendable(claim: Claim, now: datetime, max_attempts: int) -> Settlement | None:
    """Why a claimed delivery must not be sent at all, or None."""
    if claim.subscription is None:
        return Settlement(DeliveryState.gone, error="the subscription was removed")
    if now >= claim.expires_at:
        return Settlement(DeliveryState.failed, error="expired before it could be sent")
    if claim.attempts > max_attempts:
        # Reached through lease take-overs only (a worker dying on this very message, say).
        return Settlement(DeliveryState.failed, error=f"gave up after {max_attempts} attempts")
    return None


def settlement_for(claim: Claim, result: DeliveryResult, now: datetime, settings: Settings) -> Settlement:
    """What a push service's answer means for the delivery."""
    text = f"{result.status_code or '-'} {result.response_text}".strip()
    if result.outcome is Outcome.DELIVERED:
        return Settlement(DeliveryState.sent)
    if result.outcome is Outcome.GONE:
        return Settlement(DeliveryState.gone, error=text)
    if result.outcome is Outcome.CONFIG_ERROR:
        return Settlement(DeliveryState.failed, error=f"configuration error: {text}")
    if claim.attempts >= settings.push_max_attempts:
        return Settlement(DeliveryState.failed, error=f"gave up after {claim.attempts} attempts: {text}")
    due = now + retry_wait(claim.attempts, settings.push_retry_base_seconds, result.retry_after)
    if due >= claim.expires_at:
        return Settlement(DeliveryState.failed, error=f"would expire before the next attempt: {text}")
    return Settlement(DeliveryState.to_send, due_at=due, error=text)


# --- the worker's steps ----------------------------------------------------------------------------------


class Dispatcher:
    def __init__(self, settings: Settings, clock: Clock, http: httpx.AsyncClient) -> None:
        self.settings = settings
        self.clock = clock
        self.http = http
        self.zone = ZoneInfo(settings.timezone)
        self._keys: dict[uuid.UUID, VapidKeys] = {}

    async def drain(self, max_seconds: float | None = None) -> DrainReport:
        """Fan out and send whatever is due until nothing is (or max_seconds passed: then report.more)."""
        report = DrainReport()
        started = time.monotonic()
        while True:
            if max_seconds is not None and time.monotonic() - started > max_seconds:
                report.more = True
                return report
            released = await self.release_due(report)
            claims = await self.claim()
            if not claims and not released:
                return report
            await self.deliver_claimed(claims, report)

    async def release_due(self, report: DrainReport) -> int:
        """Fan out the notifications whose time has come; returns how many were looked at."""
        now = self.clock.now()
        async with db.transaction():
            rows = await repo.lock_due_notifications(now, FAN_OUT_BATCH)
            for row in rows:
                await self._release(row, now, report)
        return len(rows)

    async def _release(self, row: Any, now: datetime, report: DrainReport) -> None:
        if row["kind"] in (row["muted_kinds"] or []):
            await repo.skip_notification(row["id"], now)
            report.skipped += 1
            return
        quiet = QuietHours(row["quiet_start"], row["quiet_end"]) if row["quiet_start"] and row["quiet_end"] else None
        until = quiet_until(now, quiet, self.zone)
        if until is not None:
            await repo.postpone_notification(row["id"], until)
            report.postponed += 1
            return
        if await repo.fan_out(row["id"], row["account"], timedelta(seconds=row["ttl_seconds"]), now):
            report.fanned_out += 1
        else:
            report.skipped += 1  # no device subscribed: the inbox alone has it

    async def claim(self) -> list[Claim]:
        """Take a batch of due deliveries (committed before anything is sent: see the module's docstring)."""
        now = self.clock.now()
        lease_until = now + timedelta(seconds=self.settings.push_lease_seconds)
        async with db.transaction():
            rows = await repo.claim_deliveries(now, lease_until, uuid.uuid4(), self.settings.push_concurrency)
        return [Claim.from_row(row) for row in rows]

    async def deliver_claimed(self, claims: list[Claim], report: DrainReport) -> None:
        tasks = [asyncio.create_task(self._deliver_one(claim, report)) for claim in claims]
        inflight = asyncio.gather(*tasks, return_exceptions=True)
        try:
            results = await asyncio.shield(inflight)
        except asyncio.CancelledError:
            # Stopping: let the requests already made finish and be recorded, so that a restart sends none
            # of them again. A second cancellation abandons them; their leases then run out as after a crash.
            await inflight
            raise
        errors = [result for result in results if isinstance(result, BaseException)]
        if errors:
            raise errors[0]

    async def _deliver_one(self, claim: Claim, report: DrainReport) -> None:
        settlement = unsendable(claim, self.clock.now(), self.settings.push_max_attempts)
        if settlement is not None:
            await self.record(claim, settlement)
            report.settled(settlement.state)
            return
        started = time.perf_counter()
        result = await self.send(claim)
        duration_ms = round((time.perf_counter() - started) * 1000)
        settlement = settlement_for(claim, result, self.clock.now(), self.settings)
        await self.record(claim, settlement, result, duration_ms)
        report.settled(settlement.state)

    async def send(self, claim: Claim) -> DeliveryResult:
        """One request to the push service; every failure comes back as a result, none as an exception."""
        assert claim.subscription is not None and claim.vapid_key_id is not None
        keys = await self._vapid_keys(claim.vapid_key_id)
        if keys is None:
            return DeliveryResult(Outcome.CONFIG_ERROR, None, "the subscription's VAPID key is missing")
        ttl = max(1, int((claim.expires_at - self.clock.now()).total_seconds()))
        try:
            async with asyncio.timeout(SEND_TIMEOUT_SECONDS):
                return await deliver(
                    self.http,
                    claim.subscription,
                    claim.message,
                    keys=keys,
                    subscriber_email=self.settings.push_subscriber,
                    ttl=ttl,
                    urgency=claim.urgency,
                    topic=topic_for(claim.notification_id),
                    clock=self.clock,
                )
        except TimeoutError:
            return DeliveryResult(Outcome.RETRY, None, f"no answer within {SEND_TIMEOUT_SECONDS:.0f} s")
        except (PayloadTooLarge, ValueError) as error:
            return DeliveryResult(Outcome.CONFIG_ERROR, None, str(error))

    async def record(
        self, claim: Claim, settlement: Settlement, result: DeliveryResult | None = None, duration_ms: int = 0
    ) -> bool:
        """Write what came of a claim in one transaction; False when the claim was no longer ours."""
        now = self.clock.now()
        async with db.transaction():
            await repo.lock_notification(claim.notification_id)
            if result is not None:
                await repo.insert_attempt(
                    claim.delivery_id,
                    now,
                    result.outcome.value,
                    result.status_code,
                    result.response_text,
                    None if result.retry_after is None else round(result.retry_after),
                    duration_ms,
                )
            ours = await repo.settle_delivery(
                claim.delivery_id,
                claim.token,
                settlement.state.value,
                settlement.due_at,
                None if result is None else result.status_code,
                settlement.error,
                now,
            )
            if not ours:
                logger.warning("a delivery's lease ran out before its outcome was recorded; another worker has it")
                return False
            if result is not None and result.outcome is Outcome.GONE and claim.subscription_id is not None:
                # The push service says the subscription is no more: nothing will reach it again.
                await repo.delete_subscription_by_id(claim.subscription_id)
            await repo.settle_notification_if_done(claim.notification_id, now)
        metrics.count_push_settlement(settlement.state.value)
        return True

    async def _vapid_keys(self, key_id: uuid.UUID) -> VapidKeys | None:
        if key_id not in self._keys:
            self._keys.update(await vapid.keys_by_id([key_id], self.settings.sealer))
        return self._keys.get(key_id)


async def prune(before: datetime, batch: int = 5000) -> int:
    """Delete delivery history (deliveries and their attempts) finished before `before`, in small batches."""
    removed = 0
    while True:
        count = await repo.prune_finished_deliveries(before, batch)
        removed += count
        if count < batch:
            return removed
