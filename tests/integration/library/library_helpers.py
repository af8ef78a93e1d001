"""Helpers of the library tests: documents created, filled and published through the API."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

COMMUNE = "00070"


async def add_document(http: AsyncClient, headers: dict[str, str], **fields: Any) -> dict[str, Any]:
    body = {"title": "Tài liệu", "kind": "guide", "unit_code": COMMUNE} | fields
    response = await http.post("/api/v1/library/documents", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def upload(
    http: AsyncClient, headers: dict[str, str], document: dict[str, Any], filename: str, content: bytes
) -> Any:
    return await http.put(
        f"/api/v1/library/documents/{document['id']}/file",
        params={"filename": filename, "version": document["version"]},
        content=content,
        headers=headers,
    )


async def move(http: AsyncClient, headers: dict[str, str], document: dict[str, Any], to: str) -> dict[str, Any]:
    response = await http.post(
        f"/api/v1/library/documents/{document['id']}/transitions",
        json={"to": to, "version": document["version"]},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def publish(http: AsyncClient, headers: dict[str, str], document: dict[str, Any]) -> dict[str, Any]:
    return await move(http, headers, await move(http, headers, document, "review"), "published")


async def published_document(
    http: AsyncClient, headers: dict[str, str], text: str = "", filename: str = "noi-dung.md", **fields: Any
) -> dict[str, Any]:
    document = await add_document(http, headers, **fields)
    if text:
        uploaded = await upload(http, headers, document, filename, text.encode())
        assert uploaded.status_code == 200, uploaded.text
        document = uploaded.json()
    return await publish(http, headers, document)
