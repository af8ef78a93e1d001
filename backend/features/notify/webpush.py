"""Web Push sending (RFC 8030 transport, RFC 8291 encryption, RFC 8292 VAPID): the one wrapper around the
`webpush` package (PyPI `webpush` 1.0.6, not pywebpush).

The package only encrypts and signs. This module adds what it lacks or gets wrong:
- the HTTP request (httpx) and a classification of the answer: delivered, gone, retry, configuration error;
- an explicit TTL (the package defaults to 0, which silently drops messages for phones that are offline);
- `Urgency` and `Topic` headers;
- the plaintext limit of 3,993 bytes (the package would emit a record that no browser can decrypt);
- the VAPID token: signed here with `aud` = the endpoint's origin, port included when it is not the
  default one (RFC 8292 §2: the origin of the push resource). The package writes `scheme://host` and
  drops the port. Push services listen on 443, where both agree; the local test stub listens on
  127.0.0.1:<port>, where only the origin is right;
- no shared mutable state: the package's `WebPush.get` overwrites the instance's ttl/subscriber on every
  call and signs a token we would throw away, so only its encryption step is used, on a fresh instance.

Subscriptions come from browsers, so their endpoint is untrusted (SSRF): check them with
`validate_subscription` before storing them; `deliver` trusts what was stored.
"""

from __future__ import annotations

import base64
import binascii
import functools
import logging
import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from enum import StrEnum
from typing import Final, Literal, get_args
from urllib.parse import urlsplit

import httpx
import jwt
import msgspec
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from webpush import WebPush, WebPushSubscription
from webpush.vapid import VAPID

from backend.lib.clock import Clock, SystemClock

logger = logging.getLogger("mattran.notify.webpush")

# One aes128gcm record of 4,096 bytes (what every push service must accept) minus its header (salt 16,
# record size 4, key-id length 1, sender key 65), the padding delimiter (1) and the AES-GCM tag (16).
MAX_PLAINTEXT_BYTES: Final = 4096 - 86 - 1 - 16
# A day: long enough for a phone that is off overnight, short enough that stale news is dropped.
DEFAULT_TTL_SECONDS: Final = 24 * 60 * 60
# FCM and Mozilla cap TTL at four weeks; a larger value is a bug in the caller.
MAX_TTL_SECONDS: Final = 28 * 24 * 60 * 60
# RFC 8292 allows at most 24 h; 12 h leaves room for clock skew on either side.
VAPID_TOKEN_LIFETIME: Final = timedelta(hours=12)
# Enough of a push service's error text to diagnose it, bounded so a hostile answer cannot fill memory.
MAX_RESPONSE_TEXT: Final = 512

# Hosts of the push services that browsers actually hand out (Chrome/Edge via FCM, Firefox, Safari,
# legacy Edge). "*." matches any subdomain, not the bare domain.
PUSH_SERVICE_HOSTS: Final = (
    "fcm.googleapis.com",
    "*.push.services.mozilla.com",
    "*.push.apple.com",
    "*.notify.windows.com",
)

Urgency = Literal["very-low", "low", "normal", "high"]
_URGENCIES: Final = frozenset(get_args(Urgency))
_TOPIC = re.compile(r"[A-Za-z0-9_-]{1,32}")
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*={0,2}")
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}
_SYSTEM_CLOCK: Final = SystemClock()


class InvalidSubscription(ValueError):
    """A browser's subscription that must not be stored (bad keys, insecure or unknown endpoint).

    `field` names the part at fault ("endpoint", "p256dh" or "auth"), for the API's field errors."""

    def __init__(self, message: str, field: str = "endpoint") -> None:
        super().__init__(message)
        self.field = field


class PayloadTooLarge(ValueError):
    def __init__(self, size: int) -> None:
        super().__init__(f"push payload is {size} bytes; at most {MAX_PLAINTEXT_BYTES} fit in one record")
        self.size = size


class VapidKeys(msgspec.Struct, frozen=True):
    """The application server's key pair (RFC 8292); `application_server_key` goes to the browser's
    `pushManager.subscribe({applicationServerKey})`."""

    private_pem: str
    public_pem: str
    application_server_key: str

    @classmethod
    def generate(cls) -> VapidKeys:
        private_pem, public_pem, application_server_key = VAPID.generate_keys()
        return cls(private_pem.decode(), public_pem.decode(), application_server_key)


