"""Fixtures for the job-queue tests: a clock near the real time and a push-service stub (the end-to-end
tests deliver a real push), settings that let subscriptions point at the stub."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from backend.lib.clock import FrozenClock
from backend.settings import Settings
from support.config import settings_for
from support.push_stub import PushServiceStub, running_push_stub


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def settings(database: str) -> Settings:
    return settings_for(database, push_service_hosts="*", push_allow_http=True)


@pytest.fixture
async def stub() -> AsyncIterator[PushServiceStub]:
    async with running_push_stub() as running:
        yield running
