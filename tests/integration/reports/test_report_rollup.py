"""The roll-up: the sums at every level equal a direct count of the standing submissions below, units that
did not report are counted apart from units that reported zero, and the XLSX export carries the same."""

from __future__ import annotations

import io
from typing import Any

import asyncpg
import openpyxl
import pytest
from httpx import AsyncClient
from reports_helpers import COMMUNE, LAST_WEEK, NEXT_COMMUNE, PROVINCE, Person, report_url, submitted

pytestmark = pytest.mark.integration

FIGURES = ("members", "cadres", "households_visited", "activities", "petitions")


async def direct_totals(database: str, unit: str) -> dict[str, dict[str, int]]:
    """Per level below unit, straight from the tables: current units, standing submissions, their sums."""
    conn = await asyncpg.connect(database)
    try:
        path = await conn.fetchval("SELECT path FROM units WHERE code = $1", unit)
        units = await conn.fetch(
            "SELECT level, count(*) AS n FROM units WHERE path LIKE $1 AND valid_to IS NULL GROUP BY level",
            path + "/%",
        )
        sums = await conn.fetch(
            "SELECT u.level, count(*) AS reported, sum(members) AS members, sum(cadres) AS cadres,"
            " sum(households_visited) AS households_visited, sum(activities) AS activities,"
            " coalesce(sum(petitions), 0) AS petitions FROM unit_reports r JOIN units u ON u.code = r.unit_code"
            " WHERE r.status = 'submitted' AND r.week_start = '2026-02-23' AND r.unit_path LIKE $1 GROUP BY u.level",
            path + "/%",
        )
    finally:
        await conn.close()
    totals = {row["level"]: {"units": row["n"], "reported": 0, **dict.fromkeys(FIGURES, 0)} for row in units}
    for row in sums:
        totals[row["level"]].update({name: row[name] for name in ("reported", *FIGURES)})
    return totals


@pytest.fixture
async def week_reported(client: AsyncClient, people: dict[str, Person]) -> None:
    """Area 1 reports figures, area 2 reports zeros, area 3 nothing; commune 00070 reports its own work;
    in commune 00073 the area reports, then corrects itself (only the correction counts)."""
    notes = {"difficulties": "Thiếu kinh phí", "recommendations": "Hỗ trợ hộ nghèo"}
    await submitted(client, people["cadre_a"], LAST_WEEK, members=40, cadres=3, activities=2, petitions=4,
                    households_visited=12, **notes)  # fmt: skip
    await submitted(client, people["cadre_b"], LAST_WEEK, members=0, cadres=0, activities=0, households_visited=0)
    await submitted(client, people["officer"], LAST_WEEK, members=900, cadres=25, activities=6, households_visited=0)
    first = await submitted(client, people["cadre_next"], LAST_WEEK, members=10, petitions=1, households_visited=1)
    url, headers = report_url(people["cadre_next"].unit, LAST_WEEK), people["cadre_next"].headers
    opened = await client.post(
        f"{url}/corrections", json={"version": first["version"], "reason": "Sai"}, headers=headers
    )
    changed = await client.put(url, json={"version": opened.json()["version"], "members": 11, "petitions": 2,
                                          "households_visited": 1}, headers=headers)  # fmt: skip
    done = await client.post(f"{url}/submit", json={"version": changed.json()["version"]}, headers=headers)
    assert done.status_code == 200, done.text


def levels_of(rollup: dict[str, Any]) -> dict[str, dict[str, int]]:
    return {
        level["level"]: {name: level[name] for name in ("units", "reported", *FIGURES)} for level in rollup["levels"]
    }


@pytest.mark.usefixtures("week_reported")
async def test_totals_equal_a_direct_count_at_every_level(
    client: AsyncClient, people: dict[str, Person], database: str
) -> None:
    for unit, who in ((COMMUNE, "officer"), (NEXT_COMMUNE, "next_officer"), (PROVINCE, "province")):
        response = await client.get(report_url(unit, LAST_WEEK, "/rollup"), headers=people[who].headers)
        assert response.status_code == 200, response.text
        rollup = response.json()
        assert levels_of(rollup) == await direct_totals(database, unit), unit
        for level in rollup["levels"]:
            assert level["not_reported"] == level["units"] - level["reported"]
    province = levels_of(
        (await client.get(report_url(PROVINCE, LAST_WEEK, "/rollup"), headers=people["province"].headers)).json()
    )
    # Checked by hand too: the corrected figures of 00073's area, not the first ones.
    assert province["residential_area"] == {
        "units": 4, "reported": 3, "members": 51, "cadres": 3, "households_visited": 13, "activities": 2,
        "petitions": 6,
    }  # fmt: skip
    assert (province["commune"]["reported"], province["commune"]["members"]) == (1, 900)


@pytest.mark.usefixtures("week_reported")
async def test_not_reported_is_not_zero(client: AsyncClient, people: dict[str, Person]) -> None:
    rollup = (await client.get(report_url(COMMUNE, LAST_WEEK, "/rollup"), headers=people["officer"].headers)).json()
    areas = next(level for level in rollup["levels"] if level["level"] == "residential_area")
    # Area 2 reported zeros, area 3 nothing: 2 reported, 1 not; petitions known from area 1 only.
    assert (areas["units"], areas["reported"], areas["not_reported"]) == (3, 2, 1)
    assert (areas["petitions"], areas["petitions_reported_by"]) == (4, 1)
    assert [unit["code"] for unit in rollup["not_reported"]] == [people["area_c"].unit]
    assert rollup["notes"] == [
        {
            "unit_code": people["cadre_a"].unit,
            "unit_name": "Tổ dân phố số 1",
            "level": "residential_area",
            "difficulties": "Thiếu kinh phí",
            "recommendations": "Hỗ trợ hộ nghèo",
        }
    ]
    assert rollup["notes_total"] == 1


@pytest.mark.usefixtures("week_reported")
async def test_xlsx_export_carries_the_roll_up(client: AsyncClient, people: dict[str, Person]) -> None:
    response = await client.get(report_url(COMMUNE, LAST_WEEK, "/rollup.xlsx"), headers=people["officer"].headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[cell for cell in row if cell is not None] for row in sheet.iter_rows(values_only=True)]
    assert rows[2][:4] == ["Cấp", "Số đơn vị", "Đã báo cáo", "Chưa báo cáo"]
    assert rows[3][:5] == ["Khu dân cư", 3, 2, 1, 0]
    assert rows[3][5] == 40  # members
    assert [people["area_c"].unit, "Tổ dân phố số 3", "Khu dân cư"] in rows
    assert [f"Tổ dân phố số 1 ({people['cadre_a'].unit})", "Thiếu kinh phí", "Hỗ trợ hộ nghèo"] in rows
