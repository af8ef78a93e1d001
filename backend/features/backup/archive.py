"""The archive: a tar holding `database.dump` (pg_dump custom format), the uploaded files under
`files/<set>/`, and `manifest.json` last (it lists every other member with its size and sha256).

Every member streams through a fixed buffer, hashed on the way, so an archive of any size needs little
memory. Reading checks every member against the manifest before anything is restored.
"""

from __future__ import annotations

import hashlib
import os
import tarfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any

import msgspec

from backend.features.backup import BackupError

# The archive layout this code writes and reads; a change of layout gets a new number.
ARCHIVE_FORMAT = 1
MANIFEST = "manifest.json"
DUMP = "database.dump"
FILES = "files"
CHUNK = 1024 * 1024
# A manifest lists tables and files; far below this even for millions of files. Read into memory, so bounded.
MAX_MANIFEST_BYTES = 512 * 1024 * 1024


class Member(msgspec.Struct, frozen=True):
    name: str
    size: int
    sha256: str


class AuditHead(msgspec.Struct, frozen=True):
    """The audit chain's last entry (id 0 and the genesis hash when the log is empty)."""

    entries: int
    last_id: int
    hash: str


class Manifest(msgspec.Struct, frozen=True, kw_only=True):
    format: int
    mattran_version: str
    created_at: datetime
    database: str
    server_version: str
    server_major: int
    pg_dump_major: int
    # piccolo app -> its last applied migration; "jobs" -> procrastinate's schema version.
    migrations: dict[str, str]
    # "schema.table" -> rows, counted in the snapshot pg_dump dumped.
    row_counts: dict[str, int]
    audit: AuditHead
    members: list[Member]


def copy_hashed(source: IO[bytes], target: IO[bytes] | None) -> tuple[str, int]:
    """Stream source into target (or nowhere), returning its sha256 and size."""
    digest = hashlib.sha256()
    size = 0
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
        if target is not None:
            target.write(chunk)
    return digest.hexdigest(), size


class _HashingReader:
    """A file tarfile reads a member from, hashing what it reads."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        chunk = self.handle.read(size)
        self.digest.update(chunk)
        return chunk


class _HashingWriter:
    """The archive file, hashed as tarfile writes it: the archive's own sha256, to keep apart from it."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()
        self.position = 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.position += len(data)
        return self.handle.write(data)

    def tell(self) -> int:
        return self.position


class ArchiveWriter:
    def __init__(self, tar: tarfile.TarFile) -> None:
        self.tar = tar
        self.members: list[Member] = []

    def add_file(self, name: str, source: Path) -> None:
        with source.open("rb") as handle:
            info = tarfile.TarInfo(name)
            stat = os.fstat(handle.fileno())
            info.size, info.mtime, info.mode = stat.st_size, int(stat.st_mtime), 0o600
            reader = _HashingReader(handle)
            self.tar.addfile(info, reader)  # tarfile only calls read()
        self.members.append(Member(name, info.size, reader.digest.hexdigest()))

    def add_manifest(self, manifest: Manifest) -> None:
        content = msgspec.json.format(msgspec.json.encode(manifest), indent=2)
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mtime, info.mode = len(content), int(manifest.created_at.timestamp()), 0o600
        self.tar.addfile(info, _BytesReader(content))


class _BytesReader:
    def __init__(self, content: bytes) -> None:
        self.content = memoryview(content)
        self.offset = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.content) if size < 0 else self.offset + size
        chunk = bytes(self.content[self.offset : end])
        self.offset += len(chunk)
        return chunk


@contextmanager
def writing(path: Path) -> Iterator[tuple[ArchiveWriter, Any]]:
    """An archive written to <path>.part and renamed to path only when complete (a crash leaves no
    half-archive under the real name). Yields the writer and the archive's running sha256."""
    partial = path.with_name(path.name + ".part")
    try:
        with partial.open("wb") as handle:
            hashing = _HashingWriter(handle)
            with tarfile.open(fileobj=hashing, mode="w", format=tarfile.PAX_FORMAT) as tar:  # type: ignore[call-overload]
                yield ArchiveWriter(tar), hashing.digest
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def file_member(file_set: str, relative: PurePosixPath) -> str:
    return f"{FILES}/{file_set}/{relative.as_posix()}"


