"""The PostgreSQL client programs (pg_dump, pg_restore): which ones, whether their version fits, how they
are called."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import warnings
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit, urlunsplit

from backend.features.backup import BackupError
from backend.settings import Settings

Tool = Literal["pg_dump", "pg_restore"]

# "pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)": since PostgreSQL 10 the first number is the major.
VERSION_PATTERN = re.compile(r"\(PostgreSQL\)\s+(\d+)")
# What an error message keeps of a failed program's stderr (the end holds the reason).
STDERR_TAIL = 2000


def embedded_bin_dir() -> Path:
    """The binaries the pgserver wheel ships with the embedded server (the same major version as it)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs, as in backend.db.start_embedded_postgres
        # Not re-exported by the package (its __all__ lists the commands only); pgserver starts its server from it.
        from pgserver._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH)


def tool_path(settings: Settings, tool: Tool) -> str:
    """MATTRAN_BACKUP_PG_BIN_DIR when set; else the newer of the embedded server's own binaries and the PATH's:
    pg_dump reads servers up to its own version and pg_restore archives up to its own, so the newest serves
    most (a PostgreSQL 16 reached through DATABASE_URL while the PATH has 15, as on a Debian host)."""
    folders = [settings.backup_pg_bin_dir] if settings.backup_pg_bin_dir else [str(embedded_bin_dir()), None]
    found = [path for folder in folders if (path := shutil.which(tool, path=folder))]
    if not found:
        raise BackupError("backup.error.tool_missing", tool=tool, where=settings.backup_pg_bin_dir or "PATH")
    return max(found, key=tool_major)


def tool_major(path: str) -> int:
    try:
        output = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError) as error:
        raise BackupError("backup.error.tool_unusable", tool=path, reason=str(error)) from error
    match = VERSION_PATTERN.search(output)
    if match is None:
        raise BackupError("backup.error.tool_unusable", tool=path, reason=output.strip()[:200])
    return int(match.group(1))


def check_can_dump(pg_dump_major: int, server_major: int) -> None:
    """pg_dump refuses servers newer than itself; say so before it runs, with the way out."""
    if server_major > pg_dump_major:
        raise BackupError("backup.error.dump_too_old", tool_version=pg_dump_major, server_version=server_major)


def check_can_restore(pg_restore_major: int, dump_major: int, server_major: int, source_major: int) -> None:
    """An archive written by a newer pg_dump may use a format an older pg_restore cannot read, and PostgreSQL
    does not support moving a database to an older major version."""
    if pg_restore_major < dump_major:
        raise BackupError("backup.error.restore_too_old", tool_version=pg_restore_major, dump_version=dump_major)
    if server_major < source_major:
        raise BackupError("backup.error.server_too_old", server_version=server_major, source_version=source_major)


def libpq_target(dsn: str) -> tuple[str, dict[str, str]]:
    """The DSN for a libpq program without its password (every user of the machine can read a process's
    arguments), and an environment carrying the password instead."""
    env = dict(os.environ)
    parts = urlsplit(dsn)
    if parts.password is None:
        return dsn, env
    env["PGPASSWORD"] = unquote(parts.password)
    userinfo, _, hostinfo = parts.netloc.rpartition("@")
    user = userinfo.partition(":")[0]
    netloc = f"{user}@{hostinfo}" if user else hostinfo
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment)), env


async def run(path: str, arguments: list[str], env: dict[str, str]) -> None:
    """Run a client program to completion; a non-zero exit is a BackupError with the end of its stderr."""
    process = await asyncio.create_subprocess_exec(
        path, *arguments, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, stderr = await process.communicate()
    if process.returncode != 0:
        tail = stderr.decode(errors="replace").strip()[-STDERR_TAIL:]
        raise BackupError("backup.error.command_failed", tool=Path(path).name, code=process.returncode, stderr=tail)
