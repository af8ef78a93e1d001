"""Uploads of every format the library takes, and every bad input: each ends in a clear problem and
changes nothing."""

from __future__ import annotations

import io
import zipfile
from collections.abc import AsyncIterator

import docx
import pytest
from httpx import AsyncClient
from library_helpers import add_document, upload

from backend.settings import Settings
from support.documents import pdf_with_lines

pytestmark = pytest.mark.integration


async def detail(client: AsyncClient, headers: dict, document: dict) -> dict:
    response = await client.get(f"/api/v1/library/documents/{document['id']}", headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_pdf_text_is_split_by_article_and_clause(client: AsyncClient, officer: dict) -> None:
    document = await add_document(client, officer, title="Luat mau", kind="law")
    content = pdf_with_lines(
        [["Chuong I", "Dieu 1. Pham vi", "1. Luat nay quy dinh ve mau."], ["Dieu 2. Giai thich", "2. Tu ngu ro rang."]]
    )
    response = await upload(client, officer, document, "luat.pdf", content)
    assert response.status_code == 200, response.text
    assert response.json()["file"]["media_type"] == "application/pdf"
    passages = (await detail(client, officer, document))["passages"]
    assert [p["locator"] for p in passages] == ["Điều 1", "Điều 1, khoản 1", "Điều 2", "Điều 2, khoản 2"]
    original = await client.get(f"/api/v1/library/documents/{document['id']}/file", headers=officer)
    assert original.content == content
    assert original.headers["content-disposition"].startswith("attachment;")


async def test_scanned_pdf_is_accepted_and_flagged(client: AsyncClient, officer: dict) -> None:
    document = await add_document(client, officer, title="Bản quét quyết định khen thưởng", number="15/QĐ-MTTQ")
    response = await upload(client, officer, document, "scan.pdf", pdf_with_lines([[], []]))
    assert response.status_code == 200, response.text
    assert response.json()["file"]["has_text_layer"] is False
    assert response.json()["passage_count"] == 0


@pytest.mark.parametrize("content", [b"%PDF-1.7\n garbage", b"not a pdf at all", b""])
async def test_corrupt_pdf_is_refused_clearly(client: AsyncClient, officer: dict, content: bytes) -> None:
    document = await add_document(client, officer)
    response = await upload(client, officer, document, "hong.pdf", content)
    assert response.status_code == 400
    assert response.json()["type"] == "urn:mattran:problem:unreadable-file"
    assert "PDF" in response.json()["detail"]
    assert (await detail(client, officer, document))["document"]["version"] == document["version"]


async def test_docx_headings_and_tables(client: AsyncClient, officer: dict) -> None:
    word = docx.Document()
    word.add_heading("Cẩm nang tiếp dân", level=1)
    word.add_paragraph("Giới thiệu chung về buổi tiếp.")
    word.add_heading("Bước một: chuẩn bị", level=2)
    word.add_paragraph("Chuẩn bị sổ tiếp nhận và mã theo dõi.")
    table = word.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Lĩnh vực", "Đất đai"
    out = io.BytesIO()
    word.save(out)
    document = await add_document(client, officer)
    assert (await upload(client, officer, document, "cam-nang.docx", out.getvalue())).status_code == 200
    passages = (await detail(client, officer, document))["passages"]
    assert passages[1]["heading_path"] == ["Cẩm nang tiếp dân", "Bước một: chuẩn bị"]
    assert passages[1]["locator"] == "Bước một: chuẩn bị"
    assert "Lĩnh vực | Đất đai" in passages[-1]["text"]


async def test_docx_bomb_is_refused_before_decompressing(
    client: AsyncClient, officer: dict, settings: Settings
) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * (settings.library_docx_max_uncompressed_bytes + 1))
    assert len(out.getvalue()) < 1_000_000  # small on the wire, huge once expanded
    document = await add_document(client, officer)
    response = await upload(client, officer, document, "bom.docx", out.getvalue())
    assert response.status_code == 400
    assert response.json()["type"] == "urn:mattran:problem:unreadable-file"
    assert "giải nén" in response.json()["detail"]


async def test_html_is_sanitised(client: AsyncClient, officer: dict) -> None:
    page = (
        "<html><head><script>alert('x')</script><style>p{}</style></head><body>"
        "<h1>Hỏi đáp</h1><p onclick='steal()'>Người dân hỏi về <b>mã theo dõi</b>.</p>"
        "<iframe src='https://evil.example'></iframe><a href='javascript:alert(1)'>bấm</a></body></html>"
    )
    document = await add_document(client, officer)
    assert (await upload(client, officer, document, "hoi-dap.html", page.encode())).status_code == 200
    passages = (await detail(client, officer, document))["passages"]
    assert passages[0]["heading_path"] == ["Hỏi đáp"]
    assert "mã theo dõi" in passages[0]["text"] and "alert" not in passages[0]["text"]
    stored = (await client.get(f"/api/v1/library/documents/{document['id']}/file", headers=officer)).text
    for unsafe in ("<script", "onclick", "<iframe", "javascript:", "<style"):
        assert unsafe not in stored


async def test_markdown_and_plain_text(client: AsyncClient, officer: dict) -> None:
    document = await add_document(client, officer)
    markdown = "# Hướng dẫn\n\n## Bước 1\n- Ghi **nội dung** sự việc.\n\n## Bước 2\nCấp [mã theo dõi](https://x.vn).\n"
    assert (await upload(client, officer, document, "hd.md", markdown.encode())).status_code == 200
    passages = (await detail(client, officer, document))["passages"]
    assert [(p["locator"], p["text"]) for p in passages] == [
        ("Bước 1", "Ghi nội dung sự việc."),
        ("Bước 2", "Cấp mã theo dõi."),
    ]
    text_document = await add_document(client, officer)
    text = "Điều 3. Nhiệm vụ\n1. Nắm tình hình.\n2. Tiếp nhận kiến nghị.\n".encode()
    assert (await upload(client, officer, text_document, "quy-che.txt", text)).status_code == 200
    locators = [p["locator"] for p in (await detail(client, officer, text_document))["passages"]]
    assert locators == ["Điều 3", "Điều 3, khoản 1", "Điều 3, khoản 2"]


async def test_unknown_format_is_refused(client: AsyncClient, officer: dict) -> None:
    document = await add_document(client, officer)
    response = await upload(client, officer, document, "anh.exe", b"MZ")
    assert response.status_code == 400
    assert ".pdf" in response.json()["detail"]


async def test_a_200_mb_upload_is_refused_while_streaming(
    client: AsyncClient, officer: dict, settings: Settings
) -> None:
    chunk = b"x" * (1024 * 1024)
    sent = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal sent
        for _ in range(200):
            sent += len(chunk)
            yield chunk

    document = await add_document(client, officer)
    response = await client.put(
        f"/api/v1/library/documents/{document['id']}/file",
        params={"filename": "lon.pdf", "version": 1},
        content=body(),
        headers=officer,
    )
    assert response.status_code == 413
    assert response.json()["type"] == "urn:mattran:problem:request-too-large"
    # Reading stopped at the limit: the rest of the 200 MB was never read.
    assert sent <= settings.library_upload_max_bytes + 2 * len(chunk)
    # A declared oversized body is refused at the entrance, before any route runs.
    declared = await client.put(
        f"/api/v1/library/documents/{document['id']}/file",
        params={"filename": "lon.pdf", "version": 1},
        headers=officer | {"content-length": str(200 * 1024 * 1024)},
        content=b"",
    )
    assert declared.status_code == 413
