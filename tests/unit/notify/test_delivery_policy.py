"""The delivery decisions, pure: retry timing, what each answer means, what is not worth sending."""

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from backend.features.notify.delivery import (
    MAX_RETRY_WAIT,
    Claim,
    push_message,
    retry_wait,
    settlement_for,
    topic_for,
    unsendable,
)
from backend.features.notify.tables import DeliveryState
from backend.features.notify.webpush import DeliveryResult, Outcome, PushSubscription
from backend.settings import settings_from_env

pytestmark = pytest.mark.unit

NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
SETTINGS = settings_from_env({}, push_max_attempts=4, push_retry_base_seconds=30)


def claim(attempts: int = 1, expires_in: timedelta = timedelta(hours=24), subscribed: bool = True) -> Claim:
    notification_id = uuid.uuid4()
    return Claim(
        delivery_id=uuid.uuid4(),
        notification_id=notification_id,
        token=uuid.uuid4(),
        attempts=attempts,
        expires_at=NOW + expires_in,
        endpoint_host="fcm.googleapis.com",
        urgency="normal",
        message=push_message(notification_id, "Tiêu đề", "Nội dung", None, None),
        subscription_id=uuid.uuid4() if subscribed else None,
        subscription=PushSubscription("https://fcm.googleapis.com/x", "p", "a") if subscribed else None,
        vapid_key_id=uuid.uuid4(),
    )


@pytest.mark.parametrize(
    ("attempts", "retry_after", "seconds"),
    [
        (1, None, 30),
        (2, None, 60),
        (3, None, 120),
        (8, None, 3600),  # capped
        (500, None, 3600),  # no overflow
        (1, 7.0, 7),  # the push service's word counts
        (5, 7.0, 7),
        (1, 0.0, 1),  # but never a busy loop
        (1, 86400.0, 86400),  # beyond the cap too: not sooner than asked
    ],
)
def test_retry_wait(attempts: int, retry_after: float | None, seconds: int) -> None:
    assert retry_wait(attempts, 30, retry_after) == timedelta(seconds=seconds)
    assert retry_wait(attempts, 30, None) <= MAX_RETRY_WAIT


@pytest.mark.parametrize(
    ("outcome", "state"),
    [
        (Outcome.DELIVERED, DeliveryState.sent),
        (Outcome.GONE, DeliveryState.gone),
        (Outcome.CONFIG_ERROR, DeliveryState.failed),
        (Outcome.RETRY, DeliveryState.to_send),
    ],
)
def test_each_answer_settles_the_delivery(outcome: Outcome, state: DeliveryState) -> None:
    settlement = settlement_for(claim(), DeliveryResult(outcome, 200, "text"), NOW, SETTINGS)

    assert settlement.state is state
    assert (settlement.due_at is not None) is (state is DeliveryState.to_send)


def test_a_retry_is_due_after_the_wait() -> None:
    settlement = settlement_for(claim(attempts=2), DeliveryResult(Outcome.RETRY, 503, "busy"), NOW, SETTINGS)

    assert settlement.due_at == NOW + timedelta(seconds=60)
    assert settlement.error == "503 busy"


def test_retries_end_at_the_attempt_limit() -> None:
    settlement = settlement_for(claim(attempts=4), DeliveryResult(Outcome.RETRY, 500, ""), NOW, SETTINGS)

    assert settlement.state is DeliveryState.failed and "gave up after 4 attempts" in settlement.error


def test_no_retry_is_scheduled_past_the_messages_life() -> None:
    late = claim(expires_in=timedelta(seconds=20))
    settlement = settlement_for(late, DeliveryResult(Outcome.RETRY, 429, "", retry_after=60), NOW, SETTINGS)

    assert settlement.state is DeliveryState.failed and "expire" in settlement.error


def test_network_failures_are_retried_like_5xx() -> None:
    settlement = settlement_for(claim(), DeliveryResult(Outcome.RETRY, None, "ConnectError"), NOW, SETTINGS)

    assert settlement.state is DeliveryState.to_send and settlement.error == "- ConnectError"


def test_what_is_not_worth_sending() -> None:
    assert unsendable(claim(), NOW, 4) is None
    gone = unsendable(claim(subscribed=False), NOW, 4)
    stale = unsendable(claim(expires_in=timedelta(0)), NOW, 4)
    exhausted = unsendable(claim(attempts=5), NOW, 4)

    assert gone is not None and gone.state is DeliveryState.gone
    assert stale is not None and stale.state is DeliveryState.failed
    assert exhausted is not None and "gave up after 4 attempts" in exhausted.error


def test_the_topic_is_per_notification_and_valid() -> None:
    notification_id = uuid.uuid4()

    assert re.fullmatch(r"[A-Za-z0-9_-]{1,32}", topic_for(notification_id))
    assert topic_for(notification_id) != topic_for(uuid.uuid4())


def test_a_message_without_a_tag_is_tagged_with_its_notification() -> None:
    notification_id = uuid.uuid4()

    untagged = push_message(notification_id, "T", "B", "/a", None)
    tagged = push_message(notification_id, "T", "B", "/a", "kn-42")

    assert (untagged.tag, untagged.id) == (notification_id.hex, str(notification_id))
    assert tagged.tag == "kn-42"