def split_file_member(name: str, file_sets: set[str]) -> tuple[str, PurePosixPath]:
    """files/<set>/<relative path> -> (set, path), refusing anything that could land outside the set's folder."""
    parts = PurePosixPath(name).parts
    if len(parts) < 3 or parts[0] != FILES or parts[1] not in file_sets or ".." in parts:
        raise BackupError("backup.error.bad_member", member=name)
    return parts[1], PurePosixPath(*parts[2:])


def _open(path: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(path, mode="r:")
    except (OSError, tarfile.TarError) as error:
        raise BackupError("backup.error.unreadable", path=str(path), reason=str(error)) from error


def verify(path: Path, file_sets: set[str], dump_target: IO[bytes]) -> Manifest:
    """Check the whole archive against its manifest (members, sizes, sha256), copying the database dump to
    dump_target on the way. Raises before the caller changes anything."""
    with _open(path) as tar:
        try:
            members = tar.getmembers()
        except (OSError, tarfile.TarError) as error:
            raise BackupError("backup.error.unreadable", path=str(path), reason=str(error)) from error
        for member in members:
            if not member.isreg():
                raise BackupError("backup.error.bad_member", member=member.name)
        # A name twice: tar readers disagree on which copy counts, so neither is trusted.
        repeated = sorted(name for name, count in Counter(member.name for member in members).items() if count > 1)
        if repeated:
            raise BackupError("backup.error.members_differ", members=", ".join(repeated[:5]))
        present = {member.name for member in members} - {MANIFEST}
        if len(present) == len(members):
            raise BackupError("backup.error.no_manifest", path=str(path))
        manifest = _read_manifest(tar, tar.getmember(MANIFEST))
        expected = {member.name: member for member in manifest.members}
        differ = sorted(present ^ set(expected))
        if differ:
            raise BackupError("backup.error.members_differ", members=", ".join(differ[:5]))
        for name in present - {DUMP}:
            split_file_member(name, file_sets)
        for member in members:
            if member.name == MANIFEST:
                continue
            source = tar.extractfile(member)
            assert source is not None  # a regular file, checked above
            digest, size = copy_hashed(source, dump_target if member.name == DUMP else None)
            if (digest, size) != (expected[member.name].sha256, expected[member.name].size):
                raise BackupError("backup.error.tampered", member=member.name)
    return manifest


def _read_manifest(tar: tarfile.TarFile, member: tarfile.TarInfo) -> Manifest:
    source = tar.extractfile(member)
    if source is None or member.size > MAX_MANIFEST_BYTES:
        raise BackupError("backup.error.bad_member", member=MANIFEST)
    try:
        manifest = msgspec.json.decode(source.read(), type=Manifest)
    except (msgspec.DecodeError, msgspec.ValidationError) as error:
        raise BackupError("backup.error.bad_manifest", reason=str(error)) from error
    if manifest.format != ARCHIVE_FORMAT:
        raise BackupError("backup.error.unsupported_format", found=manifest.format, supported=ARCHIVE_FORMAT)
    return manifest


def extract_files(path: Path, destinations: dict[str, Path], manifest: Manifest) -> None:
    """Write the file members to their destinations, each through <name>.part and checked again on the way
    (the archive could have changed since it was verified)."""
    expected = {member.name: member for member in manifest.members}
    with _open(path) as tar:
        for member in tar.getmembers():
            destination = destinations.get(member.name)
            if destination is None:
                continue
            source = tar.extractfile(member)
            assert source is not None  # verified as a regular file
            destination.parent.mkdir(parents=True, exist_ok=True)
            partial = destination.with_name(destination.name + ".part")
            with partial.open("wb") as target:
                digest, _ = copy_hashed(source, target)
            if digest != expected[member.name].sha256:
                partial.unlink()
                raise BackupError("backup.error.tampered", member=member.name)
            os.replace(partial, destination)
