"""The push pipeline against the local push service: the outbox written with the change, fan-out to
devices, delivery and its outcomes, retries on the injected clock, quiet hours, and the crash points of
a worker (each simulated explicitly: the steps are the ones `Dispatcher.drain` runs)."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
import msgspec
import pytest

from backend import db
from backend.features.notify import repo
from backend.features.notify.delivery import Dispatcher, DrainReport, prune, settlement_for
from backend.features.notify.service import MAX_DEVICES_PER_ACCOUNT, NotifyService, notify
from backend.features.notify.webpush import Outcome, PayloadTooLarge
from backend.lib.clock import FrozenClock
from backend.settings import Settings
from schemas.notify import NotificationPreferencesUpdate, PushKeys, PushSubscriptionCreate, QuietHours
from support.identity import make_account
from support.push_devices import subscribe_device
from support.push_stub import PushServiceStub, StubResponse

pytestmark = pytest.mark.integration


@pytest.fixture
async def account(connected: str, settings: Settings, clock: FrozenClock) -> uuid.UUID:
    return await make_account(settings, clock, "can.bo.lan", "citizen", "TW")


async def notify_one(
    clock: FrozenClock, account_id: uuid.UUID, key: str = "petition:42:assigned", **extra: Any
) -> uuid.UUID:
    options: dict[str, Any] = {"url": "/kien-nghi/42", "tag": "kn-42"} | extra
    async with db.transaction():
        notification_id = await notify(
            account_id,
            "assignment",
            "Kiến nghị mới được giao",
            "Ông Nguyễn Văn Đặng gửi kiến nghị về đường liên thôn; hạn trả lời 15 ngày.",
            dedup_key=key,
            now=clock.now(),
            **options,
        )
    assert notification_id is not None
    return notification_id


async def row(table: str, **where: Any) -> Any:
    ((column, value),) = where.items()
    async with db.connection() as conn:
        return await conn.fetchrow(f"SELECT * FROM {table} WHERE {column} = $1", value)


async def rows(query: str, *args: Any) -> list[Any]:
    async with db.connection() as conn:
        return list(await conn.fetch(query, *args))


async def test_the_payload_decrypts_to_what_was_sent(
    dispatcher: Dispatcher, stub: PushServiceStub, settings: Settings, clock: FrozenClock, account: uuid.UUID
) -> None:
    browser = await subscribe_device(settings, clock, stub, account)
    notification_id = await notify_one(clock, account)

    report = await dispatcher.drain()

    [push] = stub.received_for(browser.id)
    assert msgspec.json.decode(push.payload) == {
        "title": "Kiến nghị mới được giao",
        "body": "Ông Nguyễn Văn Đặng gửi kiến nghị về đường liên thôn; hạn trả lời 15 ngày.",
        "url": "/kien-nghi/42",
        "tag": "kn-42",
        "id": str(notification_id),
    }
    assert push.headers["topic"] == notification_id.hex
    assert push.headers["urgency"] == "normal"
    assert int(push.headers["ttl"]) == 24 * 3600
    assert push.claims["sub"] == "mailto:webmaster@testserver"
    assert (report.fanned_out, report.delivered) == (1, 1)
    notification = await row("notifications", id=notification_id)
    assert (notification["push_state"], notification["push_finished_at"]) == ("sent", clock.now())
    [attempt] = await rows("SELECT * FROM push_attempts")
    assert (attempt["outcome"], attempt["status_code"]) == ("delivered", 201)


async def test_a_notification_reaches_every_device_of_the_account(
    dispatcher: Dispatcher, stub: PushServiceStub, settings: Settings, clock: FrozenClock, account: uuid.UUID
) -> None:
    phone, laptop = [await subscribe_device(settings, clock, stub, account) for _ in range(2)]
    other = await make_account(settings, clock, "nguoi.khac", "citizen", "TW")
    stranger = await subscribe_device(settings, clock, stub, other)
    await notify_one(clock, account)

    await dispatcher.drain()

    assert len(stub.received_for(phone.id)) == len(stub.received_for(laptop.id)) == 1
    assert stub.received_for(stranger.id) == []


async def test_410_removes_the_subscription(
    dispatcher: Dispatcher, stub: PushServiceStub, settings: Settings, clock: FrozenClock, account: uuid.UUID
) -> None:
    gone, alive = [await subscribe_device(settings, clock, stub, account) for _ in range(2)]
    stub.script(gone.id, 410)
    notification_id = await notify_one(clock, account)

    report = await dispatcher.drain()

    assert (report.gone, report.delivered) == (1, 1)
    assert await row("push_subscriptions", endpoint=gone.subscription.endpoint) is None
    assert await row("push_subscriptions", endpoint=alive.subscription.endpoint) is not None
    states = {r["state"] for r in await rows("SELECT state FROM push_deliveries")}
    assert states == {"gone", "sent"}
    assert (await row("notifications", id=notification_id))["push_state"] == "sent"
    # Nothing more goes to the vanished device.
    await notify_one(clock, account, key="petition:43:assigned")
    await dispatcher.drain()
    assert [a.status for a in stub.attempts_for(gone.id)] == [410]


async def test_a_notification_none_of_whose_devices_exists_any_more_failed(
    dispatcher: Dispatcher, stub: PushServiceStub, settings: Settings, clock: FrozenClock, account: uuid.UUID
) -> None:
    browser = await subscribe_device(settings, clock, stub, account)
    stub.script(browser.id, 404)
    notification_id = await notify_one(clock, account)

    await dispatcher.drain()

    assert (await row("notifications", id=notification_id))["push_state"] == "failed"
    assert await rows("SELECT * FROM push_subscriptions") == []


async def test_429_is_retried_after_retry_after(
    dispatcher: Dispatcher, stub: PushServiceStub, settings: Settings, clock: FrozenClock, account: uuid.UUID
) -> None:
    browser = await subscribe_device(settings, clock, stub, account)
    stub.script(browser.id, StubResponse(429, retry_after="120"))
    notification_id = await notify_one(clock, account)

    first = await dispatcher.drain()

    assert (first.retried, stub.received_for(browser.id)) == (1, [])
    delivery = await row("push_deliveries", notification=notification_id)
    assert (delivery["state"], delivery["due_at"]) == ("to_send", clock.now() + timedelta(seconds=120))
    assert (await row("push_attempts", delivery=delivery["id"]))["retry_after_seconds"] == 120
    clock.advance(timedelta(seconds=119))
    await dispatcher.drain()
    assert len(stub.attempts_for(browser.id)) == 1  # not before the push service said
    clock.advance(timedelta(seconds=1))

    later = await dispatcher.drain()

    assert later.delivered == 1
    assert [a.status for a in stub.attempts_for(browser.id)] == [429, 201]
    assert (await row("notifications", id=notification_id))["push_state"] == "sent"


async def test_5xx_without_retry_after_backs_off_exponentially(
    dispatcher: Dispatcher, stub: PushServiceStub, settings: Settings, clock: FrozenClock, account: uuid.UUID
) -> None:
    browser = await subscribe_device(settings, clock, stub, account)
    stub.script(browser.id, 500, 503)
    notification_id = await notify_one(clock, account)
    started = clock.now()

    await dispatcher.drain()
    first_due = (await row("push_deliveries", notification=notification_id))["due_at"]
    clock.set(first_due)
    await dispatcher.drain()
    second_due = (await row("push_deliveries", notification=notification_id))["due_at"]
    clock.set(second_due)
    await dispatcher.drain()

    base = settings.push_retry_base_seconds
    assert first_due - started == timedelta(seconds=base)
    assert second_due - first_due == timedelta(seconds=2 * base)
    assert [a.status for a in stub.attempts_for(browser.id)] == [500, 503, 201]


async def test_retries_stop_at_the_attempt_limit(
    stub: PushServiceStub, settings: Settings, clock: FrozenClock, http: httpx.AsyncClient, account: uuid.UUID
) -> None:
    settings = msgspec.structs.replace(settings, push_max_attempts=2)
    browser = await subscribe_device(settings, clock, stub, account)
    stub.script(browser.id, 500, 500, 500)
    notification_id = await notify_one(clock, account)
    dispatcher = Dispatcher(settings, clock, http)

    await dispatcher.drain()
    clock.advance(timedelta(hours=1))
    report = await dispatcher.drain()

    assert report.failed == 1
    delivery = await row("push_deliveries", notification=notification_id)
    assert (delivery["state"], delivery["attempts"]) == ("failed", 2)
    assert "gave up after 2 attempts" in delivery["last_error"]
    assert (await row("notifications", id=notification_id))["push_state"] == "failed"


@pytest.mark.parametrize("status", [400, 401, 403, 413])
async def test_configuration_errors_are_recorded_and_not_retried(
    status: int,
    dispatcher: Dispatcher,
    stub: PushServiceStub,
    settings: Settings,
    clock: FrozenClock,
    account: uuid.UUID,
    caplog: pytest.LogCaptureFixture,
) -> None:
    browser = await subscribe_device(settings, clock, stub, account)
    stub.script(browser.id, StubResponse(status, body="BadJwtToken"))
    notification_id = await notify_one(clock, account)

    report = await dispatcher.drain()
    clock.advance(timedelta(hours=2))
    await dispatcher.drain()

    assert report.failed == 1
    assert len(stub.attempts_for(browser.id)) == 1
    delivery = await row("push_deliveries", notification=notification_id)
    assert delivery["state"] == "failed" and delivery["last_status"] == status
    assert delivery["last_error"] == f"configuration error: {status} BadJwtToken"
    assert (await row("push_attempts", delivery=delivery["id"]))["outcome"] == Outcome.CONFIG_ERROR.value
    assert await row("push_subscriptions", endpoint=browser.subscription.endpoint) is not None
    assert "push service refused the request" in caplog.text


async def test_a_message_that_would_arrive_stale_is_given_up(
    dispatcher: Dispatcher, stub: PushServiceStub, settings: Settings, clock: FrozenClock, account: uuid.UUID
) -> None:
    browser = await subscribe_device(settings, clock, stub, account)
    stub.script(browser.id, StubResponse(503, retry_after="600"))
    notification_id = await notify_one(clock, account, ttl_seconds=300)

    report = await dispatcher.drain()

    assert report.failed == 1
    delivery = await row("push_deliveries", notification=notification_id)
    assert delivery["state"] == "failed" and "expire" in delivery["last_error"]


async def test_the_same_event_never_notifies_twice(
    dispatcher: Dispatcher, stub: PushServiceStub, settings: Settings, clock: FrozenClock, account: uuid.UUID
) -> None:
    browser = await subscribe_device(settings, clock, stub, account)
    first = await notify_one(clock, account, key="petition:42:assigned:7")
    async with db.transaction():
        again = await notify(
            account, "assignment", "Lặp lại", "Cùng một sự kiện", dedup_key="petition:42:assigned:7", now=clock.now()
        )
    await dispatcher.drain()

    assert again is None
    assert [r["id"] for r in await rows("SELECT id FROM notifications")] == [first]
    assert len(stub.received_for(browser.id)) == 1


async def test_a_notification_rolled_back_with_its_change_never_exists(
    dispatcher: Dispatcher, stub: PushServiceStub, settings: Settings, clock: FrozenClock, account: uuid.UUID
) -> None:
    browser = await subscribe_device(settings, clock, stub, account)

    with pytest.raises(RuntimeError, match="the change failed"):
        async with db.transaction():
            await notify(account, "assignment", "Sẽ bị hủy", "…", dedup_key="rolled-back", now=clock.now())
            raise RuntimeError("the change failed")
    await dispatcher.drain()

    assert await rows("SELECT * FROM notifications") == []
    assert stub.received_for(browser.id) == []


async def test_arguments_no_push_could_carry_are_refused_before_anything_is_written(
    connected: str, clock: FrozenClock, account: uuid.UUID
) -> None:
    with pytest.raises(PayloadTooLarge):
        await notify(account, "assignment", "Dài", "chữ " * 1500, dedup_key="big", now=clock.now())
    with pytest.raises(ValueError, match="unknown notification kind"):
        await notify(account, "asignment", "Sai loại", "…", dedup_key="typo", now=clock.now())
    with pytest.raises(ValueError, match="path inside the app"):
        await notify(account, "assignment", "Lừa", "…", dedup_key="link", url="https://evil.example", now=clock.now())
    assert await rows("SELECT * FROM notifications") == []


async def test_quiet_hours_hold_pushes_until_they_end(
    dispatcher: Dispatcher, stub: PushServiceStub, settings: Settings, clock: FrozenClock, account: uuid.UUID
) -> None:
    browser = await subscribe_device(settings, clock, stub, account)
    local = clock.now().astimezone(dispatcher.zone)
    start, end = local - timedelta(hours=1), local + timedelta(hours=2)
    quiet = QuietHours(start=start.strftime("%H:%M"), end=end.strftime("%H:%M"))
    await NotifyService(settings, clock).update_preferences(
        account, NotificationPreferencesUpdate(muted_kinds=[], quiet_hours=quiet), "vi"
    )
    notification_id = await notify_one(clock, account)

    held = await dispatcher.drain()

    assert (held.postponed, stub.received_for(browser.id)) == (1, [])
    end_of_quiet = end.replace(second=0)
    assert (await row("notifications", id=notification_id))["push_not_before"] == end_of_quiet
    clock.set(end_of_quiet - timedelta(seconds=1))
    await dispatcher.drain()
    assert stub.received_for(browser.id) == []
    clock.set(end_of_quiet)

    released = await dispatcher.drain()

    assert released.delivered == 1 and len(stub.received_for(browser.id)) == 1


async def test_a_muted_kind_reaches_the_inbox_but_no_device(
    dispatcher: Dispatcher, stub: PushServiceStub, settings: Settings, clock: FrozenClock, account: uuid.UUID
) -> None:
    browser = await subscribe_device(settings, clock, stub, account)
    await NotifyService(settings, clock).update_preferences(
        account, NotificationPreferencesUpdate(muted_kinds=["assignment"]), "vi"
    )
    notification_id = await notify_one(clock, account)

    report = await dispatcher.drain()

    assert (report.skipped, stub.received_for(browser.id)) == (1, [])
    assert (await row("notifications", id=notification_id))["push_state"] == "skipped"
    page = await NotifyService(settings, clock).inbox(account, unread_only=True, cursor=None, limit=10)
    assert [item.id for item in page.items] == [notification_id]


async def test_an_account_without_devices_gets_the_inbox_only(
    dispatcher: Dispatcher, clock: FrozenClock, account: uuid.UUID
) -> None:
    notification_id = await notify_one(clock, account)

    report = await dispatcher.drain()

    assert report.skipped == 1
    assert (await row("notifications", id=notification_id))["push_state"] == "skipped"


async def test_a_device_that_unsubscribes_meanwhile_gets_nothing(
    dispatcher: Dispatcher, stub: PushServiceStub, settings: Settings, clock: FrozenClock, account: uuid.UUID
) -> None:
    browser = await subscribe_device(settings, clock, stub, account)
    stub.script(browser.id, StubResponse(503, retry_after="60"))
    notification_id = await notify_one(clock, account)
    await dispatcher.drain()
    await NotifyService(settings, clock).unsubscribe(account, browser.subscription.endpoint)
    clock.advance(timedelta(seconds=60))

    report = await dispatcher.drain()

    assert report.gone == 1 and len(stub.attempts_for(browser.id)) == 1
    assert (await row("notifications", id=notification_id))["push_state"] == "failed"


async def test_a_device_that_changes_hands_gets_nothing_more_of_the_previous_user(
    dispatcher: Dispatcher, stub: PushServiceStub, settings: Settings, clock: FrozenClock, account: uuid.UUID
) -> None:
    browser = await subscribe_device(settings, clock, stub, account)
    stub.script(browser.id, StubResponse(503, retry_after="60"))
    await notify_one(clock, account)
    await dispatcher.drain()
    successor = await make_account(settings, clock, "nguoi.ke.nhiem", "citizen", "TW")
    sub = browser.subscription
    data = PushSubscriptionCreate(endpoint=sub.endpoint, keys=PushKeys(p256dh=sub.p256dh, auth=sub.auth))
    await NotifyService(settings, clock).subscribe(successor, data, "")
    clock.advance(timedelta(seconds=60))

    await dispatcher.drain()

    assert len(stub.attempts_for(browser.id)) == 1  # the previous user's notification was not sent to it


async def test_workers_draining_at_once_send_each_delivery_once(
    connected: str, stub: PushServiceStub, settings: Settings, clock: FrozenClock, account: uuid.UUID
) -> None:
    browsers = [await subscribe_device(settings, clock, stub, account) for _ in range(3)]
    ids = [await notify_one(clock, account, key=f"event:{n}") for n in range(12)]

    async with httpx.AsyncClient() as one, httpx.AsyncClient() as two:
        await asyncio.gather(*(Dispatcher(settings, clock, client).drain() for client in (one, two, one)))

    for browser in browsers:
        received = sorted(msgspec.json.decode(push.payload)["id"] for push in stub.received_for(browser.id))
        assert received == sorted(str(i) for i in ids)


# --- a worker's crash points -------------------------------------------------------------------------------


async def test_crash_after_claiming_before_sending_loses_nothing(
    dispatcher: Dispatcher, stub: PushServiceStub, settings: Settings, clock: FrozenClock, account: uuid.UUID
) -> None:
    browser = await subscribe_device(settings, clock, stub, account)
    notification_id = await notify_one(clock, account)
    await dispatcher.release_due(DrainReport())
    claimed = await dispatcher.claim()
    assert len(claimed) == 1
    # ... the worker dies here: the claim is committed, nothing was sent.

    restarted = Dispatcher(settings, clock, dispatcher.http)
    assert (await restarted.drain()).delivered == 0  # the lease still holds: no one else takes it yet
    clock.advance(timedelta(seconds=settings.push_lease_seconds))
    report = await restarted.drain()

    assert report.delivered == 1
    assert len(stub.received_for(browser.id)) == 1
    delivery = await row("push_deliveries", notification=notification_id)
    assert (delivery["state"], delivery["attempts"]) == ("sent", 2)
    assert len(await rows("SELECT * FROM push_attempts")) == 1  # one request was ever made


async def test_crash_after_the_outcome_is_recorded_sends_nothing_again(
    dispatcher: Dispatcher, stub: PushServiceStub, settings: Settings, clock: FrozenClock, account: uuid.UUID
) -> None:
    browser = await subscribe_device(settings, clock, stub, account)
    await notify_one(clock, account)
    await dispatcher.drain()
    # ... the worker dies after committing the outcome; another starts, much later.

    clock.advance(timedelta(hours=1))
    report = await Dispatcher(settings, clock, dispatcher.http).drain()

    assert report.delivered == 0 and len(stub.received_for(browser.id)) == 1


async def test_crash_between_acceptance_and_recording_resends_under_the_same_topic_and_tag(
    dispatcher: Dispatcher, stub: PushServiceStub, settings: Settings, clock: FrozenClock, account: uuid.UUID
) -> None:
    """The one window that cannot be closed (see delivery.py): the push service has the message, the
    database does not know. The resend carries the same Topic (the push service replaces a copy it still
    holds) and the same tag and id (the service worker replaces the notification it shows)."""
    browser = await subscribe_device(settings, clock, stub, account)
    notification_id = await notify_one(clock, account)
    await dispatcher.release_due(DrainReport())
    [claim] = await dispatcher.claim()
    result = await dispatcher.send(claim)
    assert result.outcome is Outcome.DELIVERED
    # ... the worker dies here, before `record`.

    clock.advance(timedelta(seconds=settings.push_lease_seconds))
    report = await Dispatcher(settings, clock, dispatcher.http).drain()

    first, second = stub.received_for(browser.id)
    assert report.delivered == 1
    assert first.headers["topic"] == second.headers["topic"] == notification_id.hex
    assert first.payload == second.payload  # same tag, same id
    assert (await row("push_deliveries", notification=notification_id))["state"] == "sent"
    clock.advance(timedelta(hours=1))
    await Dispatcher(settings, clock, dispatcher.http).drain()
    assert len(stub.received_for(browser.id)) == 2  # and never a third time


async def test_a_worker_that_lost_its_lease_cannot_overwrite_the_outcome(
    dispatcher: Dispatcher, stub: PushServiceStub, settings: Settings, clock: FrozenClock, account: uuid.UUID
) -> None:
    browser = await subscribe_device(settings, clock, stub, account)
    stub.script(browser.id, 201, StubResponse(503, retry_after="60"))
    notification_id = await notify_one(clock, account)
    await dispatcher.release_due(DrainReport())
    [stale] = await dispatcher.claim()  # a worker that then hangs past its lease
    clock.advance(timedelta(seconds=settings.push_lease_seconds))
    await Dispatcher(settings, clock, dispatcher.http).drain()  # another one takes over and delivers

    late_result = await dispatcher.send(stale)  # the hung worker wakes up and finishes
    recorded = await dispatcher.record(stale, settlement_for(stale, late_result, clock.now(), settings), late_result)

    assert recorded is False
    delivery = await row("push_deliveries", notification=notification_id)
    assert delivery["state"] == "sent"
    assert len(await rows("SELECT * FROM push_attempts")) == 2  # both requests are on record


@dataclass
class GatedStub(PushServiceStub):
    """The stub, holding each request until the test opens the gate."""

    reached: asyncio.Event = field(default_factory=asyncio.Event)
    gate: asyncio.Event = field(default_factory=asyncio.Event)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.reached.set()
            await self.gate.wait()
        await super().__call__(scope, receive, send)


async def test_a_graceful_stop_mid_send_records_the_send_and_resends_nothing(
    connected: str, settings: Settings, clock: FrozenClock, http: httpx.AsyncClient, account: uuid.UUID
) -> None:
    gated = GatedStub()
    await gated.start()
    try:
        browser = await subscribe_device(settings, clock, gated, account)
        notification_id = await notify_one(clock, account)
        draining = asyncio.create_task(Dispatcher(settings, clock, http).drain())
        await asyncio.wait_for(gated.reached.wait(), 10)

        draining.cancel()  # the worker is asked to stop while the request is at the push service
        gated.gate.set()
        with pytest.raises(asyncio.CancelledError):
            await draining

        delivery = await row("push_deliveries", notification=notification_id)
        assert delivery["state"] == "sent"  # the answer was awaited and recorded before stopping
        clock.advance(timedelta(seconds=settings.push_lease_seconds))
        await Dispatcher(settings, clock, http).drain()
        assert len(gated.received_for(browser.id)) == 1
    finally:
        gated.gate.set()
        await gated.stop()


async def test_delivery_history_is_pruned_and_the_inbox_kept(
    dispatcher: Dispatcher, stub: PushServiceStub, settings: Settings, clock: FrozenClock, account: uuid.UUID
) -> None:
    await subscribe_device(settings, clock, stub, account)
    await notify_one(clock, account)
    await dispatcher.drain()
    assert await prune(clock.now() - timedelta(days=1)) == 0
    assert await prune(clock.now() + timedelta(seconds=1)) == 1

    assert await rows("SELECT * FROM push_attempts") == []
    assert len(await rows("SELECT * FROM notifications")) == 1
    assert await repo.unread_count(account) == 1


async def test_an_account_keeps_its_twenty_newest_devices(
    connected: str, stub: PushServiceStub, settings: Settings, clock: FrozenClock, account: uuid.UUID
) -> None:
    devices = []
    for _ in range(MAX_DEVICES_PER_ACCOUNT + 1):
        devices.append(await subscribe_device(settings, clock, stub, account))
        clock.advance(timedelta(seconds=1))

    kept = {r["endpoint"] for r in await rows("SELECT endpoint FROM push_subscriptions")}

    assert kept == {device.subscription.endpoint for device in devices[1:]}
