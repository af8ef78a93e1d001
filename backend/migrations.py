"""`mattran migrate`: piccolo migrations of every feature app, then the data steps (official units).

Idempotent, and safe when several processes start at once: a PostgreSQL advisory lock serialises them.
"""

from __future__ import annotations

import contextlib
import io
import logging

from piccolo.apps.migrations.commands.forwards import run_forwards

from backend import db
from backend.features.identity import keys
from backend.features.identity.clients import WEB_CLIENT_ID, create_client
from backend.features.jobs.schema import apply_schema as apply_jobs_schema
from backend.features.notify import vapid
from backend.features.units.service import UnitService
from backend.lib.clock import Clock
from backend.settings import Settings

logger = logging.getLogger("mattran.migrate")

# Arbitrary but fixed: the key of the advisory lock all migrating processes take.
MIGRATION_LOCK_KEY = 7_307_202_600


class MigrationError(RuntimeError):
    pass


async def migrate(settings: Settings, clock: Clock) -> dict[str, int]:
    """Apply pending schema migrations and bring reference data up to date; returns what changed."""
    async with db.pool().acquire() as lock_connection:
        # Another process may be migrating (a long rewrite): wait for it, not for the requests' timeout.
        await lock_connection.execute(
            "SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY, timeout=db.MIGRATION_TIMEOUT_SECONDS
        )
        try:
            output = io.StringIO()
            with contextlib.redirect_stdout(output):  # piccolo reports progress with print()
                result = await run_forwards("all")
            logger.debug("piccolo: %s", output.getvalue())
            if not result.success:
                raise MigrationError(result.message or output.getvalue())
            # The job queue's own schema (procrastinate's SQL, version-tracked), all or nothing.
            async with lock_connection.transaction():
                await apply_jobs_schema(lock_connection)
            changes = await UnitService(clock).sync_official_catalogue()
            await keys.ensure_keys(clock.now(), settings.sealer)
            await vapid.ensure_active_key(clock.now(), settings.sealer)
            await ensure_web_client(settings)
            return changes
        finally:
            await lock_connection.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_KEY)


async def ensure_web_client(settings: Settings) -> None:
    """The web app is the provider's first-party client; its addresses follow MATTRAN_PUBLIC_URL."""
    await create_client(
        client_id=WEB_CLIENT_ID,
        name="Mặt trận số",
        kind="confidential",
        redirect_uris=[f"{settings.issuer}/auth/callback"],
        post_logout_redirect_uris=[f"{settings.issuer}/"],
        first_party=True,
        upsert=True,
    )
