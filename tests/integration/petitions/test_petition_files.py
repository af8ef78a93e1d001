"""Attachments over HTTP: bad files change nothing; the filer attaches by code; who may fetch a copy."""

from __future__ import annotations

import msgspec
import pytest
from httpx import AsyncClient
from petition_helpers import COMMUNE, Person, file_petition, jpeg_with_gps, png, upload

from backend import db
from backend.settings import Settings

pytestmark = pytest.mark.integration


async def attachment_count() -> int:
    async with db.connection() as conn:
        return int(await conn.fetchval("SELECT count(*) FROM petition_attachments"))


async def test_fake_and_oversized_files_are_refused_and_change_nothing(
    client: AsyncClient, people: dict[str, Person], settings: Settings
) -> None:
    pid = (await file_petition(client, COMMUNE))["id"]
    officer = people["officer"]

    fake = await upload(client, officer, pid, b"<html>not a photo</html>", filename="anh.jpg")
    bad_pdf = await upload(client, officer, pid, b"%PDX-1.7 forged", filename="cong-van.pdf")
    huge = await upload(client, officer, pid, b"\xff\xd8\xff" + b"0" * settings.petitions_attachment_max_bytes)

    assert (fake.status_code, bad_pdf.status_code, huge.status_code) == (400, 400, 413)
    assert fake.json()["type"] == "urn:mattran:problem:unsupported-attachment"
    assert huge.json()["type"] == "urn:mattran:problem:attachment-too-large"
    assert await attachment_count() == 0


async def test_the_filer_attaches_photos_by_code_and_strangers_cannot(
    client: AsyncClient, people: dict[str, Person]
) -> None:
    receipt = await file_petition(client, COMMUNE)
    pid, code = receipt["id"], receipt["tracking_code"]

    by_code = await upload(client, None, pid, jpeg_with_gps((300, 200)), code=code, filename="hien-truong.jpg")
    stranger = await upload(client, None, pid, png())
    wrong_code = await upload(client, None, pid, png(), code="KN-AAAAA-AAAAA-AAAAA-AAAAA")

    assert by_code.status_code == 201, by_code.text
    assert msgspec.json.decode(by_code.content)["purpose"] == "filing"
    assert (stranger.status_code, wrong_code.status_code) == (404, 404)
    url = by_code.json()["url"]
    assert (await client.get(url)).status_code == 404  # not public: a filing photo is personal
    staff_copy = await client.get(url, headers=people["officer"].headers)
    assert staff_copy.status_code == 200
    assert staff_copy.headers["content-type"] == "image/jpeg"
    assert await attachment_count() == 1
