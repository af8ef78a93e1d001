"""Importing households from CSV/XLSX (dry run, load, idempotence, scope, broken rows) and exporting
what the caller may see (scoped, masked unless allowed, audited)."""

from __future__ import annotations

import csv
import io
from dataclasses import astuple
from datetime import date
from typing import Any

import asyncpg
import openpyxl
import pytest
from httpx import AsyncClient
from registry_helpers import Person, add_household, add_resident, residents_out_of_listing_order

from backend import db
from backend.features.audit.service import first_broken_entry
from backend.features.registry.imports import (
    Analysis,
    Area,
    RowContext,
    analyse,
    check_duplicates,
    checked_file,
    restore_checked,
)
from backend.features.registry.repo import SEARCH_WORD_INDEXES
from backend.lib.access import Principal, Role, ScopedRole

pytestmark = pytest.mark.integration

HEADER = ["STT", "Khu dân cư", "Mã hộ", "Số nhà", "Đường phố", "Quan hệ với chủ hộ", "Họ và tên", "Giới tính",
          "Ngày sinh", "Số điện thoại", "Dân tộc", "Tôn giáo", "Số CCCD"]  # fmt: skip


def rows_for(area: str) -> list[list[Any]]:
    return [
        [1, area, "H1", "12", "Phố Hàng Bài", "Chủ hộ", "Nguyễn Văn An", "Nam", "25/12/1980", "0912345678", "Kinh",
         "", "001080012345"],
        [2, area, "H1", "12", "Phố Hàng Bài", "Vợ", "Trần Thị Bình", "Nữ", "1982", "", "Kinh", "", ""],
        [3, area, "H1", "12", "Phố Hàng Bài", "Con", "Nguyễn Văn Cường", "Nam", "2010-03-04", "", "", "", ""],
        [4, area, "H2", "14", "Phố Hàng Bài", "Chủ hộ", "Lê Thị Dung", "Nữ", "1950", "0987 654 321", "", "Phật giáo",
         ""],
    ]  # fmt: skip


def to_csv(rows: list[list[Any]], header: list[str] = HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(rows: list[list[Any]], header: list[str] = HEADER) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["DANH SÁCH HỘ GIA ĐÌNH"])  # a title above the header, as communes do
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


async def upload(
    client: AsyncClient, who: Person, content: bytes, name: str = "ho.csv", unit: str | None = None
) -> Any:
    return await client.post(
        "/api/v1/registry/imports",
        data={"unit_code": unit or who.area or ""},
        files={"file": (name, content)},
        headers=who.headers,
    )


async def counts(database: str) -> tuple[int, int]:
    conn = await asyncpg.connect(database)
    try:
        households = int(await conn.fetchval("SELECT count(*) FROM households"))
        residents = int(await conn.fetchval("SELECT count(*) FROM residents"))
        return households, residents
    finally:
        await conn.close()


async def test_dry_run_reports_broken_rows_and_writes_nothing(
    client: AsyncClient, people: dict[str, Person], database: str
) -> None:
    area = people["cadre_a"].area or ""
    rows = rows_for(area)
    rows[1][8] = "31/02/1982"  # no such date
    rows[2][12] = "12345"  # ID number of the wrong shape
    rows[3][7] = "Không rõ"  # unknown gender
    rows.append([5, area, "H3", "1", "Ngõ 2", "Chủ hộ", "", "Nam", "2030", "", "", "", ""])  # no name, future year
    rows.append([6, "00070-999", "H4", "1", "Ngõ 3", "Chủ hộ", "Phạm Văn E", "Nam", "", "", "", "", ""])
    response = await upload(client, people["officer"], to_csv(rows), unit="00070")
    assert response.status_code == 201, response.text
    job = response.json()
    assert job["status"] == "invalid"
    found = {(p["line"], p["column"]) for p in job["problems"]}
    assert {(3, "Ngày sinh"), (4, "Số CCCD"), (5, "Giới tính"), (6, "Họ và tên"), (6, "Ngày sinh")} <= found
    assert (7, "Khu dân cư") in found
    by_line = {p["line"]: p["message"] for p in job["problems"]}
    assert "12 chữ số" in by_line[4]  # Vietnamese by default
    assert job["rows_total"] == 6 and job["rows_invalid"] == 5
    assert await counts(database) == (0, 0)
    english = await client.get(
        f"/api/v1/registry/imports/{job['id']}", headers={**people["officer"].headers, "Accept-Language": "en"}
    )
    assert any("12 digits" in p["message"] for p in english.json()["problems"])
    refused = await client.post(f"/api/v1/registry/imports/{job['id']}/confirm", headers=people["officer"].headers)
    assert refused.status_code == 409
    assert await counts(database) == (0, 0)


