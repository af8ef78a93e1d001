"""A connection given back to the pool comes out clean without a reset query (db._nothing_to_reset): a
transaction left open is rolled back by asyncpg, and what the app sets is transaction-scoped."""

from __future__ import annotations

import asyncpg
import pytest

from backend import db

pytestmark = pytest.mark.integration


async def test_a_released_connection_holds_no_transaction_and_no_setting(connected: str) -> None:
    pool = db.pool()  # min_size 1: the same connection comes back
    connection = await pool.acquire()
    backend = await connection.fetchval("SELECT pg_backend_pid()")
    transaction = connection.transaction()
    await transaction.start()  # left open, as a request that failed halfway could leave it
    await connection.execute("SET LOCAL work_mem = '7MB'")
    await connection.execute("CREATE TEMP TABLE scratch (n int) ON COMMIT DROP")
    await connection.execute("SELECT pg_advisory_xact_lock(4242)")
    await pool.release(connection)

    monitor = await asyncpg.connect(connected)
    try:
        # The release sent asyncpg's rollback and nothing else (no `RESET ALL` round trip).
        last = await monitor.fetchrow("SELECT state, query FROM pg_stat_activity WHERE pid = $1", backend)
        assert (last["state"], last["query"]) == ("idle", "ROLLBACK")
    finally:
        await monitor.close()
    async with pool.acquire() as again:
        assert await again.fetchval("SELECT pg_backend_pid()") == backend
        assert not again.is_in_transaction()
        assert await again.fetchval("SHOW work_mem") != "7MB"
        assert await again.fetchval("SELECT to_regclass('pg_temp.scratch')") is None
        assert await again.fetchval("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'") == 0
