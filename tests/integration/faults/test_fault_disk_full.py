"""The disk holding petition attachments full: a tiny tmpfs as the storage folder (needs root or
CAP_SYS_ADMIN; skipped with the reason otherwise). The upload is refused with a clear problem (507),
no row points to a missing file, no partial file is left, and once space is back the same upload works."""

from __future__ import annotations

import io
import os
import random
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from backend import db
from backend.settings import Settings
from support.config import settings_for

pytestmark = pytest.mark.integration

COMMUNE = "00070"
TMPFS_BYTES = 256 * 1024
FREE_BYTES = 16 * 1024  # room for the start of the file, not for all of it: a partial write


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "petition-files"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={TMPFS_BYTES}", "tmpfs", str(folder)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN): {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


@pytest.fixture
def settings(database: str, small_disk: Path) -> Settings:
    return settings_for(database, petitions_storage_dir=str(small_disk))


def fill(folder: Path, leave: int) -> Path:
    """Write a filler file until the disk is full, then give back `leave` bytes."""
    filler = folder / "filler"
    with filler.open("wb", buffering=0) as out:
        try:
            while out.write(b"\0" * 4096):
                pass
        except OSError:  # ENOSPC: full
            pass
    os.truncate(filler, max(filler.stat().st_size - leave, 0))
    return filler


def noisy_jpeg() -> bytes:
    """A photo that does not compress: larger than the room left on the small disk."""
    rng = random.Random(7)
    image = Image.frombytes("RGB", (240, 240), rng.randbytes(240 * 240 * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    return out.getvalue()


def files_under(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


async def attachment_rows() -> int:
    async with db.connection() as conn:
        return int(await conn.fetchval("SELECT count(*) FROM petition_attachments"))


async def test_a_full_disk_refuses_the_upload_cleanly_and_it_works_once_space_is_back(
    client: httpx.AsyncClient, small_disk: Path
) -> None:
    filed = await client.post(
        "/api/v1/petitions",
        json={
            "title": "Rác thải ùn ứ ở cuối ngõ 5",
            "description": "Rác không được thu gom đã một tuần, bốc mùi và tràn ra lối đi chung của khu phố.",
            "unit_code": COMMUNE,
            "contact_phone": "0912345678",
        },
    )
    assert filed.status_code == 201, filed.text
    petition_id, code = filed.json()["id"], filed.json()["tracking_code"]
    photo = noisy_jpeg()
    assert len(photo) > 2 * FREE_BYTES
    filler = fill(small_disk, FREE_BYTES)

    async def send() -> httpx.Response:
        return await client.post(
            f"/api/v1/petitions/{petition_id}/attachments",
            content=photo,
            params={"code": code, "filename": "rac-thai.jpg"},
            headers={"content-type": "application/octet-stream"},
        )

    refused = await send()

    assert refused.status_code == 507, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    problem = refused.json()
    assert problem["type"] == "urn:mattran:problem:insufficient-storage"
    assert problem["title"] == "Máy chủ hết chỗ lưu tệp"  # Vietnamese first
    assert await attachment_rows() == 0
    assert files_under(small_disk) == ["filler"]  # no partial file, no lone original

    filler.unlink()  # the operator frees space; the device sends the same file again
    accepted = await send()

    assert accepted.status_code == 201, accepted.text
    assert await attachment_rows() == 1
    stored = files_under(small_disk)
    assert len(stored) == 2 and all(name.startswith(f"{petition_id}/") for name in stored)
    print(f"\nFAULT disk-full: {len(photo)} B photo, {FREE_BYTES} B free: {refused.status_code}; after freeing: 201")
