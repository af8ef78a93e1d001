"""Test fixtures: a real PostgreSQL (embedded by default, TEST_DATABASE_URL when set), one migrated
template database per run, and a fresh copy of it for every test that needs the database.

Cloning the template (CREATE DATABASE ... TEMPLATE) takes tens of milliseconds, so every test gets full
isolation, including tests that commit, without a mock or a shared schema. The copies are made ahead and
dropped behind the tests, and data that many tests need is seeded once into a template of its own
(support/templates.py: seeded_fixture).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
import pytest

from backend import db
from backend.app import MattranApp, create_app
from backend.lib.clock import FrozenClock
from backend.migrations import migrate
from backend.settings import Settings
from support.config import settings_for
from support.servers import app_client
from support.templates import TestDatabases, database_name, with_database

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# A fixed instant well after the 2025 reform, so validity dates behave as in production.
TEST_NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def server_dsn() -> str:
    """DSN of a maintenance database on the test server."""
    configured = os.environ.get("TEST_DATABASE_URL")
    if configured:
        return configured
    return db.start_embedded_postgres(PROJECT_ROOT / ".data" / "test-pg", durable=False)


@pytest.fixture(scope="session")
async def test_databases(server_dsn: str) -> AsyncIterator[TestDatabases]:
    databases = TestDatabases(server_dsn, TEST_NOW)
    await databases.start()
    yield databases
    await databases.close()


@pytest.fixture(scope="session")
async def template_dsn(server_dsn: str, test_databases: TestDatabases) -> AsyncIterator[str]:
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
    finally:
        await admin.close()
    yield dsn
    await test_databases.retire(name)


@pytest.fixture
async def database(
    request: pytest.FixtureRequest, test_databases: TestDatabases, template_dsn: str
) -> AsyncIterator[str]:
    """DSN of a fresh copy of the migrated template (or of the seeded template of a seeded fixture the test
    uses), dropped after the test."""
    dsn = await test_databases.database_for(request.fixturenames, database_name(template_dsn))
    yield dsn
    test_databases.drop(dsn)


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
    """An HTTP client calling the app in the test's own event loop."""
    async with app_client(app) as http:
        yield http


@pytest.fixture
def project_root() -> Iterator[Path]:
    yield PROJECT_ROOT