async def test_xlsx_with_broken_rows_and_a_broken_file(client: AsyncClient, people: dict[str, Person]) -> None:
    area = people["cadre_a"].area or ""
    rows = rows_for(area)
    rows[0][12] = 1080012345  # a number cell: the leading zeros are put back (001080012345)
    rows[1][9] = "abc"  # not a phone number
    rows[2][5] = "Chủ hộ"  # a second head in H1
    response = await upload(client, people["cadre_a"], to_xlsx(rows), name="ho.xlsx")
    job = response.json()
    assert job["status"] == "invalid" and job["file_format"] == "xlsx"
    assert {(p["line"], p["column"]) for p in job["problems"]} == {(4, "Số điện thoại"), (5, "Quan hệ với chủ hộ")}
    broken = await upload(client, people["cadre_a"], b"PK\x03\x04 not really a workbook", name="ho.xlsx")
    assert broken.status_code == 400
    assert broken.json()["type"] == "urn:mattran:problem:validation-error"
    unknown = await upload(client, people["cadre_a"], to_csv(rows_for(area), [*HEADER[:-1], "Ghi chú lạ"]))
    assert any(p["column"] == "Ghi chú lạ" and p["line"] == 1 for p in unknown.json()["problems"])


async def test_valid_file_loads_all_rows_and_reimport_does_not_duplicate(
    client: AsyncClient, people: dict[str, Person], database: str, connected: str
) -> None:
    area = people["cadre_a"].area or ""
    content = to_xlsx(rows_for(area))
    job = (await upload(client, people["cadre_a"], content, name="ho.xlsx")).json()
    assert job["status"] == "validated", job["problems"]
    assert (job["households_new"], job["residents_new"]) == (2, 4)
    assert await counts(database) == (0, 0)
    loaded = await client.post(f"/api/v1/registry/imports/{job['id']}/confirm", headers=people["cadre_a"].headers)
    assert loaded.status_code == 200, loaded.text
    assert loaded.json()["status"] == "loaded" and loaded.json()["rows_done"] == 4
    assert await counts(database) == (2, 4)
    assert await pending_search_pages() == 0  # merged after the load, not left for every search to read
    again = await client.post(f"/api/v1/registry/imports/{job['id']}/confirm", headers=people["cadre_a"].headers)
    assert again.status_code == 200 and again.json()["status"] == "loaded"
    # The same file uploaded again: everyone is found by natural keys, nothing new.
    second = (await upload(client, people["cadre_a"], content, name="ho.xlsx")).json()
    assert (second["households_new"], second["residents_new"], second["residents_existing"]) == (0, 0, 4)
    await client.post(f"/api/v1/registry/imports/{second['id']}/confirm", headers=people["cadre_a"].headers)
    # A longer version of it (one more person in H2, as CSV this time) adds only them.
    extra = [5, area, "H2", "14", "Phố Hàng Bài", "Con", "Lê Văn Em", "Nam", "1985", "", "", "", ""]
    longer = [*rows_for(area), extra]
    third = (await upload(client, people["cadre_a"], to_csv(longer))).json()
    assert (third["households_new"], third["residents_new"], third["residents_existing"]) == (0, 1, 4)
    await client.post(f"/api/v1/registry/imports/{third['id']}/confirm", headers=people["cadre_a"].headers)
    assert await counts(database) == (2, 5)
    async with db.connection() as conn:
        heads = await conn.fetch(
            "SELECT h.house_number, r.full_name, r.id_number, r.id_number_hash IS NOT NULL AS hashed, r.name_folded,"
            " r.phone_digits, h.sync_xid IS NOT NULL AS stamped FROM households h"
            " JOIN residents r ON r.id = h.head_resident_id ORDER BY h.house_number"
        )
        entries = await conn.fetch("SELECT details::text FROM audit_log WHERE action = 'registry.imported'")
    assert [(h["house_number"], h["full_name"]) for h in heads] == [("12", "Nguyễn Văn An"), ("14", "Lê Thị Dung")]
    assert heads[0]["id_number"] == "001080012345" and heads[0]["hashed"] and heads[0]["stamped"]
    assert heads[0]["name_folded"] == "nguyen van an" and heads[1]["phone_digits"] == "0987654321"
    assert len(entries) == 3 and '"residents_new": 4' in entries[0]["details"]
    assert await first_broken_entry() is None
    found = await client.get("/api/v1/residents", params={"q": "nguyen van an"}, headers=people["cadre_a"].headers)
    assert [item["full_name"] for item in found.json()["items"]] == ["Nguyễn Văn An"]
    assert await residents_out_of_listing_order() == 0  # the load sent each household's address_sort


