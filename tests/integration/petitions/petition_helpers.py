"""Helpers of the petition tests (importable by name: the test folders are not packages)."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from typing import Any

from httpx import AsyncClient, Response
from PIL import Image

from support.identity import bearer

COMMUNE, NEXT_COMMUNE, PROVINCE = "00070", "00073", "01"


@dataclass(frozen=True)
class Person:
    account_id: uuid.UUID
    token: str
    area: str | None = None

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.token)


def petition_body(unit_code: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "title": "Đèn đường hỏng ở ngõ 12 Hàng Bài",
        "description": "Đèn đường trước số 12 đã hỏng hai tuần, buổi tối rất tối và nguy hiểm cho người đi bộ.",
        "unit_code": unit_code,
        "contact_phone": "0912345678",
    } | fields


async def file_petition(http: AsyncClient, unit_code: str, who: Person | None = None, **fields: Any) -> dict:
    headers = who.headers if who else {}
    response = await http.post("/api/v1/petitions", json=petition_body(unit_code, **fields), headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def act(http: AsyncClient, who: Person, petition_id: str, action: str, **body: Any) -> Response:
    return await http.post(f"/api/v1/petitions/{petition_id}/{action}", json=body, headers=who.headers)


def jpeg_with_gps(size: tuple[int, int] = (2400, 1200)) -> bytes:
    """A JPEG carrying EXIF with a GPS position (as a phone camera writes it)."""
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = {1: "N", 2: (21.0, 1.0, 30.0), 3: "E", 4: (105.0, 51.0, 10.0)}
    exif[0x8825] = gps  # GPSInfo
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def png(size: tuple[int, int] = (64, 64)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 200, 30)).save(out, "PNG")
    return out.getvalue()


async def upload(http: AsyncClient, who: Person | None, petition_id: str, content: bytes, **params: str) -> Response:
    headers = (who.headers if who else {}) | {"content-type": "application/octet-stream"}
    return await http.post(
        f"/api/v1/petitions/{petition_id}/attachments", content=content, headers=headers, params=params
    )
