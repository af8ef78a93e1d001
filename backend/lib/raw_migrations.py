"""Hand-written SQL migrations (indexes, constraints, triggers piccolo cannot express), one shape for all.

A feature's migration module keeps its own ID, DESCRIPTION and STATEMENTS, and sets
`forwards = sql_migration(ID, "<app>", DESCRIPTION, STATEMENTS)`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from backend.db import ENGINE, MIGRATION_TIMEOUT_SECONDS


def sql_migration(
    migration_id: str, app_name: str, description: str, statements: Sequence[str]
) -> Callable[[], Awaitable[MigrationManager]]:
    """piccolo's `forwards` for a migration that runs statements in order (in piccolo's transaction)."""

    async def forwards() -> MigrationManager:
        manager = MigrationManager(migration_id=migration_id, app_name=app_name, description=description)

        async def run() -> None:
            transaction = ENGINE.current_transaction.get()
            for statement in statements:
                if transaction is None:
                    await ENGINE.run_ddl(statement)
                else:
                    # Rewriting a table of a million households takes minutes: not the requests' 60 s limit.
                    await transaction.connection.execute(statement, timeout=MIGRATION_TIMEOUT_SECONDS)

        manager.add_raw(run)
        return manager

    return forwards