async def pending_search_pages() -> int:
    """Pages of new entries the search indexes still hold in their pending lists (merging them to count)."""
    async with db.connection() as conn:
        return int(
            await conn.fetchval(
                "SELECT sum(gin_clean_pending_list(name::regclass)) FROM unnest($1::text[]) AS name",
                list(SEARCH_WORD_INDEXES),
            )
        )


def _snapshot(result: Analysis | None) -> Any:
    assert result is not None
    households = [(key, astuple(household)) for key, household in result.households.items()]
    return result.rows_total, result.headers, households, [astuple(resident) for resident in result.residents]


def test_the_dry_runs_check_is_restored_only_in_its_own_context() -> None:
    commune = Area("00070", "TW/01/00070", "Phường Hoàn Kiếm")
    areas = [Area("00070-001", "TW/01/00070/00070-001", "Tổ dân phố số 1"),
             Area("00070-002", "TW/01/00070/00070-002", "Tổ dân phố số 2")]  # fmt: skip
    officer = Principal(account_id=None, client_id="test", roles=(ScopedRole(Role.commune_officer, *commune[:2]),))
    rows = rows_for("00070-001")
    # households without a code (grouped by address), a year-only birth, a phone without its 0, by area name
    rows.append([5, "Tổ dân phố số 2", "", "7", "Ngõ Huế", "Chủ hộ", "Phạm Văn Giang", "Nam", "1944", "912345678",
                 "Tày", "", ""])  # fmt: skip
    rows.append([6, "00070-002", "", "7", "Ngõ Huế", "Con", "Phạm Thị Hoa", "Nữ", "02/09/1975", "", "", "", ""])
    content = to_csv(rows)
    context = RowContext(commune, areas, officer, date(2026, 3, 2), "pepper")
    result = analyse("csv", content, context)
    check_duplicates(result)
    assert not result.problems and len(result.households) == 3 and len(result.residents) == 6
    stored = checked_file(result, context)
    assert _snapshot(restore_checked(stored, RowContext(commune, areas, officer, date(2026, 3, 2), "pepper"))) == (
        _snapshot(result)
    )
    # Anything the analysis depends on besides the file changed: not restored (the file is checked again).
    renamed = [areas[0], areas[1]._replace(name="Tổ dân phố số 9")]
    cadre = Principal(account_id=None, client_id="test", roles=(ScopedRole(Role.area_cadre, *areas[0][:2]),))
    for other in (
        RowContext(commune, areas, officer, date(2026, 3, 3), "pepper"),
        RowContext(commune, areas, officer, date(2026, 3, 2), "another pepper"),
        RowContext(commune, renamed, officer, date(2026, 3, 2), "pepper"),
        RowContext(commune, areas[:1], officer, date(2026, 3, 2), "pepper"),
        RowContext(commune, areas, cadre, date(2026, 3, 2), "pepper"),
    ):
        assert restore_checked(stored, other) is None
    assert restore_checked(b"\x93not a checked file", context) is None


async def test_confirm_checks_again_when_the_areas_changed_since_the_dry_run(
    client: AsyncClient, people: dict[str, Person], database: str, connected: str
) -> None:
    officer, area = people["officer"], people["cadre_a"].area or ""
    first = (await upload(client, officer, to_csv(rows_for(area)[:3]), unit="00070")).json()
    assert first["status"] == "validated", first["problems"]
    # Renamed after the dry run: the addresses loaded carry the new name (the kept check is not used).
    renamed = await client.patch(f"/api/v1/units/{area}", json={"name": "Tổ dân phố Hàng Bài"},
                                 headers=officer.headers)  # fmt: skip
    assert renamed.status_code == 200, renamed.text
    loaded = await client.post(f"/api/v1/registry/imports/{first['id']}/confirm", headers=officer.headers)
    assert loaded.json()["status"] == "loaded", loaded.text
    async with db.connection() as conn:
        addresses = await conn.fetch("SELECT address_folded FROM households")
        kept = await conn.fetchval("SELECT count(*) FROM registry_imports WHERE checked IS NOT NULL")
    assert [row["address_folded"] for row in addresses] == ["12 pho hang bai to dan pho hang bai"]
    assert kept == 0  # cleared with the file once loaded
    # Retired after the dry run: the rows name an area that no longer takes imports, 409 and nothing written.
    second = (await upload(client, officer, to_csv(rows_for(area)[3:]), unit="00070")).json()
    assert second["status"] == "validated", second["problems"]
    async with db.connection() as conn:
        await conn.execute("UPDATE units SET valid_to = valid_from + 1 WHERE code = $1", area)
    refused = await client.post(f"/api/v1/registry/imports/{second['id']}/confirm", headers=officer.headers)
    assert refused.status_code == 409
    job = (await client.get(f"/api/v1/registry/imports/{second['id']}", headers=officer.headers)).json()
    assert job["status"] == "invalid" and {p["column"] for p in job["problems"]} == {"Khu dân cư"}
    assert await counts(database) == (1, 3)


