"""With the settings production runs with (no test switches), subscriptions may only point at the known
push services over https: the endpoint comes from the browser, and the server will post to it (SSRF)."""

from __future__ import annotations

import base64
import os
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from httpx import AsyncClient

from backend import db
from backend.lib.clock import FrozenClock
from backend.settings import Settings
from support.config import settings_for
from support.identity import access_token_for as token_for
from support.identity import bearer, make_account

pytestmark = pytest.mark.integration


@pytest.fixture
def settings(database: str) -> Settings:
    return settings_for(database)  # the allow-list on, https only


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def keys() -> dict[str, str]:
    point = (
        ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    )
    return {"p256dh": b64(point), "auth": b64(os.urandom(16))}


@pytest.fixture
async def headers(client: AsyncClient, settings: Settings, clock: FrozenClock) -> dict[str, str]:
    await make_account(settings, clock, "lan", "citizen", "TW")
    return bearer(await token_for(client, "lan"))


@pytest.mark.parametrize(
    ("endpoint", "reason"),
    [
        ("http://127.0.0.1:8080/push/abc", "endpoint must use https"),
        ("https://169.254.169.254/latest/meta-data", "not a known push service"),
        ("https://fcm.googleapis.com.evil.example/fcm/send/x", "not a known push service"),
        ("https://fcm.googleapis.com:8443/fcm/send/x", "port 8443"),
    ],
)
async def test_endpoints_outside_the_allow_list_are_refused(
    endpoint: str, reason: str, client: AsyncClient, headers: dict[str, str]
) -> None:
    response = await client.post(
        "/api/v1/push/subscriptions", json={"endpoint": endpoint, "keys": keys()}, headers=headers
    )

    assert response.status_code == 400 and response.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = response.json()
    assert problem["type"] == "urn:mattran:problem:invalid-push-subscription"
    assert problem["errors"][0]["field"] == "endpoint" and reason in problem["errors"][0]["message"]
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM push_subscriptions") == 0


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://fcm.googleapis.com/fcm/send/dGVzdA:APA91b",
        "https://updates.push.services.mozilla.com/wpush/v2/gAAAAA",
        "https://web.push.apple.com/QGx1c2l2ZQ",
    ],
)
async def test_endpoints_of_known_push_services_are_accepted(
    endpoint: str, client: AsyncClient, headers: dict[str, str]
) -> None:
    response = await client.post(
        "/api/v1/push/subscriptions", json={"endpoint": endpoint, "keys": keys()}, headers=headers
    )

    assert response.status_code == 201
    assert response.json()["endpoint_host"] == endpoint.split("/")[2]
