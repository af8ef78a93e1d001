"""Migrations are not requests: a hand-written migration's statement may run longer than the requests' command
timeout (rewriting a table of a million households takes minutes), which still cancels an ordinary query."""

from __future__ import annotations

import asyncio

import pytest

from backend import db
from backend.db import ENGINE
from backend.lib.raw_migrations import sql_migration

pytestmark = pytest.mark.integration
REQUEST_TIMEOUT = 0.5


async def test_a_migration_statement_outlives_the_request_timeout(database: str) -> None:
    await db.connect(database, min_size=1, max_size=2, command_timeout=REQUEST_TIMEOUT)
    try:
        with pytest.raises(asyncio.TimeoutError):
            async with db.connection() as conn:
                await conn.execute("SELECT pg_sleep(1.5)")

        manager = await sql_migration("2026-12-03T09:40", "registry", "slow", ["SELECT pg_sleep(1.5)"])()
        async with ENGINE.transaction():
            for raw in manager.raw:
                await raw()
    finally:
        await db.disconnect()