async def test_out_of_scope_area_is_rejected(client: AsyncClient, people: dict[str, Person], database: str) -> None:
    other_area = people["cadre_b"].area or ""
    response = await upload(client, people["cadre_a"], to_csv(rows_for(other_area)))
    job = response.json()
    assert job["status"] == "invalid"
    assert {p["column"] for p in job["problems"]} == {"Khu dân cư"} and job["rows_invalid"] == 4
    # The unit itself outside the caller's scope: 404, like everything else outside it.
    outside = await upload(client, people["cadre_a"], to_csv(rows_for(other_area)), unit=other_area)
    assert outside.status_code == 404
    # Another cadre cannot see or confirm the job either.
    hidden = await client.get(f"/api/v1/registry/imports/{job['id']}", headers=people["cadre_b"].headers)
    assert hidden.status_code == 404
    # A province officer may write but not sensitive fields: the CCCD, ethnicity and religion cells are refused.
    province = await upload(client, people["province"], to_csv(rows_for(people["cadre_a"].area or "")), unit="01")
    assert {p["column"] for p in province.json()["problems"]} == {"Dân tộc", "Tôn giáo", "Số CCCD"}
    assert await counts(database) == (0, 0)


async def test_template_and_size_limit(client: AsyncClient, people: dict[str, Person]) -> None:
    template = await client.get("/api/v1/registry/imports/template?format=csv", headers=people["officer"].headers)
    assert template.status_code == 200
    assert template.content.decode("utf-8-sig").splitlines()[0].startswith("Khu dân cư,Mã hộ,Số nhà")
    xlsx = await client.get("/api/v1/registry/imports/template", headers=people["officer"].headers)
    assert xlsx.content[:2] == b"PK"
    too_big = await upload(client, people["officer"], b"x" * (8 * 1024 * 1024 + 1), unit="00070")
    assert too_big.status_code == 413


def _sheet(content: bytes) -> list[list[Any]]:
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


async def test_export_is_scoped_masked_and_audited(
    client: AsyncClient, people: dict[str, Person], connected: str
) -> None:
    in_a = await add_household(client, people["cadre_a"], house_number="3")
    in_b = await add_household(client, people["cadre_b"], house_number="4")
    await add_resident(client, people["cadre_a"], in_a["id"], "Hoàng Văn Ánh", id_number="001099000111")
    await add_resident(client, people["cadre_b"], in_b["id"], "Đỗ Thị Bảo", religion="Công giáo")
    cadre = await client.get("/api/v1/registry/exports/residents?format=csv", headers=people["cadre_a"].headers)
    assert cadre.status_code == 200
    lines = list(csv.reader(io.StringIO(cadre.content.decode("utf-8-sig"))))
    assert lines[0][:2] == ["Khu dân cư", "Mã hộ"]
    assert [line[5] for line in lines[1:]] == ["Hoàng Văn Ánh"]
    assert lines[1][-1] == "********0111"  # masked by default
    unmasked = await client.get(
        "/api/v1/registry/exports/residents", params={"sensitive": "true"}, headers=people["cadre_a"].headers
    )
    sheet = _sheet(unmasked.content)
    assert sheet[1][-1] == "001099000111"
    officer = _sheet(
        (await client.get("/api/v1/registry/exports/residents", headers=people["officer"].headers)).content
    )
    assert sorted(row[5] for row in officer[1:]) == ["Hoàng Văn Ánh", "Đỗ Thị Bảo"]
    assert all(row[10] is None for row in officer[1:])  # religion masked
    province = await client.get(
        "/api/v1/registry/exports/residents", params={"sensitive": "true"}, headers=people["province"].headers
    )
    assert all(row[10] is None for row in _sheet(province.content)[1:])  # no read_sensitive: still masked
    neighbour = _sheet(
        (await client.get("/api/v1/registry/exports/residents", headers=people["neighbour"].headers)).content
    )
    assert len(neighbour) == 1  # only the header
    async with db.connection() as conn:
        actions = [r["action"] for r in await conn.fetch("SELECT action FROM audit_log WHERE subject_type = 'export'")]
    assert actions.count("registry.exported_sensitive") == 1 and actions.count("registry.exported") == 4
    assert await first_broken_entry() is None
    # The export re-imports without duplicating anyone (household code = the household's id).
    reimport = (await upload(client, people["cadre_a"], unmasked.content, name="dan-cu.xlsx")).json()
    assert reimport["status"] == "validated", reimport["problems"]
    assert (reimport["households_new"], reimport["residents_new"]) == (0, 0)
