"""`mattran backup` then `mattran restore` into a new database: every table's rows, the audit chain and the
files come back; a damaged archive, a database in use or a used files folder is refused and nothing changes."""

from __future__ import annotations

import json
import shutil
import tarfile
from pathlib import Path
from typing import Any

import pytest
from backup_helpers import (
    HOUSEHOLDS,
    Source,
    fingerprints,
    flip_byte_inside,
    mattran,
    new_database,
    table_counts,
    tree_digests,
    with_manifest_changed,
)

from backend import db
from backend.features.audit.service import first_broken_entry
from support.commands import command_env

pytestmark = pytest.mark.integration


def restore_env(target: str, files: Path) -> dict[str, str]:
    return command_env(DATABASE_URL=target, MATTRAN_PETITIONS_STORAGE_DIR=str(files))


def test_the_archive_holds_the_dump_the_files_and_a_manifest(source: Source) -> None:
    with tarfile.open(source.archive) as tar:
        names = tar.getnames()
        content = tar.extractfile("manifest.json")
        assert content is not None
        manifest = json.loads(content.read())
    stored = sorted(f"files/petitions/{name}" for name in tree_digests(source.files))
    assert len(stored) == 2  # the photo's original and its public copy
    assert (names[0], names[-1]) == ("database.dump", "manifest.json")
    assert sorted(names[1:-1]) == stored
    assert [member["name"] for member in manifest["members"]] == names[:-1]
    assert manifest["row_counts"] == source.counts
    assert manifest["audit"]["entries"] == source.counts["public.audit_log"] > 0
    assert manifest["server_major"] <= manifest["pg_dump_major"]
    assert set(manifest["migrations"]) >= {"audit", "petitions", "registry", "library", "jobs"}
    assert manifest["audit"]["hash"] in source.backup_output


async def test_restore_into_a_new_database_reproduces_tables_audit_chain_and_files(
    source: Source, server_dsn: str, tmp_path: Path
) -> None:
    # What the source holds, so equality below means something.
    assert source.counts["public.households"] == HOUSEHOLDS
    assert source.counts["public.library_files"] > 0 and source.counts["public.petition_attachments"] == 1
    files = tmp_path / "restored-files"
    async with new_database(server_dsn) as target:
        restored = mattran(restore_env(target, files), "restore", str(source.archive))
        assert restored.returncode == 0, restored.stderr
        assert "the audit chain verifies" in restored.stdout

        assert await table_counts(target) == source.counts
        assert await fingerprints(target) == await fingerprints(source.dsn)
        await db.connect(target, min_size=1, max_size=2)
        try:
            assert await first_broken_entry() is None
        finally:
            await db.disconnect()
    assert tree_digests(files) == tree_digests(source.files)


@pytest.mark.parametrize("member", ["database.dump", "files/petitions"])
async def test_a_damaged_archive_is_refused_before_anything_changes(
    source: Source, server_dsn: str, tmp_path: Path, member: str
) -> None:
    archive = tmp_path / "damaged.tar"
    shutil.copyfile(source.archive, archive)
    with tarfile.open(archive) as tar:
        name = next(n for n in tar.getnames() if n.startswith(member))
    flip_byte_inside(archive, name)
    files = tmp_path / "restored-files"
    async with new_database(server_dsn) as target:
        refused = mattran(restore_env(target, files), "restore", str(archive))
        assert refused.returncode != 0
        assert f"{name} không khớp mã sha256" in refused.stderr and "was altered" in refused.stderr
        assert await table_counts(target) == {}
    assert not files.exists()


async def test_restore_refuses_a_database_in_use_unless_forced(
    source: Source, server_dsn: str, template_name: str, tmp_path: Path
) -> None:
    files = tmp_path / "restored-files"
    # A migrated database (official units, keys, the web client): not empty.
    async with new_database(server_dsn, template_name) as target:
        before = await table_counts(target)
        refused = mattran(restore_env(target, files), "restore", str(source.archive))
        assert refused.returncode != 0
        assert "is not empty" in refused.stderr and "--force" in refused.stderr
        assert await table_counts(target) == before != source.counts

        forced = mattran(restore_env(target, files), "restore", "--force", str(source.archive))
        assert forced.returncode == 0, forced.stderr
        assert await table_counts(target) == source.counts
        assert await fingerprints(target) == await fingerprints(source.dsn)
    assert tree_digests(files) == tree_digests(source.files)


async def test_restore_refuses_a_files_folder_in_use(source: Source, server_dsn: str, tmp_path: Path) -> None:
    files = tmp_path / "files-in-use"
    (files / "older").mkdir(parents=True)
    (files / "older" / "kept.original").write_bytes(b"an attachment of another installation")
    async with new_database(server_dsn) as target:
        refused = mattran(restore_env(target, files), "restore", str(source.archive))
        assert refused.returncode != 0
        assert "already holds files" in refused.stderr
        assert await table_counts(target) == {}
    assert [path.name for path in files.rglob("*") if path.is_file()] == ["kept.original"]


async def test_a_restore_that_does_not_match_the_manifest_is_reported(
    source: Source, server_dsn: str, tmp_path: Path
) -> None:
    archive = tmp_path / "other-counts.tar"

    def one_household_more(manifest: dict[str, Any]) -> None:
        manifest["row_counts"]["public.households"] += 1

    with_manifest_changed(source.archive, archive, one_household_more)
    async with new_database(server_dsn) as target:
        checked = mattran(restore_env(target, tmp_path / "files"), "restore", str(archive))
    assert checked.returncode != 0
    assert f"does not match the archive: public.households: {HOUSEHOLDS + 1} -> {HOUSEHOLDS}" in checked.stderr


def test_an_existing_archive_is_never_overwritten(source: Source) -> None:
    before = source.archive.read_bytes()
    again = mattran(command_env(DATABASE_URL=source.dsn), "backup", "--output", str(source.archive))
    assert again.returncode != 0 and "exists already" in again.stderr
    assert source.archive.read_bytes() == before
