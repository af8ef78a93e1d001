"""procrastinate's tables and functions, installed and upgraded by `mattran migrate`.

procrastinate ships its full schema (for a fresh database) and one SQL file per change since (for an
existing one), but keeps no record of what a database has. `jobs_schema_version` is that record: one row,
the procrastinate version whose schema is in place. The SQL runs through asyncpg in one transaction, under
the advisory lock `migrate` holds, so concurrent starts and a failure halfway leave nothing half-done.

Upgrading procrastinate: the next `migrate` applies the shipped migration files newer than the recorded
version, in order. procrastinate splits some changes into "pre" and "post" files for zero-downtime
deploys; applying both at once is safe when the workers of the old version are stopped first.
"""

from __future__ import annotations

import importlib.metadata
import logging
import re
from pathlib import Path
from typing import Any

from procrastinate.schema import SchemaManager

logger = logging.getLogger("mattran.jobs.schema")

Version = tuple[int, ...]

CREATE_VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS jobs_schema_version (
    one_row boolean PRIMARY KEY DEFAULT true CHECK (one_row),
    version text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""


class JobsSchemaError(RuntimeError):
    pass


def parse_version(text: str) -> Version:
    """A version as numbers: "3.10.0" is (3, 10, 0), "03.04.00" is (3, 4, 0); suffixes are ignored."""
    # Each part's leading digits: "0rc1" is 0.
    return tuple(int(re.sub(r"\D.*", "", piece) or 0) for piece in text.split(".")[:3])


def installed_package_version() -> str:
    return importlib.metadata.version("procrastinate")


def migrations_between(recorded: Version, target: Version, folder: Path | None = None) -> list[Path]:
    """The shipped migration files with recorded < version <= target, in the order they must run."""
    folder = folder or Path(SchemaManager.get_migrations_path())
    files = sorted(folder.glob("*.sql"))
    return [path for path in files if recorded < parse_version(path.name.split("_")[0]) <= target]


async def apply_schema(conn: Any) -> str:
    """Install or upgrade procrastinate's schema on conn (inside the caller's transaction); says what it did."""
    await conn.execute(CREATE_VERSION_TABLE)
    recorded_text = await conn.fetchval("SELECT version FROM jobs_schema_version")
    current_text = installed_package_version()
    if recorded_text is None:
        await _install(conn)
        action = f"installed {current_text}"
    else:
        action = await _upgrade(conn, parse_version(recorded_text), parse_version(current_text))
    await conn.execute(
        "INSERT INTO jobs_schema_version (one_row, version) VALUES (true, $1)"
        " ON CONFLICT (one_row) DO UPDATE SET version = EXCLUDED.version, applied_at = now()"
        " WHERE jobs_schema_version.version IS DISTINCT FROM EXCLUDED.version",
        current_text,
    )
    logger.info("job queue schema: %s", action)
    return action


async def _install(conn: Any) -> None:
    if await conn.fetchval("SELECT to_regclass('procrastinate_jobs') IS NOT NULL"):
        # Installed by hand or by another tool: its version is unknown, so upgrading it would be a guess.
        raise JobsSchemaError(
            "procrastinate's tables exist but jobs_schema_version does not say which version they are: insert"
            " the version they were made with (SELECT version FROM jobs_schema_version) and migrate again"
        )
    await conn.execute(SchemaManager.get_schema())


async def _upgrade(conn: Any, recorded: Version, current: Version) -> str:
    if recorded > current:
        # Older code on a newer schema (a rollback): procrastinate keeps its SQL API versioned (_v1, _v2), so
        # this usually works; say so loudly rather than refuse to start.
        logger.warning("the job queue schema is newer (%s) than this procrastinate (%s)", recorded, current)
        return "newer than this code"
    pending = migrations_between(recorded, current)
    for path in pending:
        await conn.execute(path.read_text(encoding="utf-8"))
    return f"applied {len(pending)} migrations" if pending else "up to date"
