"""POST /api/v1/assistant/ask: cited answers from the library, figures within scope, no guessing, audit."""

from __future__ import annotations

import pytest
from assistant_helpers import FILED, World
from httpx import AsyncClient

from backend import db
from backend.lib.clock import FrozenClock
from backend.lib.i18n import translate

pytestmark = pytest.mark.integration


async def ask(http: AsyncClient, headers: dict[str, str], question: str, **fields: str) -> dict:
    response = await http.post("/api/v1/assistant/ask", json={"question": question, **fields}, headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_answer_cites_the_clause_with_or_without_diacritics(client: AsyncClient, world: World) -> None:
    for question in ("Tỷ lệ nữ trong Ủy ban MTTQ xã là bao nhiêu?", "ty le nu trong uy ban mttq xa la bao nhieu"):
        answer = await ask(client, world.officer, question)
        assert answer["answered"] and answer["mode"] == "extractive" and not answer["figures"]
        first = answer["citations"][0]
        assert first["locator"] == "Điều 4, khoản 1" and first["ref"] == "S1"
        assert first["link"] == f"/library/document?id={first['document_id']}#dieu-4-khoan-1"
        assert [s["text"] for s in first["sentences"] if s["answers"]] == [
            "1. Tỷ lệ nữ trong Ủy ban phấn đấu đạt từ 30% trở lên."
        ]
        assert "30%" in answer["answer"] and "[S1]" in answer["answer"]


async def test_no_source_says_so_and_suggests_where_to_look(client: AsyncClient, world: World) -> None:
    answer = await ask(client, world.officer, "Mức lương hưu tối thiểu của bộ đội xuất ngũ là bao nhiêu?")
    assert not answer["answered"] and answer["citations"] == [] and answer["figures"] == []
    assert answer["answer"] == translate("assistant.answer.no_source")
    assert len(answer["suggestions"]) == 3 and "vbpl.vn" in answer["suggestions"][1]


async def test_petition_figures_equal_direct_counts_and_rerun(
    client: AsyncClient, world: World, clock: FrozenClock
) -> None:
    answer = await ask(
        client, world.officer, "Tháng này xã có bao nhiêu phản ánh, kiến nghị? Có cái nào quá hạn không?"
    )
    figures = {figure["query_id"]: figure for figure in answer["figures"]}
    assert set(figures) == {"petitions.stats", "petitions.overdue"}
    stats = figures["petitions.stats"]
    async with db.connection() as conn:
        by_category = dict(
            await conn.fetch(
                "SELECT category_code, count(*) FROM petitions WHERE origin_unit_path LIKE $1"
                " AND created_at >= '2026-03-01T00:00+07' GROUP BY 1",
                f"%/{world.commune}/%",
            )
        )
    assert sum(by_category.values()) >= len(FILED) and stats["total"] == sum(by_category.values())
    assert stats["params"] == {"unit_code": world.commune, "since": "2026-03-01", "until": "2026-03-02"}
    assert {row["key"]: row["value"] for row in stats["rows"]} == {key or "": n for key, n in by_category.items()}
    assert f"{stats['summary']} [{stats['ref']}]" in answer["answer"]
    rerun = await client.get(stats["link"], headers=world.officer)
    assert rerun.status_code == 200 and rerun.json()["total"] == stats["total"]
    async with db.connection() as conn:
        overdue = await conn.fetchval(
            "SELECT count(*) FROM petitions WHERE origin_unit_path LIKE $1 AND due_at < $2"
            " AND state IN ('received', 'classified', 'assigned', 'forwarded', 'reopened')",
            f"%/{world.commune}/%",
            clock.now(),
        )
    assert figures["petitions.overdue"]["total"] == overdue
    assert len(figures["petitions.overdue"]["rows"]) == min(overdue, 20)


async def test_visit_coverage_counts_distinct_visited_households(client: AsyncClient, world: World) -> None:
    answer = await ask(client, world.officer, "Tỷ lệ hộ đã được thăm hộ năm 2026 của xã là bao nhiêu?")
    coverage = next(f for f in answer["figures"] if f["query_id"] == "visits.coverage")
    async with db.connection() as conn:
        visited = await conn.fetchval(
            "SELECT count(DISTINCT v.household_id) FROM visits v JOIN households h ON h.id = v.household_id"
            " WHERE h.unit_code LIKE $1 AND v.deleted_at IS NULL AND h.deleted_at IS NULL AND h.status = 'active'"
            " AND v.visited_on BETWEEN '2026-01-01' AND '2026-03-02'",
            f"{world.commune}-%",
        )
        households = await conn.fetchval(
            "SELECT count(*) FROM households WHERE unit_code LIKE $1 AND deleted_at IS NULL AND status = 'active'",
            f"{world.commune}-%",
        )
    assert coverage["total"] == visited == 3 and sum(row["of"] for row in coverage["rows"]) == households


async def test_figures_stay_in_the_askers_scope(client: AsyncClient, world: World) -> None:
    question = {"question": "Xã có bao nhiêu phản ánh kiến nghị tháng này?", "unit_code": world.commune}
    refused = await client.post("/api/v1/assistant/ask", json=question, headers=world.outsider)
    assert refused.status_code == 404
    own = await ask(client, world.outsider, "Xã có bao nhiêu phản ánh kiến nghị tháng này?")
    assert own["unit_code"] == world.outsider_commune and own["figures"][0]["total"] == 0
    query = f"/api/v1/assistant/queries/petitions.stats?unit_code={world.commune}&since=2026-03-01&until=2026-03-02"
    assert (await client.get(query, headers=world.outsider)).status_code == 404
    unknown = await client.get(query.replace("petitions.stats", "households.all"), headers=world.officer)
    assert unknown.status_code == 400
    assert (await client.post("/api/v1/assistant/ask", json={"question": "x"})).status_code == 401


async def test_a_unit_named_in_the_question_is_the_one_counted(client: AsyncClient, world: World) -> None:
    async with db.connection() as conn:
        area = await conn.fetchval("SELECT name FROM units WHERE code = $1", world.area)
    answer = await ask(client, world.officer, f"{area} có bao nhiêu phản ánh kiến nghị tháng này?")
    assert answer["unit_code"] == world.area and answer["figures"][0]["params"]["unit_code"] == world.area
    # A unit outside the asker's scope named in the question is not looked for: the asker's own is counted.
    outsider = await ask(client, world.outsider, f"{area} có bao nhiêu phản ánh kiến nghị tháng này?")
    assert outsider["unit_code"] == world.outsider_commune


async def test_every_question_is_audited_with_its_sources(client: AsyncClient, world: World) -> None:
    answer = await ask(client, world.officer, "BCTMT họp mấy lần một tháng?")
    async with db.connection() as conn:
        row = await conn.fetchrow(
            "SELECT actor, unit_path, details FROM audit_log WHERE action = 'assistant.ask' AND subject_id = $1",
            answer["id"],
        )
    import json

    details = json.loads(row["details"])
    assert details["question"] == "BCTMT họp mấy lần một tháng?" and details["answer"] == answer["answer"]
    assert details["sources"][0]["locator"] == answer["citations"][0]["locator"] == "Điều 4, khoản 1"
    assert row["unit_path"].endswith(world.commune) and details["scope"]
