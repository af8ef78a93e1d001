"""Push deliveries counted by outcome once the worker has recorded them, against the local push-service
stub, and the last hour's attempts on the admin health figures."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
from observability_helpers import scrape, value

from backend import db
from backend.features.notify import vapid
from backend.features.notify.delivery import Dispatcher
from backend.features.notify.service import NotifyService, notify
from backend.features.system.service import SystemService
from backend.lib.access import Principal, Role, ScopedRole
from backend.lib.clock import FrozenClock
from backend.settings import Settings
from schemas.notify import PushKeys, PushSubscriptionCreate
from support.config import TEST_SEALER, settings_for
from support.identity import make_account
from support.push_stub import BrowserSubscription, PushServiceStub, running_push_stub

pytestmark = pytest.mark.integration

DELIVERIES = "mattran_push_deliveries_total"
ADMIN = Principal(account_id=uuid.uuid4(), client_id="test", roles=(ScopedRole(Role.central_admin, "TW", "TW"),))


@pytest.fixture
def clock() -> FrozenClock:
    # Push services check the VAPID token's expiry against their own clock: a real instant.
    return FrozenClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def settings(database: str) -> Settings:
    # The stub listens on http://127.0.0.1:<port>: the allow-list and the https rule are off, as in tests only.
    return settings_for(database, push_service_hosts="*", push_allow_http=True)


@pytest.fixture
async def stub() -> AsyncIterator[PushServiceStub]:
    async with running_push_stub() as running:
        yield running


async def subscribed(settings: Settings, clock: FrozenClock, stub: PushServiceStub, account: uuid.UUID) -> str:
    key = await vapid.active_key(clock.now(), TEST_SEALER)
    browser: BrowserSubscription = stub.subscribe(application_server_key=key.keys.application_server_key)
    sub = browser.subscription
    data = PushSubscriptionCreate(endpoint=sub.endpoint, keys=PushKeys(p256dh=sub.p256dh, auth=sub.auth))
    await NotifyService(settings, clock).subscribe(account, data, "Mozilla/5.0 (Android 14) Chrome/131")
    return browser.id


async def test_deliveries_are_counted_by_outcome(
    client: httpx.AsyncClient, settings: Settings, clock: FrozenClock, stub: PushServiceStub
) -> None:
    account = await make_account(settings, clock, "nguoi.dan", "citizen", "TW")
    phone, old_laptop, tablet = [await subscribed(settings, clock, stub, account) for _ in range(3)]
    stub.script(old_laptop, 410)
    stub.script(tablet, 503)
    async with db.transaction():
        await notify(account, "assignment", "Kiến nghị mới", "Có kiến nghị mới.", dedup_key="kn:1", now=clock.now())
    before = await scrape(client)

    async with httpx.AsyncClient(timeout=5) as http:
        report = await Dispatcher(settings, clock, http).drain()

    after = await scrape(client)
    assert (report.delivered, report.gone, report.retried) == (1, 1, 1)
    grew = {
        o: value(after, DELIVERIES, outcome=o) - value(before, DELIVERIES, outcome=o)
        for o in ("delivered", "gone", "retry", "failed")
    }
    assert grew == {"delivered": 1, "gone": 1, "retry": 1, "failed": 0}
    assert len(stub.received_for(phone)) == 1

    health = await SystemService(settings, clock).health(ADMIN)
    assert health.push_last_hour == {"delivered": 1, "gone": 1, "retry": 1}
