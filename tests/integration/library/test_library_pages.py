"""The library pages render on the server (first paint) for a reader who is not signed in."""

from __future__ import annotations

import re
from html import unescape

import pytest
from httpx import AsyncClient
from library_helpers import published_document

from pwa.features.library import pages as library_pages

pytestmark = pytest.mark.integration

LAW = "Điều 1. Phạm vi\n1. Quy định chung.\nĐiều 2. Đối tượng\n1. Cán bộ Mặt trận.\n"


async def test_browse_search_and_read(client: AsyncClient, officer: dict) -> None:
    document = await published_document(
        client, officer, LAW, filename="quy-che.txt", title="Quy chế mẫu", kind="guidance", categories=["forms"],
        number="01/QC",
    )  # fmt: skip
    browse = await client.get("/library", params={"category": "forms"})
    assert browse.status_code == 200
    assert "Quy chế mẫu" in unescape(browse.text) and 'data-library-pin="forms"' in unescape(browse.text)
    # Each select is named for what it chooses; the box is a box beside its words; the search is a button.
    shown = unescape(browse.text)
    assert "<label>Loại tài liệu<select" in shown and '<label class="check"><input type="checkbox"' in shown
    assert '<button type="submit" class="button">Tìm</button>' in shown

    found = await client.get("/library", params={"q": "can bo mat tran"})
    assert f"/library/document?id={document['id']}#dieu-2-khoan-1" in unescape(found.text)
    assert "<mark>Cán</mark>" in unescape(found.text)

    punctuation = await client.get("/library", params={"q": "!!!"})
    assert "dấu câu" in unescape(punctuation.text)

    reader = await client.get("/library/document", params={"id": document["id"]})
    assert 'id="dieu-2"' in unescape(reader.text) and 'href="#dieu-2"' in unescape(reader.text)
    assert f"/api/v1/library/documents/{document['id']}/file" in unescape(reader.text)

    missing = await client.get("/library/document", params={"id": "not-an-id"})
    assert "Không tìm thấy tài liệu" in unescape(missing.text)
    assert 'id="library-offline"' in unescape((await client.get("/library/offline")).text)


async def test_a_category_is_browsed_page_after_page(
    client: AsyncClient, officer: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(library_pages, "LISTED", 1)
    for number, title in enumerate(("Mẫu biên bản họp", "Mẫu báo cáo tháng"), start=1):
        await published_document(
            client, officer, LAW, filename=f"mau-{number}.txt", title=title, kind="template", categories=["forms"]
        )
    first = unescape((await client.get("/library", params={"category": "forms"})).text)
    [next_page] = re.findall(r'href="(/library\?category=forms&cursor=[^"]+)"', first)
    assert "Xem thêm tài liệu" in first
    second = unescape((await client.get(next_page)).text)
    titles = ("Mẫu biên bản họp", "Mẫu báo cáo tháng")
    assert [title in first for title in titles] == [title not in second for title in titles]  # one each
    assert sum(title in first for title in titles) == 1 and "Xem thêm tài liệu" not in second
