"""Fixtures for the notification tests: a push-service stub, settings that let subscriptions point at it,
and a clock frozen near the real time (push services check the VAPID token's `exp` against their own
clock, so the frozen instant must be a real one; tests move it forward, never back)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from backend.features.notify.delivery import Dispatcher
from backend.lib.clock import FrozenClock
from backend.settings import Settings
from support.config import settings_for
from support.push_stub import PushServiceStub, running_push_stub


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def settings(database: str) -> Settings:
    # The stub listens on http://127.0.0.1:<port>: the allow-list and the https rule are off, as in tests only.
    return settings_for(database, push_service_hosts="*", push_allow_http=True)


@pytest.fixture
async def stub() -> AsyncIterator[PushServiceStub]:
    async with running_push_stub() as running:
        yield running


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as client:
        yield client


@pytest.fixture
def dispatcher(connected: str, settings: Settings, clock: FrozenClock, http: httpx.AsyncClient) -> Dispatcher:
    return Dispatcher(settings, clock, http)
