"""Web Push end to end against a local push service: what `deliver` sends is what a browser decrypts, the
VAPID token is one a push service accepts, and every answer is classified as the worker needs it.

The stub (tests/support/push_stub.py) decrypts with http_ece, independently of the webpush package, and
is itself tested here so that its checks cannot silently pass.
"""

from __future__ import annotations

import base64
import logging
import os
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import jwt
import msgspec
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from webpush import WebPush, WebPushSubscription

from backend.features.notify.webpush import (
    DEFAULT_TTL_SECONDS,
    MAX_PLAINTEXT_BYTES,
    DeliveryResult,
    InvalidSubscription,
    Outcome,
    PayloadTooLarge,
    PushMessage,
    PushSubscription,
    VapidKeys,
    classify,
    deliver,
    encode_message,
    endpoint_origin,
    parse_retry_after,
    prepare,
    validate_subscription,
    vapid_authorization,
)
from backend.lib.clock import FrozenClock
from support.push_stub import BrowserSubscription, PushServiceStub, StubResponse, running_push_stub

SUBSCRIBER = "thongbao@mattran.vn"
MESSAGE = PushMessage(
    title="Kiến nghị mới", body="Ông Nguyễn Văn Đặng gửi kiến nghị về đường làng", url="/kien-nghi/42", tag="kn-42"
)


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def browser_key() -> str:
    point = (
        ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    )
    return b64url(point)


@pytest.fixture(scope="module")
async def stub() -> AsyncIterator[PushServiceStub]:
    # One server for the module; every test subscribes its own browsers, so nothing leaks between tests.
    async with running_push_stub() as running:
        yield running


@pytest.fixture(scope="module")
def keys() -> VapidKeys:
    return VapidKeys.generate()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as client:
        yield client


@pytest.fixture
def browser(stub: PushServiceStub) -> BrowserSubscription:
    return stub.subscribe()


async def send(
    http: httpx.AsyncClient, browser: BrowserSubscription, keys: VapidKeys, **options: Any
) -> DeliveryResult:
    return await deliver(http, browser.subscription, MESSAGE, keys=keys, subscriber_email=SUBSCRIBER, **options)


# --- delivery ----------------------------------------------------------------------------------------


@pytest.mark.integration
async def test_payload_decrypts_to_exactly_what_was_sent(
    stub: PushServiceStub, browser: BrowserSubscription, keys: VapidKeys, http: httpx.AsyncClient
) -> None:
    before = datetime.now(UTC)
    result = await send(http, browser, keys)

    assert (result.outcome, result.status_code) == (Outcome.DELIVERED, 201)
    [push] = stub.received_for(browser.id)
    assert push.payload == encode_message(MESSAGE) == msgspec.json.encode(MESSAGE)
    assert msgspec.json.decode(push.payload, type=PushMessage) == MESSAGE
    assert push.headers["ttl"] == str(DEFAULT_TTL_SECONDS)
    assert push.headers["content-encoding"] == "aes128gcm"
    assert push.headers["urgency"] == "normal"
    assert "topic" not in push.headers
    assert push.claims["aud"] == stub.origin  # the origin, port included
    assert push.claims["sub"] == f"mailto:{SUBSCRIBER}"
    lifetime = push.claims["exp"] - before.timestamp()
    assert 11 * 3600 < lifetime <= 12 * 3600 + 1


@pytest.mark.integration
async def test_the_largest_payload_that_fits_is_delivered_intact(
    stub: PushServiceStub, browser: BrowserSubscription, keys: VapidKeys, http: httpx.AsyncClient
) -> None:
    empty = len(encode_message(PushMessage(title="t", body="")))
    message = PushMessage(title="t", body="x" * (MAX_PLAINTEXT_BYTES - empty))
    assert len(encode_message(message)) == MAX_PLAINTEXT_BYTES

    result = await deliver(http, browser.subscription, message, keys=keys, subscriber_email=SUBSCRIBER)

    assert result.outcome is Outcome.DELIVERED
    assert stub.received_for(browser.id)[0].payload == encode_message(message)


