"""Helpers of the notification tests (importable by name: the test folders are not packages)."""

from __future__ import annotations

import uuid

import httpx

from backend.features.notify import vapid
from backend.features.notify.service import NotifyService
from backend.lib.clock import FrozenClock
from backend.settings import Settings
from schemas.notify import PushKeys, PushSubscriptionCreate
from support.identity import REDIRECT_URI, authorization_code, make_client
from support.push_stub import BrowserSubscription, PushServiceStub


async def subscribe_device(
    settings: Settings, clock: FrozenClock, stub: PushServiceStub, account_id: uuid.UUID
) -> BrowserSubscription:
    """A browser of this account subscribed (as the web app does) with the server's current public key."""
    key = await vapid.active_key(clock.now())
    browser = stub.subscribe(application_server_key=key.keys.application_server_key)
    sub = browser.subscription
    data = PushSubscriptionCreate(endpoint=sub.endpoint, keys=PushKeys(p256dh=sub.p256dh, auth=sub.auth))
    await NotifyService(settings, clock).subscribe(account_id, data, "Mozilla/5.0 (Linux; Android 14) Chrome/131")
    return browser


async def token_for(http: httpx.AsyncClient, username: str) -> str:
    """A bearer access token for username, through the provider's code flow (as a third-party app)."""
    app_client, secret = await make_client()
    code, verifier = await authorization_code(http, app_client.client_id, username)
    http.cookies.clear()  # the next user signs in from a fresh browser
    response = await http.post(
        "/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "client_id": app_client.client_id,
            "client_secret": secret,
            "code_verifier": verifier,
        },
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])
