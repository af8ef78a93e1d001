"""The roll-up dashboard over the demo term (every province and commune): its totals equal a direct count
of the unit-level data at every level, stay equal after changes, and export to XLSX."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date
from typing import Any

import openpyxl
from congress_helpers import COMMUNE, PROVINCE, Person
from httpx import AsyncClient

from backend import db
from backend.features.congress.demo import DEMO_TERM
from backend.lib.clock import FrozenClock, today_in_vietnam

COUNTED = ("expected", "not_reported", "not_started", "in_progress", "done", "done_on_time", "done_late", "overdue")


def classify(row: Any, today: date) -> Counter[str]:
    """What one milestone adds to the totals, decided row by row in Python (not by the roll-up's SQL)."""
    counts = Counter({"expected": 1, row["status"]: 1})
    if row["status"] == "done":
        counts["done_on_time" if row["done_on"] <= row["due_on"] else "done_late"] += 1
    elif row["due_on"] < today:
        counts["overdue"] += 1
    return counts


async def direct_counts(unit_path: str, today: date, level: str | None = None) -> dict[str, Any]:
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT congress, unit_path, stage, status, done_on, due_on, level FROM congress_milestones"
            " WHERE term = $1 AND organisation = 'front'",
            DEMO_TERM,
        )
    below = [r for r in rows if r["unit_path"].startswith(unit_path + "/") and level in (None, r["level"])]
    by_stage: dict[str, Counter[str]] = {}
    by_child: dict[str, Counter[str]] = {}
    depth = unit_path.count("/") + 1
    for row in below:
        counts = classify(row, today)
        by_stage.setdefault(row["stage"], Counter()).update(counts)
        by_child.setdefault(row["unit_path"].split("/")[depth], Counter()).update(counts)
    late = {r["congress"] for r in below if r["status"] != "done" and r["due_on"] < today}
    return {
        "units": len({r["congress"] for r in below}),
        "stages": by_stage,
        "children": by_child,
        "late_units_total": len(late),
    }


async def dashboard(http: AsyncClient, who: Person, **params: str) -> dict[str, Any]:
    response = await http.get("/api/v1/congress-dashboard", params=params, headers=who.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def assert_matches(shown: dict[str, Any], expected: dict[str, Any]) -> None:
    assert shown["units"] == expected["units"]
    assert shown["late_units_total"] == expected["late_units_total"]
    assert {s["stage"]: {k: s[k] for k in COUNTED} for s in shown["stages"]} == {
        stage: {k: counts[k] for k in COUNTED} for stage, counts in expected["stages"].items()
    }
    assert {
        c["unit_code"]: (c["milestones"], c["done"], c["not_reported"], c["overdue"]) for c in shown["children"]
    } == {
        child: (c["expected"], c["done"], c["not_reported"], c["overdue"]) for child, c in expected["children"].items()
    }


async def test_rollups_equal_a_direct_count_at_every_level(
    client: AsyncClient, people: dict[str, Person], demo: None, clock: FrozenClock
) -> None:
    today = today_in_vietnam(clock)
    national = await dashboard(client, people["central"])
    assert national["term"] == DEMO_TERM and national["units"] == 34 + 3321
    assert len(national["stages"]) == 10 and len(national["children"]) == 34
    assert_matches(national, await direct_counts("TW", today))
    # A realistic spread: some on time, some late, some silent, so every figure is exercised.
    totals = Counter({k: sum(s[k] for s in national["stages"]) for k in COUNTED})
    assert all(totals[k] > 0 for k in ("not_reported", "in_progress", "done_on_time", "done_late", "overdue"))
    assert 0 < national["on_time_share"] < 1
    assert national["late_units"][0]["days_late"] >= national["late_units"][-1]["days_late"]

    for level in ("province", "commune"):
        assert_matches(await dashboard(client, people["central"], level=level), await direct_counts("TW", today, level))
    async with db.connection() as conn:
        provinces = await conn.fetch("SELECT code, path FROM units WHERE level = 'province' ORDER BY code")
    for province in provinces:
        shown = await dashboard(client, people["central"], unit=province["code"])
        assert_matches(shown, await direct_counts(province["path"], today))
    commune = await dashboard(client, people["commune"], unit=COMMUNE)
    assert (commune["units"], commune["stages"], commune["on_time_share"]) == (0, [], None)


async def test_rollups_follow_changes_and_stay_in_scope(
    client: AsyncClient, people: dict[str, Person], demo: None, clock: FrozenClock
) -> None:
    today = today_in_vietnam(clock)
    before = await dashboard(client, people["province"], unit=PROVINCE)
    async with db.connection() as conn:
        # A milestone nobody reported on, in a commune of the province (none depending on it can be done).
        target = await conn.fetchrow(
            "SELECT congress, stage, version FROM congress_milestones WHERE term = $1 AND level = 'commune'"
            " AND unit_path LIKE 'TW/01/%' AND status = 'not_reported' ORDER BY unit_path, position LIMIT 1",
            DEMO_TERM,
        )
    response = await client.put(
        f"/api/v1/congresses/{target['congress']}/milestones/{target['stage']}",
        json={"version": target["version"], "status": "in_progress"},
        headers=people["province"].headers,
    )
    assert response.status_code == 200, response.text
    after = await dashboard(client, people["province"], unit=PROVINCE)
    assert after != before
    assert_matches(after, await direct_counts("TW/" + PROVINCE, today))
    for who in ("commune", "other_province"):
        refused = await client.get("/api/v1/congress-dashboard", params={"unit": PROVINCE}, headers=people[who].headers)
        assert refused.status_code == 404


async def test_xlsx_export(client: AsyncClient, people: dict[str, Person], demo: None) -> None:
    shown = await dashboard(client, people["province"], unit=PROVINCE)
    response = await client.get(
        "/api/v1/congress-dashboard/export", params={"unit": PROVINCE}, headers=people["province"].headers
    )
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    stages, children, late = workbook.worksheets
    rows = list(stages.iter_rows(values_only=True))
    assert rows[1][0] == "Mốc" and rows[2][0] == "Kế hoạch, chỉ thị"
    assert [row[1] for row in rows[2:]] == [s["expected"] for s in shown["stages"]]
    assert children.max_row == 1 + len(shown["children"])
    assert late.max_row == 1 + len(shown["late_units"])