@pytest.mark.integration
async def test_urgency_topic_and_ttl_are_sent(
    stub: PushServiceStub, browser: BrowserSubscription, keys: VapidKeys, http: httpx.AsyncClient
) -> None:
    result = await send(http, browser, keys, urgency="high", topic="kien-nghi_42", ttl=600)

    assert result.outcome is Outcome.DELIVERED
    headers = stub.received_for(browser.id)[0].headers
    assert (headers["urgency"], headers["topic"], headers["ttl"]) == ("high", "kien-nghi_42", "600")


@pytest.mark.integration
async def test_a_subscription_bound_to_our_key_accepts_it_and_refuses_another(
    stub: PushServiceStub, keys: VapidKeys, http: httpx.AsyncClient
) -> None:
    browser = stub.subscribe(application_server_key=keys.application_server_key)

    assert (await send(http, browser, keys)).outcome is Outcome.DELIVERED
    refused = await send(http, browser, VapidKeys.generate())
    assert (refused.outcome, refused.status_code) == (Outcome.CONFIG_ERROR, 403)


# --- classification of the answers ---------------------------------------------------------------------


@pytest.mark.integration
@pytest.mark.parametrize("status", [404, 410])
async def test_404_and_410_mean_the_subscription_is_gone(
    status: int, stub: PushServiceStub, browser: BrowserSubscription, keys: VapidKeys, http: httpx.AsyncClient
) -> None:
    stub.script(browser.id, StubResponse(status, body="expired"))

    result = await send(http, browser, keys)

    assert (result.outcome, result.status_code, result.response_text) == (Outcome.GONE, status, "expired")
    assert stub.received_for(browser.id) == []


@pytest.mark.integration
async def test_an_unknown_subscription_is_gone(stub: PushServiceStub, keys: VapidKeys, http: httpx.AsyncClient) -> None:
    browser = stub.subscribe()
    del stub.browsers[browser.id]  # the push service forgot it

    assert (await send(http, browser, keys)).outcome is Outcome.GONE


@pytest.mark.integration
async def test_429_is_retried_after_the_seconds_given(
    stub: PushServiceStub, browser: BrowserSubscription, keys: VapidKeys, http: httpx.AsyncClient
) -> None:
    stub.script(browser.id, StubResponse(429, retry_after="7"), 201)

    first = await send(http, browser, keys)
    second = await send(http, browser, keys)

    assert (first.outcome, first.status_code, first.retry_after) == (Outcome.RETRY, 429, 7.0)
    assert second.outcome is Outcome.DELIVERED
    assert [attempt.status for attempt in stub.attempts_for(browser.id)] == [429, 201]


@pytest.mark.integration
async def test_503_with_an_http_date_is_retried_after_the_time_left(
    stub: PushServiceStub, browser: BrowserSubscription, keys: VapidKeys, http: httpx.AsyncClient
) -> None:
    clock = FrozenClock(datetime.now(UTC).replace(microsecond=0))
    stub.script(browser.id, StubResponse(503, retry_after=format_datetime(clock.now() + timedelta(seconds=90), True)))

    result = await send(http, browser, keys, clock=clock)

    assert (result.outcome, result.status_code, result.retry_after) == (Outcome.RETRY, 503, 90.0)


@pytest.mark.integration
async def test_500_is_retried(
    stub: PushServiceStub, browser: BrowserSubscription, keys: VapidKeys, http: httpx.AsyncClient
) -> None:
    stub.script(browser.id, 500)

    result = await send(http, browser, keys)

    assert (result.outcome, result.status_code, result.retry_after) == (Outcome.RETRY, 500, None)


