"""The public side and the figures: published answers searchable without diacritics and free of personal
data; statistics by category and by unit, rolled up the tree, exported as CSV and XLSX."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
from httpx import AsyncClient
from petition_helpers import COMMUNE, NEXT_COMMUNE, PROVINCE, Person, act, file_petition, png, upload

from backend import db
from backend.lib.clock import FrozenClock

pytestmark = pytest.mark.integration


async def publish(client: AsyncClient, officer: Person, pid: str, category: str = "ha_tang") -> None:
    assert (await act(client, officer, pid, "classify", category_code=category)).status_code == 200
    assert (await act(client, officer, pid, "assign", assignee=str(officer.account_id))).status_code == 200
    evidence = (await upload(client, officer, pid, png())).json()
    answer = await act(client, officer, pid, "answer", answer="Đã xử lý xong.", evidence=[evidence["id"]])
    assert answer.status_code == 200, answer.text
    assert (await act(client, officer, pid, "publish")).status_code == 200


async def test_published_answers_are_searchable_without_diacritics(
    client: AsyncClient, people: dict[str, Person]
) -> None:
    officer = people["officer"]
    lamp = await file_petition(
        client, COMMUNE, title="Đèn đường hỏng", contact_name="Nguyễn Thị Lan", contact_phone="0987654321"
    )
    await publish(client, officer, lamp["id"])
    secret = await file_petition(client, COMMUNE, title="Đèn đường và tố cáo", denunciation=True)
    await publish(client, officer, secret["id"], "ha_tang")
    await file_petition(client, COMMUNE, title="Đèn đường chưa trả lời")

    found = await client.get("/api/v1/petitions/published", params={"q": "den duong"})

    assert found.status_code == 200
    assert [item["id"] for item in found.json()["items"]] == [lamp["id"]]
    assert "Nguyễn Thị Lan" not in found.text and "0987654321" not in found.text
    assert found.json()["items"][0]["answer"] == "Đã xử lý xong."
    assert (await client.get("/api/v1/petitions/published", params={"q": "cau cong"})).json()["items"] == []


async def test_figures_roll_up_and_export(client: AsyncClient, people: dict[str, Person], clock: FrozenClock) -> None:
    officer, area = people["officer"], people["cadre"].area
    assert area is not None
    on_time = await file_petition(client, area)
    await publish(client, officer, on_time["id"])
    late = await file_petition(client, COMMUNE, title="Rác thải")
    await act(client, officer, late["id"], "classify", category_code="moi_truong")
    await file_petition(client, area, title="Tiếng ồn")
    async with db.connection() as conn:  # the second one's answer deadline passed a week ago
        await conn.execute(
            "UPDATE petitions SET due_at = $2 WHERE id = $1", late["id"], clock.now() - timedelta(days=7)
        )

    response = await client.get(
        "/api/v1/petitions/stats",
        params={"unit": COMMUNE, "since": "2026-03-01", "until": "2026-03-31"},
        headers=officer.headers,
    )

    assert response.status_code == 200, response.text
    stats = response.json()
    total = stats["total"]
    assert (total["received"], total["answered_on_time"], total["answered_late"]) == (3, 1, 0)
    assert (total["open_overdue"], total["open"]) == (1, 2)
    by_unit = {row["key"]: row["received"] for row in stats["by_unit"]}
    assert by_unit[area] == 2  # the area's two, rolled up; the commune-level one is only in the total
    by_category = {row["key"]: row["received"] for row in stats["by_category"]}
    assert by_category == {"ha_tang": 1, "moi_truong": 1, "": 1}
    province = await client.get(
        "/api/v1/petitions/stats",
        params={"unit": PROVINCE, "since": "2026-03-01", "until": "2026-03-31"},
        headers=people["province"].headers,
    )
    assert province.status_code == 200, province.text
    by_commune = {row["key"]: row["received"] for row in province.json()["by_unit"]}
    assert by_commune[COMMUNE] == 3  # the commune's own and its area's, two levels down
    assert by_commune[NEXT_COMMUNE] == 0 and province.json()["total"]["received"] == 3

    params = {"unit": COMMUNE, "since": "2026-03-01", "until": "2026-03-31"}
    as_csv = await client.get(
        "/api/v1/petitions/stats/export", params=params | {"format": "csv"}, headers=officer.headers
    )
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Nhóm", "Mã", "Tên", "Tiếp nhận"]
    assert rows[1][0:2] == ["Tổng", COMMUNE] and rows[1][3] == "3"
    as_xlsx = await client.get("/api/v1/petitions/stats/export", params=params, headers=officer.headers)
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx.content)).active
    assert sheet is not None and sheet.cell(2, 4).value == 3
    outside = await client.get("/api/v1/petitions/stats", params=params, headers=people["neighbour"].headers)
    assert outside.status_code == 404
