"""An original file is always a download (ASVS V12.5.2): even an uploaded HTML page cannot run as a page of
the platform's origin, whatever the browser would guess from its bytes."""

from __future__ import annotations

import pytest
from httpx import AsyncClient
from library_helpers import published_document

pytestmark = pytest.mark.integration


async def test_an_uploaded_page_is_served_as_a_sandboxed_download(client: AsyncClient, officer: dict) -> None:
    page = "<h1>Hướng dẫn</h1><p>Điều 1. Phạm vi.</p><script>alert(document.cookie)</script>"
    document = await published_document(client, officer, text=page, filename="huong-dan.html", title="Hướng dẫn")

    download = await client.get(f"/api/v1/library/documents/{document['id']}/file")

    assert download.status_code == 200
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["content-security-policy"] == "sandbox"
    assert download.headers["x-content-type-options"] == "nosniff"