@pytest.mark.integration
@pytest.mark.parametrize("status", [400, 401, 403, 413])
async def test_client_errors_are_configuration_errors_and_logged(
    status: int,
    stub: PushServiceStub,
    browser: BrowserSubscription,
    keys: VapidKeys,
    http: httpx.AsyncClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    stub.script(browser.id, StubResponse(status, body="x" * 5000))

    with caplog.at_level(logging.WARNING, logger="mattran.notify.webpush"):
        result = await send(http, browser, keys)

    assert (result.outcome, result.status_code) == (Outcome.CONFIG_ERROR, status)
    assert result.response_text == "x" * 512  # kept for the attempt log, truncated
    [record] = [r for r in caplog.records if r.name == "mattran.notify.webpush"]
    assert (vars(record)["push_status"], vars(record)["push_host"]) == (status, "127.0.0.1")
    assert browser.id not in record.getMessage()  # the endpoint is a capability: never logged


@pytest.mark.integration
async def test_a_network_error_is_retried(keys: VapidKeys, http: httpx.AsyncClient) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    closed = PushSubscription(f"http://127.0.0.1:{port}/push/x", browser_key(), b64url(os.urandom(16)))

    result = await deliver(http, closed, MESSAGE, keys=keys, subscriber_email=SUBSCRIBER)

    assert (result.outcome, result.status_code) == (Outcome.RETRY, None)
    assert "ConnectError" in result.response_text


# --- refused before any HTTP -----------------------------------------------------------------------------


def refusing_client() -> httpx.AsyncClient:
    def no_http(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"nothing should be sent, got {request.method} {request.url}")

    return httpx.AsyncClient(transport=httpx.MockTransport(no_http))


@pytest.mark.unit
async def test_a_payload_over_3993_bytes_is_refused_before_any_http(keys: VapidKeys) -> None:
    empty = len(encode_message(PushMessage(title="t", body="")))
    too_big = PushMessage(title="t", body="x" * (MAX_PLAINTEXT_BYTES - empty + 1))
    subscription = PushSubscription("https://fcm.googleapis.com/fcm/send/a", browser_key(), b64url(os.urandom(16)))

    async with refusing_client() as client:
        with pytest.raises(PayloadTooLarge, match="3994 bytes; at most 3993") as raised:
            await deliver(client, subscription, too_big, keys=keys, subscriber_email=SUBSCRIBER)
    assert raised.value.size == MAX_PLAINTEXT_BYTES + 1


@pytest.mark.unit
@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"topic": "x" * 33}, "topic must be 1 to 32 base64url"),
        ({"topic": "has space"}, "topic must be"),
        ({"topic": "dấu"}, "topic must be"),
        ({"topic": ""}, "topic must be"),
        ({"urgency": "urgent"}, "urgency must be one of high, low, normal, very-low"),
        ({"ttl": -1}, "ttl must be between"),
        ({"ttl": 29 * 24 * 3600}, "ttl must be between"),
        ({"subscriber_email": "not-an-address"}, "subscriber must be an e-mail"),
    ],
)
async def test_bad_options_are_refused_before_any_http(options: dict[str, object], error: str, keys: VapidKeys) -> None:
    subscription = PushSubscription("https://fcm.googleapis.com/fcm/send/a", browser_key(), b64url(os.urandom(16)))
    arguments: dict[str, Any] = {"subscriber_email": SUBSCRIBER, **options}

    async with refusing_client() as client:
        with pytest.raises(ValueError, match=error):
            await deliver(client, subscription, MESSAGE, keys=keys, **arguments)


# --- the stub's own checks (so they cannot silently pass) ------------------------------------------------


async def post_raw(
    http: httpx.AsyncClient, browser: BrowserSubscription, keys: VapidKeys, change: dict[str, str | None]
) -> httpx.Response:
    """A correct request from `prepare`, with headers replaced (None removes one) or the body replaced."""
    request = prepare(browser.subscription, MESSAGE, keys=keys, subscriber_email=SUBSCRIBER, now=datetime.now(UTC))
    headers = {**request.headers, **change}
    body = headers.pop("body", None)
    sent = {name: value for name, value in headers.items() if value is not None}
    return await http.post(request.endpoint, content=request.body if body is None else body.encode(), headers=sent)


