"""Unit reports through the API: draft -> submitted (locked) -> corrections with a trace, the households
visited prefilled from the registry, bad input refused with nothing changed, scope (404 outside it)."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest
from httpx import AsyncClient
from reports_helpers import COMMUNE, LAST_WEEK, NEXT_WEEK, THIS_WEEK, Person, report_url, submitted, visit_households

pytestmark = pytest.mark.integration


async def table_state(database: str) -> list[Any]:
    conn = await asyncpg.connect(database)
    try:
        return [tuple(row) for row in await conn.fetch("SELECT id, status, version, members FROM unit_reports")]
    finally:
        await conn.close()


async def test_households_visited_comes_from_the_registry(client: AsyncClient, people: dict[str, Person]) -> None:
    cadre = people["cadre_a"]
    # Week 9 is 23 Feb - 1 Mar: households 1 and 2 visited in it (1 twice), 3 only the week before.
    await visit_households(client, cadre, [(1, "2026-02-23"), (1, "2026-03-01"), (2, "2026-02-25"), (3, "2026-02-22")])
    prefill = await client.get(report_url(cadre.unit, LAST_WEEK, "/prefill"), headers=cadre.headers)
    assert prefill.status_code == 200, prefill.text
    assert prefill.json()["households_visited"] == 2
    assert prefill.json()["deadline"] == "2026-03-02T05:00:00Z"  # Monday noon in Viet Nam
    created = await client.put(report_url(cadre.unit, LAST_WEEK), json={"members": 40}, headers=cadre.headers)
    assert created.status_code == 201, created.text
    assert (created.json()["households_visited"], created.json()["households_visited_registry"]) == (2, 2)
    # The unit may correct the figure by hand; the registry's count is kept beside it.
    edited = await client.put(
        report_url(cadre.unit, LAST_WEEK),
        json={"version": created.json()["version"], "members": 40, "households_visited": 5},
        headers=cadre.headers,
    )
    assert edited.status_code == 200, edited.text
    assert (edited.json()["households_visited"], edited.json()["households_visited_registry"]) == (5, 2)
    # The commune's figure counts its areas' visits.
    commune = await client.get(report_url(COMMUNE, LAST_WEEK, "/prefill"), headers=people["officer"].headers)
    assert commune.json()["households_visited"] == 2


async def test_submit_locks_and_a_correction_keeps_the_trace(
    client: AsyncClient, people: dict[str, Person], database: str
) -> None:
    cadre = people["cadre_a"]
    first = await submitted(client, cadre, LAST_WEEK, members=40, cadres=3, activities=2, difficulties="Thiếu kinh phí")
    assert (first["status"], first["revision"], first["late"]) == ("submitted", 1, False)
    before = await table_state(database)
    edit = await client.put(
        report_url(cadre.unit, LAST_WEEK), json={"version": first["version"], "members": 41}, headers=cadre.headers
    )
    assert edit.status_code == 409, edit.text
    assert edit.headers["content-type"].startswith("application/problem+json")
    assert await table_state(database) == before

    stale = await client.post(
        report_url(cadre.unit, LAST_WEEK, "/corrections"), json={"version": 1, "reason": "x"}, headers=cadre.headers
    )
    assert stale.status_code == 409
    opened = await client.post(
        report_url(cadre.unit, LAST_WEEK, "/corrections"),
        json={"version": first["version"], "reason": "Đếm sót một chi hội"},
        headers=cadre.headers,
    )
    assert opened.status_code == 201, opened.text
    draft = opened.json()
    assert (draft["status"], draft["revision"], draft["members"]) == ("draft", 2, 40)
    # Until the correction is submitted, the roll-up keeps the submitted figures.
    rollup = await client.get(report_url(COMMUNE, LAST_WEEK, "/rollup"), headers=people["officer"].headers)
    areas = next(level for level in rollup.json()["levels"] if level["level"] == "residential_area")
    assert areas["members"] == 40
    changed = await client.put(
        report_url(cadre.unit, LAST_WEEK),
        json={"version": draft["version"], "members": 45, "cadres": 3, "activities": 2},
        headers=cadre.headers,
    )
    assert changed.status_code == 200, changed.text
    final = await client.post(
        report_url(cadre.unit, LAST_WEEK, "/submit"), json={"version": changed.json()["version"]}, headers=cadre.headers
    )
    assert final.status_code == 200, final.text
    assert [(r["revision"], r["status"]) for r in final.json()["revisions"]] == [(1, "superseded"), (2, "submitted")]
    assert final.json()["revisions"][1]["correction_reason"] == "Đếm sót một chi hội"
    rollup = await client.get(report_url(COMMUNE, LAST_WEEK, "/rollup"), headers=people["officer"].headers)
    areas = next(level for level in rollup.json()["levels"] if level["level"] == "residential_area")
    assert (areas["members"], areas["reported"]) == (45, 1)
    conn = await asyncpg.connect(database)
    try:
        actions = [
            r["action"]
            for r in await conn.fetch("SELECT action FROM audit_log WHERE subject_type = 'unit_report' ORDER BY id")
        ]
    finally:
        await conn.close()
    assert actions == [
        "report.drafted",
        "report.submitted",
        "report.correction_opened",
        "report.updated",
        "report.submitted",
    ]


async def test_a_report_after_the_deadline_is_late(client: AsyncClient, people: dict[str, Person]) -> None:
    # Week 8 was due on Monday 23 February at noon; the clock is a week later.
    report = await submitted(client, people["cadre_a"], "2026-W08", members=1)
    assert report["late"] is True
    on_time = await submitted(client, people["cadre_b"], LAST_WEEK, members=1)
    assert on_time["late"] is False
    rollup = await client.get(report_url(COMMUNE, "2026-W08", "/rollup"), headers=people["officer"].headers)
    areas = next(level for level in rollup.json()["levels"] if level["level"] == "residential_area")
    assert (areas["late"], areas["reported"]) == (1, 1)


@pytest.mark.parametrize(
    ("week", "body", "field"),
    [
        (LAST_WEEK, {"members": -1}, "members"),
        (LAST_WEEK, {"petitions": -3}, "petitions"),
        (LAST_WEEK, {"members": "nhiều"}, "members"),
        (LAST_WEEK, {"members": 1, "unknown": 1}, "unknown"),
        (NEXT_WEEK, {"members": 1}, "week"),
        ("2026-W60", {"members": 1}, "week"),
    ],
)
async def test_bad_input_changes_nothing(
    client: AsyncClient, people: dict[str, Person], database: str, week: str, body: dict[str, Any], field: str
) -> None:
    response = await client.put(report_url(people["cadre_a"].unit, week), json=body, headers=people["cadre_a"].headers)
    assert response.status_code == 400, response.text
    problem = response.json()
    assert response.headers["content-type"].startswith("application/problem+json")
    assert any(field in error["field"] or field in (error.get("message") or "") for error in problem["errors"]), problem
    assert await table_state(database) == []


async def test_this_week_may_be_reported(client: AsyncClient, people: dict[str, Person]) -> None:
    report = await submitted(client, people["cadre_a"], THIS_WEEK, members=2)
    assert report["week"] == THIS_WEEK and report["week_start"] == "2026-03-02"


async def test_scope_and_who_may_write(client: AsyncClient, people: dict[str, Person], database: str) -> None:
    area_a = people["cadre_a"].unit
    await submitted(client, people["cadre_a"], LAST_WEEK, members=4)
    reads = {
        "cadre_a": 200,
        "cadre_b": 404,
        "officer": 200,
        "province": 200,
        "next_officer": 404,
        "cadre_next": 404,
    }
    for who, status in reads.items():
        for tail in ("", "/prefill", "/rollup", "/rollup.xlsx"):
            response = await client.get(report_url(area_a, LAST_WEEK, tail), headers=people[who].headers)
            assert response.status_code == status, (who, tail, response.text)
    # The commune's roll-up is for the commune and the levels above, not for its areas' cadres.
    for who, status in {"cadre_a": 404, "next_officer": 404, "officer": 200, "province": 200}.items():
        response = await client.get(report_url(COMMUNE, LAST_WEEK, "/rollup"), headers=people[who].headers)
        assert response.status_code == status, (who, response.text)
    before = await table_state(database)
    # The units above read; only the unit's own officers write (403 in scope, 404 outside it).
    for who, status in {"officer": 403, "province": 403, "cadre_b": 404, "next_officer": 404}.items():
        response = await client.post(
            report_url(area_a, LAST_WEEK, "/corrections"),
            json={"version": 2, "reason": "x"},
            headers=people[who].headers,
        )
        assert response.status_code == status, (who, response.text)
        response = await client.put(report_url(area_a, "2026-W08"), json={"members": 1}, headers=people[who].headers)
        assert response.status_code == status, (who, response.text)
    assert await table_state(database) == before
    missing = await client.get(report_url("99999", LAST_WEEK), headers=people["province"].headers)
    assert missing.status_code == 404
