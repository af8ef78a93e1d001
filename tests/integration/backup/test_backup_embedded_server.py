"""The embedded PostgreSQL (DATABASE_URL unset) backs up and restores with the binaries its wheel ships, and
client programs too old for a server or an archive are refused with a message saying so, before any work."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from backup_helpers import Source, mattran, new_database, table_counts

from backend.features.backup.tools import embedded_bin_dir, tool_major
from support.commands import command_env

pytestmark = pytest.mark.integration


def older_bin_dir() -> str:
    """A PostgreSQL bin folder of a major version older than the embedded server's (Debian's layout)."""
    embedded = tool_major(str(embedded_bin_dir() / "pg_dump"))
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin")):
        if (folder / "pg_dump").exists() and tool_major(str(folder / "pg_dump")) < embedded:
            return str(folder)
    pytest.skip(f"no PostgreSQL client older than {embedded} installed")


async def test_embedded_server_round_trip_and_version_checks(source: Source, server_dsn: str, tmp_path: Path) -> None:
    old_bin = older_bin_dir()
    embedded = command_env(MATTRAN_DATA_DIR=str(tmp_path / "d"), MATTRAN_PETITIONS_STORAGE_DIR=str(tmp_path / "f"))

    # Restored into the embedded server's (fresh, empty) database with its own pg_restore.
    restored = mattran(embedded, "restore", str(source.archive))
    assert restored.returncode == 0, restored.stderr
    assert f"{sum(source.counts.values())} rows" in restored.stdout

    # pg_dump older than the server: refused up front, naming both versions and the way out.
    server = tool_major(str(embedded_bin_dir() / "postgres"))
    refused = mattran(embedded | {"MATTRAN_BACKUP_PG_BIN_DIR": old_bin}, "backup", "--output", str(tmp_path / "x.tar"))
    assert refused.returncode != 0
    assert f"cannot back up a PostgreSQL {server} server" in refused.stderr
    assert "MATTRAN_BACKUP_PG_BIN_DIR" in refused.stderr
    assert not any((tmp_path / name).exists() for name in ("x.tar", "x.tar.part", "x.tar.dump.part"))

    # The bundled pg_dump: the same rows again, the same audit head.
    archive = tmp_path / "embedded.tar"
    made = mattran(embedded, "backup", "--output", str(archive))
    assert made.returncode == 0, made.stderr
    assert f"{sum(source.counts.values())} rows" in made.stdout
    head = re.search(r"head ([0-9a-f]{64})", source.backup_output)
    assert head is not None and f"head {head.group(1)}" in made.stdout

    # That archive needs pg_restore of the embedded version: an older one is refused before the database is touched.
    async with new_database(server_dsn) as target:
        too_old = mattran(
            command_env(
                DATABASE_URL=target,
                MATTRAN_BACKUP_PG_BIN_DIR=old_bin,
                MATTRAN_PETITIONS_STORAGE_DIR=str(tmp_path / "g"),
            ),
            "restore",
            str(archive),
        )
        assert too_old.returncode != 0
        assert f"cannot read an archive written by pg_dump {server}" in too_old.stderr
        assert await table_counts(target) == {}


def test_a_missing_client_program_is_named(source: Source, tmp_path: Path) -> None:
    env = command_env(DATABASE_URL=source.dsn, MATTRAN_BACKUP_PG_BIN_DIR=str(tmp_path))
    result = mattran(env, "backup", "--output", str(tmp_path / "x.tar"))
    assert result.returncode != 0
    assert f"pg_dump was not found (looked in: {tmp_path})" in result.stderr