def token_with(keys: VapidKeys, claims: dict[str, object], signer: VapidKeys | None = None) -> str:
    """A VAPID header for these claims, signed by `signer` (default: the key named in k)."""
    token = jwt.encode(claims, (signer or keys).private_pem, algorithm="ES256")
    return f"vapid t={token}, k={keys.application_server_key}"


def tampered(authorization: str) -> str:
    token = authorization.removeprefix("vapid t=").split(",")[0]
    payload = token.split(".")[1]
    claims = msgspec.json.decode(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "mailto:attacker@example.com"
    forged = b64url(msgspec.json.encode(claims))
    return authorization.replace(payload, forged)


@pytest.mark.integration
async def test_the_stub_accepts_a_correct_request(
    stub: PushServiceStub, browser: BrowserSubscription, keys: VapidKeys, http: httpx.AsyncClient
) -> None:
    response = await post_raw(http, browser, keys, {})

    assert response.status_code == 201, response.text
    assert stub.received_for(browser.id)[0].payload == encode_message(MESSAGE)


@pytest.mark.integration
@pytest.mark.parametrize(
    ("tamper", "status", "reason"),
    [
        ("signature", 401, "Signature verification failed"),
        ("expired", 401, "Signature has expired"),
        ("too_long", 401, "more than 24 h ahead"),
        ("foreign_key", 401, "Signature verification failed"),
        ("no_port_in_aud", 401, "Audience doesn't match"),
        ("no_sub", 401, 'missing the "sub" claim'),
        ("bad_sub", 401, "sub must be a mailto: or https:"),
        ("not_vapid", 401, "vapid scheme"),
        ("no_ttl", 400, "TTL header missing"),
        ("wrong_encoding", 400, "Content-Encoding must be aes128gcm"),
        ("bad_topic", 400, "bad Topic"),
        ("garbage_body", 400, "cannot decrypt"),
        ("huge_body", 413, "more than 4096"),
    ],
)
async def test_the_stub_rejects_what_a_push_service_rejects(
    tamper: str,
    status: int,
    reason: str,
    stub: PushServiceStub,
    browser: BrowserSubscription,
    keys: VapidKeys,
    http: httpx.AsyncClient,
) -> None:
    now = int(datetime.now(UTC).timestamp())
    good: dict[str, object] = {"aud": stub.origin, "exp": now + 3600, "sub": f"mailto:{SUBSCRIBER}"}
    ours = vapid_authorization(keys, stub.origin, SUBSCRIBER, datetime.now(UTC))
    changes: dict[str, dict[str, str | None]] = {
        "signature": {"Authorization": tampered(ours)},
        "expired": {"Authorization": token_with(keys, {**good, "exp": now - 60})},
        "too_long": {"Authorization": token_with(keys, {**good, "exp": now + 25 * 3600})},
        "foreign_key": {"Authorization": token_with(keys, good, signer=VapidKeys.generate())},
        "no_port_in_aud": {"Authorization": token_with(keys, {**good, "aud": "http://127.0.0.1"})},
        "no_sub": {"Authorization": token_with(keys, {"aud": stub.origin, "exp": now + 60})},
        "bad_sub": {"Authorization": token_with(keys, {**good, "sub": SUBSCRIBER})},
        "not_vapid": {"Authorization": "Bearer abc"},
        "no_ttl": {"TTL": None},
        "wrong_encoding": {"Content-Encoding": "aesgcm"},
        "bad_topic": {"Topic": "x" * 33},
        "garbage_body": {"body": "y" * 200},
        "huge_body": {"body": "y" * 4097},
    }

    response = await post_raw(http, browser, keys, changes[tamper])

    assert response.status_code == status
    assert reason in response.text
    assert stub.received_for(browser.id) == []


@pytest.mark.integration
async def test_the_packages_own_token_is_refused_off_the_default_port(
    stub: PushServiceStub, browser: BrowserSubscription, keys: VapidKeys, http: httpx.AsyncClient
) -> None:
    # Why deliver signs its own token: webpush 1.0.6 writes aud = scheme://host, without the port.
    sub = browser.subscription
    pushed = WebPush(keys.private_pem.encode(), keys.public_pem.encode(), subscriber=SUBSCRIBER, ttl=60).get(
        b"{}", WebPushSubscription(endpoint=sub.endpoint, keys={"p256dh": sub.p256dh, "auth": sub.auth})
    )

    response = await http.post(sub.endpoint, content=pushed.encrypted, headers=dict(pushed.headers))

    assert response.status_code == 401
    assert "Audience doesn't match" in response.text


# --- pure functions ----------------------------------------------------------------------------------------


def good_subscription(endpoint: str) -> PushSubscription:
    return PushSubscription(endpoint, browser_key(), b64url(os.urandom(16)))


@pytest.mark.unit
@pytest.mark.parametrize(
    "endpoint",
    [
        "https://fcm.googleapis.com/fcm/send/dGVzdA:APA91b",
        "https://updates.push.services.mozilla.com/wpush/v2/gAAAAA",
        "https://web.push.apple.com/QGx1c2l2ZQ",
        "https://wns2-par02p.notify.windows.com/w/?token=BQYAAA",
        "https://FCM.googleapis.com:443/fcm/send/x",
    ],
)
def test_subscriptions_from_known_push_services_are_accepted(endpoint: str) -> None:
    subscription = good_subscription(endpoint)

    assert validate_subscription(subscription) is subscription


@pytest.mark.unit
@pytest.mark.parametrize(
    ("endpoint", "error"),
    [
        ("http://fcm.googleapis.com/fcm/send/x", "endpoint must use https, not 'http'"),
        ("ftp://fcm.googleapis.com/x", "endpoint must use https"),
        ("fcm.googleapis.com/x", "endpoint must use https, not 'nothing'"),
        ("https://evil.example/push", "'evil.example' is not a known push service"),
        ("https://web.push.apple.com.evil.example/x", "not a known push service"),
        ("https://push.apple.com/x", "not a known push service"),
        ("https://notfcm.googleapis.com/x", "not a known push service"),
        ("https://169.254.169.254/latest/meta-data", "not a known push service"),
        ("https://fcm.googleapis.com:8443/x", "port 8443"),
        ("https://user:pw@fcm.googleapis.com/x", "no user or password"),
    ],
)
def test_endpoints_that_are_insecure_or_unknown_are_rejected(endpoint: str, error: str) -> None:
    with pytest.raises(InvalidSubscription, match=error):
        validate_subscription(good_subscription(endpoint))


@pytest.mark.unit
def test_the_test_switches_admit_a_local_http_endpoint() -> None:
    local = good_subscription("http://127.0.0.1:8080/push/a")

    with pytest.raises(InvalidSubscription, match="https"):
        validate_subscription(local, allowed_hosts=None)
    with pytest.raises(InvalidSubscription, match="not a known push service"):
        validate_subscription(local, allow_insecure_endpoints=True)
    assert validate_subscription(local, allow_insecure_endpoints=True, allowed_hosts=None) is local


def off_curve_point() -> str:
    return b64url(b"\x04" + (1).to_bytes(32, "big") + (1).to_bytes(32, "big"))


def compressed_point() -> str:
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    return b64url(key.public_bytes(Encoding.X962, PublicFormat.CompressedPoint))


# Random keys, so the ids are the expected errors: parallel workers (pytest -n) must collect the same names.
BAD_KEYS = [
    (off_curve_point(), b64url(os.urandom(16)), "not a point on the P-256 curve"),
    (compressed_point(), b64url(os.urandom(16)), "65-byte uncompressed P-256 point, got 33 bytes"),
    (b64url(b"\x05" + os.urandom(64)), b64url(os.urandom(16)), "65-byte uncompressed"),
    ("BAD*KEY", b64url(os.urandom(16)), "p256dh is not valid base64url"),
    ("", b64url(os.urandom(16)), "got 0 bytes"),
    (None, b64url(os.urandom(15)), "auth must be 16 bytes, got 15"),
    (None, b64url(os.urandom(17)), "auth must be 16 bytes, got 17"),
    (None, "abc+/def", "auth is not valid base64url"),
    (None, "a=bc", "auth is not valid base64url"),
    (None, b64url(os.urandom(16)) + "AAA", "auth is not valid base64url"),  # 25 characters
]


@pytest.mark.unit
@pytest.mark.parametrize(("p256dh", "auth", "error"), BAD_KEYS, ids=[error for _, _, error in BAD_KEYS])
def test_bad_keys_are_rejected(p256dh: str | None, auth: str, error: str) -> None:
    subscription = PushSubscription(
        "https://fcm.googleapis.com/fcm/send/x", browser_key() if p256dh is None else p256dh, auth
    )

    with pytest.raises(InvalidSubscription, match=error):
        validate_subscription(subscription)


@pytest.mark.unit
def test_padded_base64url_keys_are_accepted_too() -> None:
    subscription = good_subscription("https://fcm.googleapis.com/fcm/send/x")
    padded = PushSubscription(subscription.endpoint, subscription.p256dh + "=", subscription.auth + "==")

    assert validate_subscription(padded) is padded


@pytest.mark.unit
def test_generated_vapid_keys_hang_together() -> None:
    keys = VapidKeys.generate()
    raw = base64.urlsafe_b64decode(keys.application_server_key + "=")

    assert len(raw) == 65 and raw[0] == 4
    assert keys.private_pem.startswith("-----BEGIN PRIVATE KEY-----")
    assert keys.public_pem.startswith("-----BEGIN PUBLIC KEY-----")
    assert VapidKeys.generate() != keys


@pytest.mark.unit
@pytest.mark.parametrize(
    ("endpoint", "origin"),
    [
        ("https://fcm.googleapis.com/fcm/send/x", "https://fcm.googleapis.com"),
        ("https://FCM.googleapis.com:443/x", "https://fcm.googleapis.com"),
        ("http://127.0.0.1:8080/push/a", "http://127.0.0.1:8080"),
        ("http://127.0.0.1:80/push/a", "http://127.0.0.1"),
        ("https://[::1]:8443/push", "https://[::1]:8443"),
    ],
)
def test_the_vapid_audience_is_the_endpoints_origin(endpoint: str, origin: str) -> None:
    assert endpoint_origin(endpoint) == origin


NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)


