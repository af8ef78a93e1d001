"""Backup and restore.

A backup is taken from one snapshot: a REPEATABLE READ transaction exports it, the manifest's row counts,
audit head and migration state are read in it, and pg_dump dumps exactly it (--snapshot). Uploaded files are
listed after that snapshot; they are written before the row that points at them commits, so every file a
dumped row needs is in the archive (files of later rows may be too: harmless orphans).

Library originals and registry import uploads are kept in the database (bytea), so the dump carries them;
the files on disk are the petitions' attachments.

A restore checks the whole archive before it changes anything, restores the dump in one transaction, puts
the files back, then counts every table and walks the audit chain again.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

import msgspec

from backend import db
from backend.features.audit.service import GENESIS_HASH, first_broken_entry
from backend.features.backup import BackupError, tools
from backend.features.backup.archive import (
    ARCHIVE_FORMAT,
    DUMP,
    AuditHead,
    Manifest,
    extract_files,
    file_member,
    split_file_member,
    verify,
    writing,
)
from backend.settings import Settings
from backend.version import VERSION

# Relations of the application: everything outside PostgreSQL's own schemas.
USER_SCHEMAS = "n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'"
USER_TABLES = f"""
SELECT n.nspname || '.' || c.relname AS name, format('%I.%I', n.nspname, c.relname) AS quoted
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND {USER_SCHEMAS}
ORDER BY 1
"""
USER_RELATIONS = f"""
SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND {USER_SCHEMAS}
"""
# Without these the database was never migrated: there is no platform in it to back up.
REQUIRED_TABLES = ("audit_log", "migration", "jobs_schema_version")


class BackupResult(msgspec.Struct, frozen=True, kw_only=True):
    path: str
    size_bytes: int
    archive_sha256: str
    tables: int
    rows: int
    files: int
    audit: AuditHead


class RestoreSummary(msgspec.Struct, frozen=True, kw_only=True):
    tables: int
    rows: int
    files: int
    audit: AuditHead
    backup_created_at: datetime
    backup_mattran_version: str


def file_roots(settings: Settings) -> dict[str, Path]:
    """The folders of uploaded files kept on disk, by the name of their set in the archive."""
    return {"petitions": settings.petitions_storage_path}


def stored_files(roots: dict[str, Path]) -> Iterator[tuple[str, Path, PurePosixPath]]:
    """(set, file, path inside the set) of every stored file; `.part` files are writes still under way."""
    for file_set, root in roots.items():
        for folder, _, names in os.walk(root):
            for name in names:
                path = Path(folder) / name
                if not name.endswith(".part") and path.is_file() and not path.is_symlink():
                    yield file_set, path, PurePosixPath(path.relative_to(root).as_posix())


async def row_counts(conn: Any) -> dict[str, int]:
    return {
        table["name"]: int(await conn.fetchval(f"SELECT count(*) FROM {table['quoted']}"))
        for table in await conn.fetch(USER_TABLES)
    }


async def audit_head(conn: Any) -> AuditHead:
    row = await conn.fetchrow("SELECT count(*) AS entries, coalesce(max(id), 0) AS last_id FROM audit_log")
    last_hash = await conn.fetchval("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1")
    return AuditHead(entries=int(row["entries"]), last_id=int(row["last_id"]), hash=last_hash or GENESIS_HASH)


async def migration_state(conn: Any) -> dict[str, str]:
    rows = await conn.fetch("SELECT DISTINCT ON (app_name) app_name, name FROM migration ORDER BY app_name, id DESC")
    return {row["app_name"]: row["name"] for row in rows} | {
        "jobs": await conn.fetchval("SELECT version FROM jobs_schema_version")
    }


async def server_major(conn: Any) -> int:
    return int(await conn.fetchval("SHOW server_version_num")) // 10000


def _check_output(output: Path) -> None:
    if output.exists():
        raise BackupError("backup.error.output_exists", path=str(output))
    if not output.parent.is_dir():
        raise BackupError("backup.error.output_folder", path=str(output.parent))


def _write_archive(output: Path, dump_path: Path, roots: dict[str, Path], draft: Manifest) -> tuple[int, int, str]:
    """The dump, the stored files, then the manifest listing them; (files, archive size, archive sha256)."""
    files = 0
    with writing(output) as (writer, digest):
        writer.add_file(DUMP, dump_path)
        for file_set, path, relative in stored_files(roots):
            writer.add_file(file_member(file_set, relative), path)
            files += 1
        writer.add_manifest(msgspec.structs.replace(draft, members=writer.members))
    return files, output.stat().st_size, digest.hexdigest()


async def backup(settings: Settings, dsn: str, output: Path, now: datetime) -> BackupResult:
    pg_dump = tools.tool_path(settings, "pg_dump")
    pg_dump_major = tools.tool_major(pg_dump)
    _check_output(output)
    target, env = tools.libpq_target(dsn)
    # Next to the archive: the dump needs room on the same disk anyway, and never in memory.
    dump_path = output.with_name(output.name + ".dump.part")
    try:
        async with db.pool().acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
            major = await server_major(conn)
            tools.check_can_dump(pg_dump_major, major)
            missing = [name for name in REQUIRED_TABLES if await conn.fetchval("SELECT to_regclass($1)", name) is None]
            if missing:
                raise BackupError("backup.error.not_migrated", tables=", ".join(missing))
            snapshot = await conn.fetchval("SELECT pg_export_snapshot()")
            draft = Manifest(
                format=ARCHIVE_FORMAT,
                mattran_version=VERSION,
                created_at=now,
                database=await conn.fetchval("SELECT current_database()"),
                server_version=await conn.fetchval("SHOW server_version"),
                server_major=major,
                pg_dump_major=pg_dump_major,
                migrations=await migration_state(conn),
                row_counts=await row_counts(conn),
                audit=await audit_head(conn),
                members=[],
            )
            # The exporting transaction stays open until pg_dump has its copy of the snapshot (and beyond).
            await tools.run(
                pg_dump, ["--format=custom", f"--snapshot={snapshot}", f"--file={dump_path}", f"--dbname={target}"], env
            )
        files, size, digest = await asyncio.to_thread(_write_archive, output, dump_path, file_roots(settings), draft)
    finally:
        dump_path.unlink(missing_ok=True)
    return BackupResult(
        path=str(output),
        size_bytes=size,
        archive_sha256=digest,
        tables=len(draft.row_counts),
        rows=sum(draft.row_counts.values()),
        files=files,
        audit=draft.audit,
    )


def _unpack(archive_path: Path, roots: dict[str, Path], dump_path: Path) -> tuple[Manifest, dict[str, Path]]:
    """The verified manifest (the dump copied to dump_path on the way) and where each file member goes."""
    with dump_path.open("wb") as dump_file:
        manifest = verify(archive_path, set(roots), dump_file)
    destinations: dict[str, Path] = {}
    for member in manifest.members:
        if member.name != DUMP:
            file_set, relative = split_file_member(member.name, set(roots))
            destinations[member.name] = roots[file_set] / relative
    return manifest, destinations


async def restore(settings: Settings, dsn: str, archive_path: Path, *, force: bool) -> RestoreSummary:
    pg_restore = tools.tool_path(settings, "pg_restore")
    pg_restore_major = tools.tool_major(pg_restore)
    roots = file_roots(settings)
    target, env = tools.libpq_target(dsn)
    # The dump is copied out while it is verified; TMPDIR needs room for it.
    with tempfile.TemporaryDirectory(prefix="mattran-restore-") as folder:
        dump_path = Path(folder) / DUMP
        manifest, destinations = await asyncio.to_thread(_unpack, archive_path, roots, dump_path)
        async with db.connection() as conn:
            tools.check_can_restore(
                pg_restore_major, manifest.pg_dump_major, await server_major(conn), manifest.server_major
            )
            if not force:
                await _require_empty(conn, roots)
        # All or nothing; owners and grants belong to the old server's roles, the restoring user owns it all.
        arguments = ["--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error", f"--dbname={target}"]
        if force:
            arguments += ["--clean", "--if-exists"]
        await tools.run(pg_restore, [*arguments, str(dump_path)], env)
    await asyncio.to_thread(extract_files, archive_path, destinations, manifest)
    return await _check_restored(manifest, len(destinations))


async def _require_empty(conn: Any, roots: dict[str, Path]) -> None:
    relations = int(await conn.fetchval(USER_RELATIONS))
    if relations:
        database = await conn.fetchval("SELECT current_database()")
        raise BackupError("backup.error.target_not_empty", database=database, relations=relations)
    found = next(stored_files(roots), None)
    if found is not None:
        raise BackupError("backup.error.files_not_empty", path=str(roots[found[0]]))


async def _check_restored(manifest: Manifest, files: int) -> RestoreSummary:
    """The restored database against the manifest: every table's rows, the audit chain and its head, the
    migration state."""
    async with db.connection() as conn:
        counts = await row_counts(conn)
        head = await audit_head(conn)
        migrations = await migration_state(conn)
    differences = [
        f"{table}: {manifest.row_counts.get(table)} -> {counts.get(table)}"
        for table in sorted(counts.keys() | manifest.row_counts.keys())
        if counts.get(table) != manifest.row_counts.get(table)
    ]
    broken = await first_broken_entry()
    if broken is not None:
        differences.append(f"audit_log: chain broken at id {broken}")
    if head != manifest.audit:
        differences.append(
            f"audit_log: head {head.last_id}/{head.hash} != {manifest.audit.last_id}/{manifest.audit.hash}"
        )
    if migrations != manifest.migrations:
        differences.append(f"migrations: {migrations} != {manifest.migrations}")
    if differences:
        raise BackupError("backup.error.verify_failed", differences="; ".join(differences[:10]))
    return RestoreSummary(
        tables=len(counts),
        rows=sum(counts.values()),
        files=files,
        audit=head,
        backup_created_at=manifest.created_at,
        backup_mattran_version=manifest.mattran_version,
    )