class PushSubscription(msgspec.Struct, frozen=True):
    """What `PushSubscription.toJSON()` gives in the browser, flattened."""

    endpoint: str
    p256dh: str  # base64url, the browser's P-256 public key (65 bytes uncompressed)
    auth: str  # base64url, 16 random bytes


class PushMessage(msgspec.Struct, frozen=True, omit_defaults=True):
    """The payload the service worker shows; `tag` lets a newer notification replace an older one, and
    `id` (the notification's) lets it recognise a message it has already shown."""

    title: str
    body: str
    url: str | None = None
    tag: str | None = None
    id: str | None = None


class Outcome(StrEnum):
    DELIVERED = "delivered"  # accepted by the push service
    GONE = "gone"  # the subscription no longer exists: delete it
    RETRY = "retry"  # try again later (after retry_after seconds when given)
    CONFIG_ERROR = "config_error"  # our request is wrong (keys, token, size): retrying will not help


class DeliveryResult(msgspec.Struct, frozen=True):
    """One delivery attempt, as a caller stores it."""

    outcome: Outcome
    status_code: int | None  # None when no answer came (network error)
    response_text: str  # the start of the answer's body, or the network error
    retry_after: float | None = None  # seconds, from Retry-After


class PushRequest(msgspec.Struct, frozen=True):
    """The encrypted request, ready to post."""

    endpoint: str
    headers: dict[str, str]
    body: bytes


# --- base64url ---------------------------------------------------------------------------------------


def b64url_encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64url_decode(value: str, what: str) -> bytes:
    """Strict decoding: browsers send base64url, usually unpadded; characters outside that alphabet (the
    standard alphabet's + and / included) are an error, not silently dropped as `urlsafe_b64decode` does."""
    if not _BASE64URL.fullmatch(value):
        raise InvalidSubscription(f"{what} is not valid base64url", what)
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError) as error:
        raise InvalidSubscription(f"{what} is not valid base64url", what) from error


# --- subscriptions -----------------------------------------------------------------------------------


def validate_subscription(
    subscription: PushSubscription,
    *,
    allow_insecure_endpoints: bool = False,
    allowed_hosts: Iterable[str] | None = PUSH_SERVICE_HOSTS,
) -> PushSubscription:
    """Return the subscription unchanged, or raise InvalidSubscription saying what is wrong.

    `allow_insecure_endpoints` admits http:// (local test stubs only); `allowed_hosts=None` turns the
    push-service allow-list off (tests again)."""
    check_endpoint(subscription.endpoint, allow_insecure=allow_insecure_endpoints, allowed_hosts=allowed_hosts)
    check_p256dh(subscription.p256dh)
    check_auth(subscription.auth)
    return subscription


def check_endpoint(endpoint: str, *, allow_insecure: bool, allowed_hosts: Iterable[str] | None) -> None:
    parts = urlsplit(endpoint)
    schemes = ("https", "http") if allow_insecure else ("https",)
    if parts.scheme not in schemes:
        raise InvalidSubscription(f"endpoint must use {' or '.join(schemes)}, not {parts.scheme or 'nothing'!r}")
    if not parts.hostname or parts.username or parts.password:
        raise InvalidSubscription("endpoint must name a host and carry no user or password")
    if allowed_hosts is None:
        return
    if not host_allowed(parts.hostname, allowed_hosts):
        raise InvalidSubscription(f"endpoint host {parts.hostname!r} is not a known push service")
    # Known push services listen on the default port; any other port points somewhere else.
    if parts.port is not None and parts.port != _DEFAULT_PORTS[parts.scheme]:
        raise InvalidSubscription(f"endpoint port {parts.port} is not the push service's")


def host_allowed(host: str, patterns: Iterable[str]) -> bool:
    host = host.lower().rstrip(".")
    for pattern in patterns:
        suffix = pattern.removeprefix("*")  # "*.push.apple.com" -> ".push.apple.com"
        if host == pattern or (suffix != pattern and host.endswith(suffix) and host != suffix):
            return True
    return False


