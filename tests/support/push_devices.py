"""Push devices of the tests: a browser subscribed to the push stub as the web app subscribes it."""

from __future__ import annotations

import uuid

from backend.features.notify import vapid
from backend.features.notify.service import NotifyService
from backend.lib.clock import FrozenClock
from backend.settings import Settings
from schemas.notify import PushKeys, PushSubscriptionCreate
from support.config import TEST_SEALER
from support.push_stub import BrowserSubscription, PushServiceStub


async def subscribe_device(
    settings: Settings, clock: FrozenClock, stub: PushServiceStub, account_id: uuid.UUID
) -> BrowserSubscription:
    """A browser of this account subscribed (as the web app does) with the server's current public key."""
    key = await vapid.active_key(clock.now(), TEST_SEALER)
    browser = stub.subscribe(application_server_key=key.keys.application_server_key)
    sub = browser.subscription
    data = PushSubscriptionCreate(endpoint=sub.endpoint, keys=PushKeys(p256dh=sub.p256dh, auth=sub.auth))
    await NotifyService(settings, clock).subscribe(account_id, data, "Mozilla/5.0 (Linux; Android 14) Chrome/131")
    return browser
