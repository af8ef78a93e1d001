"""A local push service (RFC 8030/8291/8292) for tests, so Web Push is tested end to end with no internet.

It checks every request the way a strict push service would and decrypts the payload with `http_ece`,
an implementation independent of the `webpush` package under test:
- `Authorization: vapid t=<jwt>, k=<key>`: ES256 signature verified against `k`, `aud` equal to the
  stub's origin (`http://127.0.0.1:<port>`, port included: RFC 8292's audience is the origin), `exp` in
  the future and at most 24 h ahead, `sub` a mailto: or https: URI, and `k` equal to the
  applicationServerKey the browser subscribed with (when one was given);
- `TTL` present, `Content-Encoding: aes128gcm`, `Urgency`/`Topic` well formed, body at most 4,096 bytes.

A failed check answers 400/401/403/413 like a real service. A request that passes is answered with the
next scripted response for its subscription (201 when none is scripted); accepted messages (2xx) are
recorded in `received`, every request in `attempts`.

Usage (uvicorn runs in a task of the test's own event loop, on a free port):

    async with running_push_stub() as stub:
        browser = stub.subscribe()
        stub.script(browser.id, StubResponse(429, retry_after="7"), 201)
        ... deliver(client, browser.subscription, ...)
        assert stub.received[0].payload == b'{"title":...}'
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import time
import uuid
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import http_ece
import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from backend.features.notify.webpush import PushSubscription, b64url_decode, b64url_encode
from support.servers import LocalServer

MAX_BODY = 4096
MAX_TOKEN_LIFETIME = 24 * 60 * 60
_TOPIC = re.compile(r"[A-Za-z0-9_-]{1,32}")
_URGENCIES = frozenset({"very-low", "low", "normal", "high"})
_PATH = re.compile(r"/push/([A-Za-z0-9_-]+)")

Receive = Callable[[], Any]
Send = Callable[[dict[str, Any]], Any]


@dataclass(frozen=True)
class BrowserSubscription:
    """What a browser holds: the subscription it sends to the server and the secrets to decrypt."""

    id: str
    subscription: PushSubscription
    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes
    application_server_key: str | None = None

    def decrypt(self, body: bytes) -> bytes:
        plaintext: bytes = http_ece.decrypt(
            body, private_key=self.private_key, auth_secret=self.auth_secret, version="aes128gcm"
        )
        return plaintext


def make_browser_subscription(
    origin: str, subscription_id: str | None = None, application_server_key: str | None = None
) -> BrowserSubscription:
    """A fresh P-256 key pair and 16-byte auth secret, with an endpoint `<origin>/push/<id>`."""
    subscription_id = subscription_id or uuid.uuid4().hex
    private_key = ec.generate_private_key(ec.SECP256R1())
    auth_secret = os.urandom(16)
    public = private_key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    subscription = PushSubscription(
        endpoint=f"{origin}/push/{subscription_id}", p256dh=b64url_encode(public), auth=b64url_encode(auth_secret)
    )
    return BrowserSubscription(subscription_id, subscription, private_key, auth_secret, application_server_key)


@dataclass(frozen=True)
class StubResponse:
    status: int
    retry_after: str | None = None
    body: str = ""


@dataclass(frozen=True)
class ReceivedPush:
    subscription_id: str
    headers: dict[str, str]  # lower-cased names
    claims: dict[str, Any]  # the verified VAPID JWT
    payload: bytes  # decrypted
    status: int


@dataclass(frozen=True)
class Attempt:
    subscription_id: str
    status: int
    reason: str  # why it was refused, or "accepted"


class Rejected(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass
class PushServiceStub:
    host: str = "127.0.0.1"
    port: int = 0
    browsers: dict[str, BrowserSubscription] = field(default_factory=dict)
    received: list[ReceivedPush] = field(default_factory=list)
    attempts: list[Attempt] = field(default_factory=list)
    _scripts: defaultdict[str, deque[StubResponse]] = field(default_factory=lambda: defaultdict(deque))
    _server: LocalServer | None = None

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    # --- test-facing API ---------------------------------------------------------------------------

    def subscribe(
        self, subscription_id: str | None = None, application_server_key: str | None = None
    ) -> BrowserSubscription:
        browser = make_browser_subscription(self.origin, subscription_id, application_server_key)
        self.browsers[browser.id] = browser
        return browser

    def script(self, subscription_id: str, *responses: StubResponse | int) -> None:
        """Answer the next requests for this subscription with these statuses, in order, then 201."""
        for response in responses:
            self._scripts[subscription_id].append(
                response if isinstance(response, StubResponse) else StubResponse(response)
            )

    def received_for(self, subscription_id: str) -> list[ReceivedPush]:
        return [push for push in self.received if push.subscription_id == subscription_id]

    def attempts_for(self, subscription_id: str) -> list[Attempt]:
        return [attempt for attempt in self.attempts if attempt.subscription_id == subscription_id]

    # --- lifecycle ---------------------------------------------------------------------------------

    async def start(self) -> None:
        self._server = LocalServer(self, self.host, self.port)
        await self._server.start()
        self.port = self._server.port

    async def stop(self) -> None:
        if self._server is not None:
            await self._server.stop()

    # --- ASGI ----------------------------------------------------------------------------------------

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = await _read_body(receive)
        match = _PATH.fullmatch(scope["path"])
        subscription_id = match.group(1) if match else ""
        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}
        try:
            if scope["method"] != "POST" or match is None:
                raise Rejected(404, "no such push resource")
            claims, payload = self._check(subscription_id, headers, body)
        except Rejected as rejection:
            self.attempts.append(Attempt(subscription_id, rejection.status, rejection.reason))
            await _respond(send, StubResponse(rejection.status, body=rejection.reason))
            return
        scripted = self._scripts[subscription_id]
        response = scripted.popleft() if scripted else StubResponse(201)
        self.attempts.append(Attempt(subscription_id, response.status, "accepted"))
        if 200 <= response.status < 300:
            self.received.append(ReceivedPush(subscription_id, headers, claims, payload, response.status))
        await _respond(send, response)

    # --- the checks --------------------------------------------------------------------------------

    def _check(self, subscription_id: str, headers: dict[str, str], body: bytes) -> tuple[dict[str, Any], bytes]:
        browser = self.browsers.get(subscription_id)
        if browser is None:
            raise Rejected(404, "unknown subscription")
        claims = self.verify_vapid(headers.get("authorization"), browser)
        _check_headers(headers)
        if len(body) > MAX_BODY:
            raise Rejected(413, f"body is {len(body)} bytes, more than {MAX_BODY}")
        try:
            payload = browser.decrypt(body)
        except Exception as error:  # http_ece raises several kinds; any of them means "cannot decrypt"
            raise Rejected(400, f"cannot decrypt: {error!r}") from error
        return claims, payload

    def verify_vapid(self, authorization: str | None, browser: BrowserSubscription) -> dict[str, Any]:
        """The claims of a valid VAPID header, or Rejected(401/403)."""
        token, key = _parse_vapid(authorization)
        if browser.application_server_key is not None and key != browser.application_server_key:
            raise Rejected(403, "k is not the applicationServerKey this subscription was made with")
        try:
            public_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(key, "k"))
        except ValueError as error:
            raise Rejected(401, f"k is not a P-256 public key: {error}") from error
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                public_key,
                algorithms=["ES256"],
                audience=self.origin,
                options={"require": ["aud", "exp", "sub"]},
            )
        except jwt.PyJWTError as error:
            raise Rejected(401, f"bad VAPID token: {error}") from error
        if claims["exp"] > time.time() + MAX_TOKEN_LIFETIME:
            raise Rejected(401, "VAPID token expires more than 24 h ahead")
        if not str(claims["sub"]).startswith(("mailto:", "https:")):
            raise Rejected(401, "VAPID sub must be a mailto: or https: URI")
        return claims


def _parse_vapid(authorization: str | None) -> tuple[str, str]:
    scheme, _, params = (authorization or "").partition(" ")
    if scheme.lower() != "vapid":
        raise Rejected(401, "Authorization must use the vapid scheme")
    values = dict(part.strip().partition("=")[::2] for part in params.split(","))
    if not values.get("t") or not values.get("k"):
        raise Rejected(401, "vapid Authorization needs t= and k=")
    return values["t"], values["k"]


def _check_headers(headers: dict[str, str]) -> None:
    ttl = headers.get("ttl")
    if ttl is None or not (ttl.isascii() and ttl.isdigit()):
        raise Rejected(400, "TTL header missing or not a number")
    if headers.get("content-encoding") != "aes128gcm":
        raise Rejected(400, "Content-Encoding must be aes128gcm")
    if "urgency" in headers and headers["urgency"] not in _URGENCIES:
        raise Rejected(400, "bad Urgency")
    if "topic" in headers and not _TOPIC.fullmatch(headers["topic"]):
        raise Rejected(400, "bad Topic")


async def _read_body(receive: Receive) -> bytes:
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body", False):
            return body


async def _respond(send: Send, response: StubResponse) -> None:
    headers = [(b"content-type", b"text/plain; charset=utf-8")]
    if response.retry_after is not None:
        headers.append((b"retry-after", response.retry_after.encode()))
    if response.status == 201:
        headers.append((b"location", f"/message/{uuid.uuid4().hex}".encode()))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": response.body.encode()})


@contextlib.asynccontextmanager
async def running_push_stub() -> AsyncIterator[PushServiceStub]:
    stub = PushServiceStub()
    await stub.start()
    try:
        yield stub
    finally:
        await stub.stop()


def serve_in_process(conn: Any, subscriptions: int) -> None:
    """Entry point of a child process (multiprocessing, spawn) running the stub on its own core, for the
    throughput benchmark. Sends back (origin, [PushSubscription]); on any message from the parent, sends
    the number of accepted messages and stops."""
    asyncio.run(_serve_until_told(conn, subscriptions))


async def _serve_until_told(conn: Any, subscriptions: int) -> None:
    async with running_push_stub() as stub:
        browsers = [stub.subscribe() for _ in range(subscriptions)]
        conn.send((stub.origin, [browser.subscription for browser in browsers]))
        await asyncio.get_running_loop().run_in_executor(None, conn.recv)
        conn.send(len(stub.received))