@pytest.mark.unit
@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        (" 0 ", 0.0),
        ("Mon, 02 Mar 2026 03:01:30 GMT", 90.0),
        ("Mon, 02 Mar 2026 02:00:00 GMT", 0.0),  # already past
        ("soon", None),
        ("-5", None),
        ("²", None),
        (None, None),
    ],
)
def test_retry_after_is_read_as_seconds_or_an_http_date(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value, NOW) == seconds


@pytest.mark.unit
@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (200, Outcome.DELIVERED),
        (201, Outcome.DELIVERED),
        (202, Outcome.DELIVERED),
        (404, Outcome.GONE),
        (410, Outcome.GONE),
        (429, Outcome.RETRY),
        (500, Outcome.RETRY),
        (502, Outcome.RETRY),
        (503, Outcome.RETRY),
        (400, Outcome.CONFIG_ERROR),
        (401, Outcome.CONFIG_ERROR),
        (403, Outcome.CONFIG_ERROR),
        (413, Outcome.CONFIG_ERROR),
        (301, Outcome.CONFIG_ERROR),
    ],
)
def test_statuses_are_classified(status: int, outcome: Outcome) -> None:
    result = classify(status, "text", "3", NOW)

    assert (result.outcome, result.status_code, result.response_text) == (outcome, status, "text")
    assert result.retry_after == (3.0 if outcome is Outcome.RETRY else None)
