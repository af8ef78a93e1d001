"""Fixtures of the fault tests: a PostgreSQL server of the module's own (restarted by the tests, never the
shared one), migrated once, and a clock near the real time (push services check VAPID `exp`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import pytest

from backend import db
from backend.lib.clock import FrozenClock
from backend.migrations import migrate
from support.config import settings_for
from support.private_postgres import PrivatePostgres, available, private_postgres


@pytest.fixture(scope="module")
def private_pg() -> Iterator[PrivatePostgres]:
    reason = available()
    if reason is not None:
        pytest.skip(reason)
    with private_postgres() as server:
        yield server


@pytest.fixture(scope="module")
async def private_dsn(private_pg: PrivatePostgres) -> AsyncIterator[str]:
    """The private server's database, migrated (official units, keys, the job queue's schema)."""
    await db.connect(private_pg.dsn, min_size=1, max_size=3)
    try:
        await migrate(settings_for(private_pg.dsn), FrozenClock(datetime.now(UTC)))
    finally:
        await db.disconnect()
    yield private_pg.dsn


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime.now(UTC).replace(microsecond=0))
