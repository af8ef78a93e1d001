"""Situation reports: the draft of a demo commune opens as a valid DOCX whose figures equal direct counts,
and its Markdown names the query behind every figure."""

from __future__ import annotations

import io

import pytest
from assistant_helpers import FILED, World
from docx import Document
from httpx import AsyncClient

from backend import db

pytestmark = pytest.mark.integration
PERIOD = "since=2026-01-01&until=2026-03-02"


async def direct_counts(world: World) -> dict[str, int]:
    async with db.connection() as conn:
        petitions = await conn.fetchval(
            "SELECT count(*) FROM petitions WHERE origin_unit_path LIKE $1"
            " AND created_at >= '2026-01-01T00:00+07' AND created_at < '2026-03-03T00:00+07'",
            f"%/{world.commune}%",
        )
        visited = await conn.fetchval(
            "SELECT count(DISTINCT v.household_id) FROM visits v JOIN households h ON h.id = v.household_id"
            " WHERE h.unit_code LIKE $1 AND v.deleted_at IS NULL AND h.deleted_at IS NULL AND h.status = 'active'"
            " AND v.visited_on BETWEEN '2026-01-01' AND '2026-03-02'",
            f"{world.commune}-%",
        )
        concerns = await conn.fetchval(
            "SELECT count(*) FROM visits v WHERE v.unit_path LIKE $1 AND v.deleted_at IS NULL AND v.concerns <> ''"
            " AND v.visited_on BETWEEN '2026-01-01' AND '2026-03-02'",
            f"%/{world.commune}/%",
        )
        done = await conn.fetchval(
            "SELECT count(*) FROM congress_milestones m JOIN congresses c ON c.id = m.congress"
            " WHERE c.unit_code = $1 AND c.organisation = 'front' AND m.status = 'done' AND c.term ="
            " (SELECT code FROM congress_terms ORDER BY created_at DESC, code DESC LIMIT 1)",
            world.commune,
        )
    return {"petitions": petitions, "visited": visited, "concerns": concerns, "congress_done": done}


async def test_docx_report_figures_equal_direct_counts(client: AsyncClient, world: World) -> None:
    url = f"/api/v1/assistant/reports?unit_code={world.commune}&{PERIOD}"
    report = (await client.get(url, headers=world.officer)).json()
    figures = {f["query_id"]: f for section in report["sections"] for f in section["figures"]}
    counts = await direct_counts(world)
    assert counts["petitions"] >= len(FILED) and figures["petitions.stats"]["total"] == counts["petitions"]
    assert figures["visits.coverage"]["total"] == counts["visited"] > 0
    assert figures["visits.concerns"]["total"] == counts["concerns"] == 2
    assert figures["congress.progress"]["total"] == counts["congress_done"]
    assert set(figures) == {
        "petitions.stats", "petitions.by_unit", "petitions.overdue",
        "visits.coverage", "visits.concerns", "congress.progress", "congress.late",
    }  # fmt: skip

    response = await client.get(url + "&format=docx", headers=world.officer)
    assert response.status_code == 200
    assert response.headers["content-disposition"].endswith(
        f'bao-cao-tinh-hinh-{world.commune}-2026-01-01-2026-03-02.docx"'
    )
    document = Document(io.BytesIO(response.content))
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    for figure in figures.values():
        assert f"{figure['summary']} [{figure['ref']}]" in text
        assert figure["link"] in text
    category_table = next(t for t in document.tables if t.rows[0].cells[0].text == "Nội dung" and len(t.columns) == 5)
    received = {row.cells[0].text: int(row.cells[1].text) for row in category_table.rows[1:]}
    assert sum(received.values()) == counts["petitions"]


async def test_markdown_report_and_scope(client: AsyncClient, world: World) -> None:
    url = f"/api/v1/assistant/reports?unit_code={world.commune}&{PERIOD}"
    markdown = await client.get(url + "&format=md", headers=world.officer)
    assert markdown.status_code == 200 and markdown.headers["content-type"].startswith("text/markdown")
    assert (
        markdown.text.startswith("# Báo cáo tình hình")
        and "/api/v1/assistant/queries/petitions.stats?" in markdown.text
    )
    assert (await client.get(url, headers=world.outsider)).status_code == 404
    backwards = f"/api/v1/assistant/reports?unit_code={world.commune}&since=2026-03-02&until=2026-01-01"
    assert (await client.get(backwards, headers=world.officer)).status_code == 400