def check_p256dh(value: str) -> None:
    raw = b64url_decode(value, "p256dh")
    if len(raw) != 65 or raw[0] != 0x04:
        raise InvalidSubscription(f"p256dh must be a 65-byte uncompressed P-256 point, got {len(raw)} bytes", "p256dh")
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    except ValueError as error:
        raise InvalidSubscription("p256dh is not a point on the P-256 curve", "p256dh") from error


def check_auth(value: str) -> None:
    raw = b64url_decode(value, "auth")
    if len(raw) != 16:
        raise InvalidSubscription(f"auth must be 16 bytes, got {len(raw)}", "auth")


# --- request parts -----------------------------------------------------------------------------------


def encode_message(message: PushMessage) -> bytes:
    """Compact JSON (UTF-8, no spaces); raises PayloadTooLarge beyond one record."""
    payload = msgspec.json.encode(message)
    if len(payload) > MAX_PLAINTEXT_BYTES:
        raise PayloadTooLarge(len(payload))
    return payload


def check_ttl(ttl: int) -> None:
    if not 0 <= ttl <= MAX_TTL_SECONDS:
        raise ValueError(f"ttl must be between 0 and {MAX_TTL_SECONDS} seconds, got {ttl}")


def check_urgency(urgency: str) -> None:
    if urgency not in _URGENCIES:
        raise ValueError(f"urgency must be one of {', '.join(sorted(_URGENCIES))}, got {urgency!r}")


def check_topic(topic: str) -> None:
    # RFC 8030 §5.4: at most 32 characters of the base64url alphabet.
    if not _TOPIC.fullmatch(topic):
        raise ValueError(f"topic must be 1 to 32 base64url characters, got {topic!r}")


def endpoint_origin(endpoint: str) -> str:
    """scheme://host[:port], the port only when it is not the scheme's default (RFC 6454 serialisation)."""
    parts = urlsplit(endpoint)
    scheme, host = parts.scheme.lower(), (parts.hostname or "")
    if ":" in host:
        host = f"[{host}]"  # IPv6 literal
    if parts.port is None or parts.port == _DEFAULT_PORTS.get(scheme):
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{parts.port}"


def vapid_subject(subscriber_email: str) -> str:
    address = subscriber_email.removeprefix("mailto:")
    if "@" not in address or any(c.isspace() for c in address):
        raise ValueError(f"subscriber must be an e-mail address, got {subscriber_email!r}")
    return f"mailto:{address}"


@functools.lru_cache(maxsize=16)
def _signing_key(private_pem: str) -> ec.EllipticCurvePrivateKey:
    # Parsing the PEM costs as much as signing; the key set changes only on rotation.
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ValueError("the VAPID private key must be a P-256 key")
    return key


def vapid_authorization(keys: VapidKeys, endpoint: str, subscriber_email: str, now: datetime) -> str:
    """`vapid t=<ES256 JWT>, k=<public key>` (RFC 8292 §3)."""
    claims = {
        "aud": endpoint_origin(endpoint),
        "exp": int((now + VAPID_TOKEN_LIFETIME).timestamp()),
        "sub": vapid_subject(subscriber_email),
    }
    token = jwt.encode(claims, _signing_key(keys.private_pem), algorithm="ES256")
    return f"vapid t={token}, k={keys.application_server_key}"


def encrypt(payload: bytes, subscription: PushSubscription, keys: VapidKeys) -> bytes:
    """The RFC 8291 aes128gcm body. `_encrypt` rather than `get`: `get` would overwrite the instance's
    ttl/subscriber and sign a second token with the wrong `aud`. A fresh instance per call (it only parses
    the public PEM) keeps even that from being shared. webpush is pinned to 1.0.6, and the delivery tests
    decrypt its output with http_ece, so a change in this private method cannot go unnoticed."""
    encryptor = WebPush(private_key=keys.private_pem.encode(), public_key=keys.public_pem.encode())
    target = WebPushSubscription(
        endpoint=subscription.endpoint, keys={"p256dh": subscription.p256dh, "auth": subscription.auth}
    )
    body: bytes = encryptor._encrypt(payload, target)
    return body


