"""Test fixtures: a real PostgreSQL (embedded by default, TEST_DATABASE_URL when set), one migrated
template database per run, and a fresh copy of it for every test that needs the database.

Cloning the template (CREATE DATABASE ... TEMPLATE) takes tens of milliseconds, so every test gets full
isolation, including tests that commit, without a mock or a shared schema.
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest

from backend import db
from backend.app import MattranApp, create_app
from backend.lib.clock import FrozenClock
from backend.migrations import migrate
from backend.settings import Settings
from support.config import settings_for
from support.servers import app_running

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# A fixed instant well after the 2025 reform, so validity dates behave as in production.
TEST_NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
_database_numbers = itertools.count()


def with_database(dsn: str, name: str) -> str:
    """The same server DSN pointing at another database (works for host and unix-socket forms)."""
    parts = urlsplit(dsn)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


@pytest.fixture(scope="session")
def server_dsn() -> str:
    """DSN of a maintenance database on the test server."""
    configured = os.environ.get("TEST_DATABASE_URL")
    if configured:
        return configured
    return db.start_embedded_postgres(PROJECT_ROOT / ".data" / "test-pg")


@pytest.fixture(scope="session")
async def template_dsn(server_dsn: str) -> AsyncIterator[str]:
    """A database migrated once per run (official units loaded), cloned for each test."""
    name = f"mattran_tpl_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(server_dsn)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        dsn = with_database(server_dsn, name)
        await db.connect(dsn, min_size=1, max_size=3)
        try:
            await migrate(settings_for(dsn), FrozenClock(TEST_NOW))
        finally:
            await db.disconnect()
        yield dsn
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
async def database(server_dsn: str, template_dsn: str) -> AsyncIterator[str]:
    """DSN of a fresh copy of the migrated template, dropped after the test."""
    name = f"mattran_t{os.getpid()}_{next(_database_numbers)}"
    template = urlsplit(template_dsn).path.lstrip("/")
    admin = await asyncpg.connect(server_dsn)
    try:
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        yield with_database(server_dsn, name)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(TEST_NOW)


@pytest.fixture
def settings(database: str) -> Settings:
    return settings_for(database)


@pytest.fixture
async def connected(database: str) -> AsyncIterator[str]:
    """The shared engine connected to this test's database, for service-level tests."""
    await db.connect(database, min_size=1, max_size=4)
    yield database
    await db.disconnect()


@pytest.fixture
def app(settings: Settings, clock: FrozenClock) -> MattranApp:
    return create_app(settings, clock)


@pytest.fixture
async def client(app: MattranApp) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client calling the app in the test's own event loop (Litestar's AsyncTestClient would run
    it in a thread with another loop, so the test could not share the app's connection pool)."""
    async with app_running(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as http:
            yield http


@pytest.fixture
def project_root() -> Iterator[Path]:
    yield PROJECT_ROOT
