"""Term statistics (library_terms): kept exact by the passages' triggers as documents are uploaded,
re-uploaded and deleted, whatever their state."""

from __future__ import annotations

import pytest
from httpx import AsyncClient
from library_helpers import add_document, published_document, upload

from backend import db
from backend.features.library import repo
from backend.features.library.repo import TermCount

pytestmark = pytest.mark.integration


async def counted_directly() -> tuple[int, int, dict[str, TermCount]]:
    """The statistics recounted from the stored passages."""
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT w.lexeme, count(*) AS passages, count(DISTINCT p.document_id) AS documents"
            " FROM library_passages p, unnest(p.tsv) w GROUP BY w.lexeme"
        )
        totals = await conn.fetchrow("SELECT count(*) AS p, count(DISTINCT document_id) AS d FROM library_passages")
    return totals["p"], totals["d"], {r["lexeme"]: TermCount(r["passages"], r["documents"]) for r in rows}


async def kept() -> tuple[int, int, dict[str, TermCount]]:
    async with db.connection() as conn:
        every = [row["term"] for row in await conn.fetch("SELECT term FROM library_terms")]
    stats = await repo.term_statistics(every)
    return stats.passages, stats.documents, stats.terms


async def test_statistics_follow_uploads_reuploads_and_deletes(client: AsyncClient, officer: dict) -> None:
    first = await published_document(
        client, officer, "# Một\nNgười dân gửi đơn.\n# Hai\nNgười dân nhận trả lời.", title="A"
    )
    uploaded = await upload(
        client, officer, await add_document(client, officer, title="B"), "b.md", "Đơn của người dân ở xã.".encode()
    )
    assert uploaded.status_code == 200, uploaded.text
    draft = uploaded.json()

    stats = await repo.term_statistics(["nguoi", "don", "xa", "khong-co"])
    assert (stats.passages, stats.documents) == (3, 2)
    assert stats.count("nguoi") == TermCount(passages=3, documents=2)
    assert stats.count("don") == TermCount(passages=2, documents=2)
    assert stats.count("xa") == TermCount(passages=1, documents=1)
    assert stats.count("khong-co") == TermCount(0, 0)

    # A new file replaces the document's passages: its old words leave, the new ones count once.
    assert (await upload(client, officer, draft, "b.md", "Lịch họp tháng ba.".encode())).status_code == 200
    assert await kept() == await counted_directly()
    stats = await repo.term_statistics(["nguoi", "xa", "hop"])
    assert stats.count("nguoi") == TermCount(passages=2, documents=1)
    assert "xa" not in stats.terms and stats.count("hop") == TermCount(1, 1)

    async with db.connection() as conn:
        await conn.execute("DELETE FROM library_documents WHERE id = $1", draft["id"])
    assert await kept() == await counted_directly()
    assert (await repo.term_statistics([])).documents == 1 and first["passage_count"] == 2