def prepare(
    subscription: PushSubscription,
    message: PushMessage,
    *,
    keys: VapidKeys,
    subscriber_email: str,
    ttl: int = DEFAULT_TTL_SECONDS,
    urgency: Urgency = "normal",
    topic: str | None = None,
    now: datetime,
) -> PushRequest:
    """Check the options and build the encrypted request; raises before anything is sent."""
    payload = encode_message(message)
    check_ttl(ttl)
    check_urgency(urgency)
    headers = {
        "TTL": str(ttl),
        "Urgency": urgency,
        "Content-Encoding": "aes128gcm",
        "Content-Type": "application/octet-stream",
        "Authorization": vapid_authorization(keys, subscription.endpoint, subscriber_email, now),
    }
    if topic is not None:
        check_topic(topic)
        headers["Topic"] = topic
    return PushRequest(subscription.endpoint, headers, encrypt(payload, subscription, keys))


# --- the answer ----------------------------------------------------------------------------------------


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait, from delay-seconds or an HTTP-date (RFC 9110 §10.2.3); None when absent or
    unreadable, so the caller falls back to its own back-off."""
    if value is None:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():  # isdigit alone accepts "²" and other non-ASCII digits
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None  # HTTP-dates are GMT; a zone-less date is not one
    return max(0.0, (when - now).total_seconds())


def classify(status: int, text: str, retry_after: str | None, now: datetime) -> DeliveryResult:
    """Map a push service's status to what the caller does next (RFC 8030 §5, §6.2, §8.4)."""
    if status in (200, 201, 202):
        return DeliveryResult(Outcome.DELIVERED, status, text)
    if status in (404, 410):
        return DeliveryResult(Outcome.GONE, status, text)
    if status in (408, 429) or status >= 500:
        return DeliveryResult(Outcome.RETRY, status, text, parse_retry_after(retry_after, now))
    # 400/401/403/413 and anything unexpected (redirects included: they are not followed): our
    # request or keys are wrong, so retrying the same request cannot succeed.
    return DeliveryResult(Outcome.CONFIG_ERROR, status, text)


async def _read_prefix(response: httpx.Response) -> str:
    prefix = b""
    async for chunk in response.aiter_bytes():
        prefix += chunk
        if len(prefix) >= MAX_RESPONSE_TEXT:
            break
    return prefix[:MAX_RESPONSE_TEXT].decode("utf-8", errors="replace")


async def post(client: httpx.AsyncClient, request: PushRequest, now: datetime) -> DeliveryResult:
    try:
        async with client.stream(
            "POST", request.endpoint, content=request.body, headers=request.headers, follow_redirects=False
        ) as response:
            text = await _read_prefix(response)
    except httpx.UnsupportedProtocol as error:
        return DeliveryResult(Outcome.CONFIG_ERROR, None, f"{type(error).__name__}: {error}"[:MAX_RESPONSE_TEXT])
    except httpx.TransportError as error:
        # Timeouts, refused or reset connections, DNS: the push service may be back soon.
        return DeliveryResult(Outcome.RETRY, None, f"{type(error).__name__}: {error}"[:MAX_RESPONSE_TEXT])
    return classify(response.status_code, text, response.headers.get("Retry-After"), now)


async def deliver(
    client: httpx.AsyncClient,
    subscription: PushSubscription,
    message: PushMessage,
    *,
    keys: VapidKeys,
    subscriber_email: str,
    ttl: int = DEFAULT_TTL_SECONDS,
    urgency: Urgency = "normal",
    topic: str | None = None,
    clock: Clock = _SYSTEM_CLOCK,
) -> DeliveryResult:
    """Encrypt, sign and post one message. Raises PayloadTooLarge or ValueError (bad ttl, urgency, topic,
    subscriber) before any HTTP; every answer or network failure comes back as a DeliveryResult."""
    request = prepare(
        subscription,
        message,
        keys=keys,
        subscriber_email=subscriber_email,
        ttl=ttl,
        urgency=urgency,
        topic=topic,
        now=clock.now(),
    )
    result = await post(client, request, clock.now())
    if result.outcome is Outcome.CONFIG_ERROR:
        # The endpoint itself is a bearer capability: log its host only.
        logger.warning(
            "push service refused the request",
            extra={
                "push_host": urlsplit(subscription.endpoint).hostname,
                "push_status": result.status_code,
                "push_response": result.response_text,
            },
        )
    return result
