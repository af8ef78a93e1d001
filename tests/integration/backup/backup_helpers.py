"""Helpers of the backup tests (importable by name: the test folders are not packages): the `mattran`
command as an operator runs it, fresh databases, and what a restore must reproduce, read independently of
the code under test."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import tarfile
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from PIL import Image

from support.commands import MATTRAN

HOUSEHOLDS = 200


@dataclass(frozen=True)
class Source:
    """The seeded database the tests back up, its files folder, the archive, and its tables' rows."""

    dsn: str
    files: Path
    archive: Path
    counts: dict[str, int]
    backup_output: str


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 200), (30, 120, 200)).save(out, "PNG")
    return out.getvalue()


def mattran(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([MATTRAN, *args], env=env, capture_output=True, text=True, timeout=300)


def database_dsn(server_dsn: str, name: str) -> str:
    parts = urlsplit(server_dsn)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


@asynccontextmanager
async def new_database(server_dsn: str, template: str = "template0") -> AsyncIterator[str]:
    """A database made for the block (empty from template0, or a copy of template), dropped after it."""
    name = f"mattran_bk_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(server_dsn)
    try:
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        yield database_dsn(server_dsn, name)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def table_counts(dsn: str) -> dict[str, int]:
    """Rows of every base table outside PostgreSQL's own schemas."""
    conn = await asyncpg.connect(dsn)
    try:
        tables = await conn.fetch(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'"
            " AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2"
        )
        return {
            f"{t['table_schema']}.{t['table_name']}": await conn.fetchval(
                f'SELECT count(*) FROM "{t["table_schema"]}"."{t["table_name"]}"'
            )
            for t in tables
        }
    finally:
        await conn.close()


async def fingerprints(dsn: str) -> dict[str, object]:
    """The audit chain's head and all its hashes, and the stored library originals, as digests."""
    conn = await asyncpg.connect(dsn)
    try:
        return {
            "audit_head": tuple(await conn.fetchrow("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")),
            "audit_chain": await conn.fetchval("SELECT md5(string_agg(hash, ',' ORDER BY id)) FROM audit_log"),
            "library_files": await conn.fetchval(
                "SELECT md5(string_agg(id::text || sha256(content)::text, ',' ORDER BY id)) FROM library_files"
            ),
        }
    finally:
        await conn.close()


def tree_digests(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def flip_byte_inside(archive: Path, member: str) -> None:
    """Change one byte in the middle of a member's data, as corruption or tampering would."""
    with tarfile.open(archive) as tar:
        info = tar.getmember(member)
    position = info.offset_data + info.size // 2
    with archive.open("r+b") as handle:
        handle.seek(position)
        byte = handle.read(1)
        handle.seek(position)
        handle.write(bytes([byte[0] ^ 0xFF]))


def with_manifest_changed(archive: Path, output: Path, change: Callable[[dict[str, Any]], None]) -> None:
    """A copy of the archive whose manifest says something else, its members' checksums still right."""
    with tarfile.open(archive) as source, tarfile.open(output, "w", format=tarfile.PAX_FORMAT) as target:
        for member in source.getmembers():
            content = source.extractfile(member)
            assert content is not None
            if member.name == "manifest.json":
                manifest = json.loads(content.read())
                change(manifest)
                encoded = json.dumps(manifest).encode()
                member.size = len(encoded)
                target.addfile(member, io.BytesIO(encoded))
            else:
                target.addfile(member, content)
