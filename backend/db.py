"""The database: one piccolo PostgresEngine (its asyncpg pool serves piccolo and raw SQL alike), the
embedded PostgreSQL used when DATABASE_URL is unset, and the transaction helpers services use."""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction

logger = logging.getLogger("mattran.db")

# Configured by connect(); piccolo_conf exposes it to piccolo. No extensions: the embedded build ships
# none of the contrib ones (piccolo would otherwise try uuid-ossp).
ENGINE = PostgresEngine(config={}, extensions=())


def start_embedded_postgres(pgdata: Path, *, durable: bool = True) -> str:
    """Start (or join) the PostgreSQL 16 that the pgserver wheel ships, keeping data in pgdata.

    The server stops when the last process that started it exits. Returns the DSN (a unix socket).
    durable=False is for the tests' throwaway cluster only: no fsync, so a crash may corrupt it, but
    CREATE/DROP DATABASE and commits stop waiting for the disk.
    """
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (as on servers and CI); harmless here.
        warnings.simplefilter("ignore")
        import pgserver

        pgdata.mkdir(parents=True, exist_ok=True)
        server = pgserver.get_server(pgdata, cleanup_mode="stop")
    if not durable:
        # pgserver takes no server options; these are reloadable settings, kept in pgdata's auto.conf.
        server.psql(
            "ALTER SYSTEM SET fsync = off;\nALTER SYSTEM SET synchronous_commit = off;\n"
            "ALTER SYSTEM SET full_page_writes = off;\nSELECT pg_reload_conf();\n"
        )
    logger.info("embedded PostgreSQL running", extra={"pgdata": str(pgdata)})
    return str(server.get_uri())


# A statement of a request that runs longer than this is cancelled (asyncpg's command timeout).
COMMAND_TIMEOUT_SECONDS = 60
# Migrations and the wait for their lock are not requests: a table rewrite at national scale takes minutes.
MIGRATION_TIMEOUT_SECONDS = 6 * 3600


async def connect(
    dsn: str,
    *,
    min_size: int = 2,
    max_size: int = 10,
    statement_cache_size: int = 100,
    command_timeout: float = COMMAND_TIMEOUT_SECONDS,
) -> None:
    """statement_cache_size=0 behind PgBouncer in transaction mode (MATTRAN_DB_STATEMENT_CACHE_SIZE)."""
    if ENGINE.pool is not None:
        await disconnect()
    # In the engine's config, not only the pool's: piccolo opens a connection of its own when it has no pool.
    ENGINE.config = {"dsn": dsn, "statement_cache_size": statement_cache_size}
    await ENGINE.start_connection_pool(
        min_size=min_size, max_size=max_size, command_timeout=command_timeout, reset=_nothing_to_reset
    )


async def _nothing_to_reset(connection: asyncpg.Connection) -> None:
    """What the pool runs on a connection given back, after asyncpg itself rolled back a transaction left
    open. asyncpg's default sends `SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL` each
    time: a round trip on every request (7 % of the server's CPU at 16 clients, with the statements'
    own cost in PostgreSQL). The pool's connections carry no session state to undo: settings are
    `SET LOCAL` (db.plan_for_each_query, the searches), advisory locks are transaction-scoped, temporary
    tables `ON COMMIT DROP`, cursors live in their transaction, and LISTEN has a connection of its own
    (jobs.kicks). Session state would also break behind PgBouncer in transaction mode, which docs/operations.md
    supports."""


async def disconnect() -> None:
    if ENGINE.pool is not None:
        await ENGINE.close_connection_pool()


def pool() -> asyncpg.Pool:
    if ENGINE.pool is None:
        raise RuntimeError("the database pool is not started")
    return ENGINE.pool


@asynccontextmanager
async def transaction() -> AsyncIterator[PostgresTransaction]:
    """One unit of work. Nested calls join the outer transaction; piccolo queries inside use it too.
    (A generator context manager, unlike piccolo's, never swallows an exception, and type checkers know it.)"""
    async with ENGINE.transaction() as current:
        yield current


@asynccontextmanager
async def connection() -> AsyncIterator[Any]:
    """The connection of the current transaction if there is one, else one from the pool.

    Raw asyncpg (COPY, hand-tuned reads) goes through this so it sees and joins the same transaction as
    piccolo queries do.
    """
    current = ENGINE.current_transaction.get()
    if current is not None:
        yield current.connection
    else:
        async with pool().acquire() as acquired:
            yield acquired


async def plan_for_each_query() -> None:
    """Plan the current transaction's statements for their actual parameters. asyncpg prepares every
    statement, and after five runs PostgreSQL may keep one generic plan for all parameters: a search that
    serves a word in a handful of passages and one in most of them (a generic plan took 'nguoi & dan' from
    70 ms to 700 ms at a million passages), or a prefix `LIKE $1 || '/%'`, whose index range is only known
    with the value (petition figures of a commune: 3 ms planned for it, 400 ms generic)."""
    async with connection() as conn:
        await conn.execute("SET LOCAL plan_cache_mode = force_custom_plan")


async def ping(seconds: float = 2.0) -> bool:
    """Whether the database answers now, within `seconds`. A failure on a pooled connection may only mean that
    connection died (the server restarted or ended it, and the pool has not noticed yet): then every pooled
    connection is expired, so none of them fails a request later, and a new one asks once more."""
    try:
        async with asyncio.timeout(seconds):
            for attempt in range(2):
                try:
                    async with connection() as conn:
                        return bool(await conn.fetchval("SELECT 1"))
                except Exception as error:  # a probe: whatever went wrong, this connection could not answer
                    logger.warning("database ping failed: %r", error)
                    if attempt == 0 and ENGINE.pool is not None:
                        await ENGINE.pool.expire_connections()
    except TimeoutError:
        logger.warning("database ping timed out after %s s", seconds)
    return False
