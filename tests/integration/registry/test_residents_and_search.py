"""Residents: search as a cadre types it (diacritics ignored, word prefixes, ranked, scoped), masking of
sensitive fields with an audited read, bad input, duplicate candidates, visits and consents."""

from __future__ import annotations

import uuid

import asyncpg
import pytest
from httpx import AsyncClient
from registry_helpers import Person, add_household, add_resident, residents_out_of_listing_order

from backend import db
from backend.features.audit.service import first_broken_entry

pytestmark = pytest.mark.integration

NAMES = ["Nguyễn Văn An", "Nguyễn Văn Anh", "Trần Thị", "Trần Thị Bích", "Lê Thị Trang", "Đặng Văn Lâm"]


@pytest.fixture
async def village(client: AsyncClient, people: dict[str, Person]) -> dict[str, str]:
    household = await add_household(client, people["cadre_a"], house_number="12", street="Phố Hàng Bài")
    ids = {name: (await add_resident(client, people["cadre_a"], household["id"], name))["id"] for name in NAMES}
    return ids | {"household": household["id"]}


async def search(client: AsyncClient, who: Person, q: str, path: str = "residents") -> list[str]:
    response = await client.get(f"/api/v1/{path}", params={"q": q}, headers=who.headers)
    assert response.status_code == 200, response.text
    key = "full_name" if path == "residents" else "id"
    return [item[key] for item in response.json()["items"]]


async def test_search_ignores_diacritics_and_ranks_exact_first(
    client: AsyncClient, people: dict[str, Person], village: dict[str, str]
) -> None:
    cadre = people["cadre_a"]
    assert (await search(client, cadre, "nguyen van an"))[0] == "Nguyễn Văn An"
    assert await search(client, cadre, "nguyen van an") == ["Nguyễn Văn An", "Nguyễn Văn Anh"]
    assert await search(client, cadre, "dang") == ["Đặng Văn Lâm"]
    # exact, then starting with the query, then the words anywhere
    assert await search(client, cadre, "tran thi") == ["Trần Thị", "Trần Thị Bích", "Lê Thị Trang"]
    assert await search(client, cadre, "TRẦN thị b") == ["Trần Thị Bích"]
    assert await search(client, cadre, "to 5 hang bai", "households") == [village["household"]]
    assert await search(client, cadre, "nguyen van", "households") == [village["household"]]
    for outsider in ("cadre_b", "neighbour", "citizen"):
        assert await search(client, people[outsider], "nguyen") == [], outsider
        assert await search(client, people[outsider], "hang bai", "households") == [], outsider
    assert len(await search(client, people["officer"], "nguyen")) == 2


async def test_search_pages_with_a_cursor(
    client: AsyncClient, people: dict[str, Person], village: dict[str, str]
) -> None:
    seen: list[str] = []
    cursor = None
    while True:
        params = {"q": "thi", "limit": 1} | ({"cursor": cursor} if cursor else {})
        page = (await client.get("/api/v1/residents", params=params, headers=people["cadre_a"].headers)).json()
        seen += [item["full_name"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    # "thi" ends "Trần Thị" (the given-name rank), then the rest by folded name
    assert seen == ["Trần Thị", "Lê Thị Trang", "Trần Thị Bích"]
    bad = await client.get("/api/v1/residents", params={"q": "thi", "cursor": "xyz"}, headers=people["cadre_a"].headers)
    assert bad.status_code == 400


async def test_search_ties_are_in_natural_order_of_house_numbers(
    client: AsyncClient, people: dict[str, Person]
) -> None:
    cadre = people["cadre_a"]
    numbers = ("12/10", "12/3", "2", "12", "12A", "12/3B", "10/2", "")
    by_id = {}
    for number in numbers:
        household = await add_household(client, cadre, house_number=number, street="Phố Huế")
        await add_resident(client, cadre, household["id"], "Phạm Văn Bình", relation_to_head="head")
        by_id[household["id"]] = number
    # The lane after "/" compares as a number too (12/3 before 12/10); a plain number before its variants.
    natural = ["", "2", "10/2", "12", "12A", "12/3", "12/3B", "12/10"]
    for q in ("pham van binh", "pho hue"):  # equal rank: all exact names; all addresses matched by words
        seen: list[str] = []
        cursor = None
        while True:  # three at a time: the keyset cursor follows the same order
            params = {"q": q, "limit": 3} | ({"cursor": cursor} if cursor else {})
            page = (await client.get("/api/v1/households", params=params, headers=cadre.headers)).json()
            seen += [by_id[item["id"]] for item in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == natural, q
    listed = await client.get("/api/v1/households", params={"unit": cadre.area}, headers=cadre.headers)
    assert [item["house_number"] for item in listed.json()["items"]] == natural


async def test_search_ties_follow_a_household_edited_or_a_resident_moved(
    client: AsyncClient, people: dict[str, Person]
) -> None:
    """Residents carry their household's listing order (registry migration 2026-12-03T14:30): it follows
    an edited house number and a resident who moves to another household."""
    cadre = people["cadre_a"]
    households = {n: await add_household(client, cadre, house_number=n, street="Phố Lò Đúc") for n in ("2", "10")}
    members = {n: await add_resident(client, cadre, households[n]["id"], "Vương Văn Khải") for n in households}
    mover = await add_resident(client, cadre, households["10"]["id"], "Vương Thị Khuê")

    async def numbers(q: str) -> list[str]:
        response = await client.get("/api/v1/households", params={"q": q}, headers=cadre.headers)
        assert response.status_code == 200, response.text
        return [item["house_number"] for item in response.json()["items"]]

    assert await numbers("vuong van khai") == ["2", "10"]
    edited = await client.patch(
        f"/api/v1/households/{households['2']['id']}",
        json={"house_number": "20", "version": households["2"]["version"]},
        headers=cadre.headers,
    )
    assert edited.status_code == 200, edited.text
    assert await numbers("vuong van khai") == ["10", "20"]
    assert await numbers("vuong thi khue") == ["10"]
    moved = await client.patch(
        f"/api/v1/residents/{mover['id']}",
        json={"household_id": households["2"]["id"], "version": mover["version"]},
        headers=cadre.headers,
    )
    assert moved.status_code == 200, moved.text
    assert await numbers("vuong thi khue") == ["20"]
    assert await numbers("vuong") == ["10", "20"]
    assert members and await residents_out_of_listing_order() == 0


async def test_search_by_phone_and_id_number(client: AsyncClient, people: dict[str, Person]) -> None:
    household = await add_household(client, people["cadre_a"])
    await add_resident(
        client, people["cadre_a"], household["id"], "Phạm Thu Hà", phone="+84 912 345 678", id_number="001190012345"
    )
    assert await search(client, people["cadre_a"], "0912345678") == ["Phạm Thu Hà"]
    assert await search(client, people["cadre_a"], "0912 345") == ["Phạm Thu Hà"]
    assert await search(client, people["cadre_a"], "001190012345") == ["Phạm Thu Hà"]
    assert await search(client, people["cadre_a"], "001190012346") == []
    assert await search(client, people["cadre_b"], "001190012345") == []
    # A phone prefix within a commune goes through the commune's phones, wider scopes through all phones;
    # the scope holds either way (cadre_b: the other area of the same commune; neighbour: another commune).
    for who, found in (("cadre_a", ["Phạm Thu Hà"]), ("officer", ["Phạm Thu Hà"]), ("province", ["Phạm Thu Hà"]),
                       ("cadre_b", []), ("neighbour", [])):  # fmt: skip
        assert await search(client, people[who], "0912") == found, who
        assert len(await search(client, people[who], "0912", path="households")) == len(found), who


async def audit_rows(database: str, action: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(database)
    try:
        return list(await conn.fetch("SELECT * FROM audit_log WHERE action = $1 ORDER BY id", action))
    finally:
        await conn.close()


SENSITIVE = {"id_number": "001190012345", "ethnicity": "Tày", "religion": "Phật giáo", "health_note": "Tiểu đường"}


async def test_sensitive_fields_masked_and_reads_audited(
    client: AsyncClient, people: dict[str, Person], database: str
) -> None:
    household = await add_household(client, people["cadre_a"])
    created = await add_resident(client, people["cadre_a"], household["id"], "Hoàng Văn Nam", **SENSITIVE)
    written = await audit_rows(database, "resident.sensitive_written")
    assert [row["subject_id"] for row in written] == [created["id"]]
    url = f"/api/v1/residents/{created['id']}"

    masked = (await client.get(url, headers=people["province"].headers)).json()
    assert masked["masked"] is True and masked["id_number"] == "********2345"
    assert masked["religion"] is None and masked["ethnicity"] is None and masked["health_note"] is None
    assert set(masked["masked_fields"]) == set(SENSITIVE)
    listed = (await client.get("/api/v1/residents", headers=people["cadre_a"].headers)).json()["items"]
    assert listed[0]["masked"] is True and listed[0]["religion"] is None

    before = len(await audit_rows(database, "resident.sensitive_read"))
    shown = await client.get(url, headers={**people["cadre_a"].headers, "X-Request-ID": "req-sensitive-1"})
    assert shown.status_code == 200
    assert {k: shown.json()[k] for k in SENSITIVE} == SENSITIVE and shown.json()["masked"] is False
    reads = await audit_rows(database, "resident.sensitive_read")
    assert len(reads) == before + 1
    last = reads[-1]
    assert last["actor"] == str(people["cadre_a"].account_id)
    assert last["subject_id"] == created["id"] and last["unit_path"].endswith(people["cadre_a"].area)
    assert "Tày" not in last["details"] and "religion" in last["details"]
    assert last["request_id"]
    await db.connect(database, min_size=1, max_size=2)
    try:
        assert await first_broken_entry() is None
    finally:
        await db.disconnect()


async def test_sensitive_writes_need_the_right_to_read_them(
    client: AsyncClient, people: dict[str, Person], database: str
) -> None:
    household = await add_household(client, people["cadre_a"])
    body = {
        "id": str(uuid.uuid4()),
        "household_id": household["id"],
        "full_name": "Vũ Thị Mai",
        "religion": "Công giáo",
    }
    refused = await client.post("/api/v1/residents", json=body, headers=people["province"].headers)
    assert refused.status_code == 403
    plain = await client.post("/api/v1/residents", json=body | {"religion": None}, headers=people["province"].headers)
    assert plain.status_code == 201, plain.text


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"id_number": "12345"}, "id_number"),
        ({"id_number": "00119001234a"}, "id_number"),
        ({"birth_date": "2027-01-01"}, "birth_date"),
        ({"birth_year": 2030}, "birth_year"),
        ({"birth_date": "1990-05-01", "birth_year": 1991}, "birth_year"),
        ({"gender": "nam"}, "gender"),
        ({"full_name": 42}, "full_name"),
        ({"nickname": "Tèo"}, "nickname"),
        ({"memberships": [{"organisation": "hoi_bong_da"}]}, "memberships"),
        ({"moved_in_on": "2020-01-01", "moved_out_on": "2019-01-01"}, "moved_out_on"),
    ],
)
async def test_bad_resident_input_writes_nothing(
    client: AsyncClient, people: dict[str, Person], database: str, change: dict, field: str
) -> None:
    household = await add_household(client, people["cadre_a"])
    body = {"id": str(uuid.uuid4()), "household_id": household["id"], "full_name": "Ngô Văn Bảy"} | change
    response = await client.post("/api/v1/residents", json=body, headers=people["cadre_a"].headers)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    # the field is named (an unknown field is named in the message of the body's error)
    assert any(field in error["field"] + error["message"] for error in response.json()["errors"]), response.json()
    conn = await asyncpg.connect(database)
    try:
        assert await conn.fetchval("SELECT count(*) FROM residents") == 0
    finally:
        await conn.close()


async def test_resident_duplicates_and_concurrency(client: AsyncClient, people: dict[str, Person]) -> None:
    household = await add_household(client, people["cadre_a"])
    first = await add_resident(
        client, people["cadre_a"], household["id"], "Nguyễn Thị Hoa", birth_year=1960, phone="0987654321"
    )
    body = {"id": str(uuid.uuid4()), "household_id": household["id"], "full_name": "nguyen thi hoa", "birth_year": 1960}
    check = await client.post("/api/v1/residents/duplicates", json=body, headers=people["cadre_a"].headers)
    assert [(c["id"], c["reasons"]) for c in check.json()["items"]] == [(first["id"], ["name_birth_year_area"])]
    by_phone = body | {"full_name": "Hoa", "birth_year": None, "phone": "0987 654 321"}
    created = await client.post("/api/v1/residents", json=by_phone, headers=people["cadre_a"].headers)
    assert created.status_code == 201
    assert created.json()["duplicates"][0]["reasons"] == ["phone"]
    url = f"/api/v1/residents/{first['id']}"
    moved = await client.patch(url, json={"version": 1, "birth_date": "1960-02-03"}, headers=people["cadre_a"].headers)
    assert moved.status_code == 200 and moved.json()["version"] == 2
    stale = await client.patch(url, json={"version": 1, "full_name": "X"}, headers=people["cadre_a"].headers)
    assert stale.status_code == 409


async def test_visits_and_consents(client: AsyncClient, people: dict[str, Person], database: str) -> None:
    household = await add_household(client, people["cadre_a"])
    resident = await add_resident(client, people["cadre_a"], household["id"], "Bùi Văn Hùng", relation_to_head="head")
    assert (await client.get(f"/api/v1/households/{household['id']}", headers=people["cadre_a"].headers)).json()[
        "head_name"
    ] == "Bùi Văn Hùng"
    visit = {
        "id": str(uuid.uuid4()),
        "household_id": household["id"],
        "visited_on": "2026-03-01",
        "purpose": "Thăm hỏi hộ nghèo",
        "needs": "Sửa mái nhà trước mùa mưa",
    }
    first = await client.post("/api/v1/visits", json=visit, headers=people["cadre_a"].headers)
    again = await client.post("/api/v1/visits", json=visit, headers=people["cadre_a"].headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["cadre_id"] == str(people["cadre_a"].account_id)
    future = await client.post(
        "/api/v1/visits",
        json=visit | {"id": str(uuid.uuid4()), "visited_on": "2026-03-10"},
        headers=people["cadre_a"].headers,
    )
    assert future.status_code == 400
    listed = await client.get(
        "/api/v1/visits", params={"household_id": household["id"]}, headers=people["cadre_a"].headers
    )
    assert [v["id"] for v in listed.json()["items"]] == [visit["id"]]
    hidden = await client.get(
        "/api/v1/visits", params={"household_id": household["id"]}, headers=people["cadre_b"].headers
    )
    assert hidden.status_code == 404

    consent = {
        "id": str(uuid.uuid4()),
        "purpose": "sensitive_data",
        "given_by": "Bùi Văn Hùng",
        "given_at": "2026-03-01T09:00:00+07:00",
        "method": "written",
    }
    url = f"/api/v1/residents/{resident['id']}/consents"
    assert (await client.post(url, json=consent, headers=people["cadre_a"].headers)).status_code == 201
    second = consent | {"id": str(uuid.uuid4())}
    assert (await client.post(url, json=second, headers=people["cadre_a"].headers)).status_code == 409
    withdrawn = await client.post(f"{url}/{consent['id']}/withdraw", headers=people["cadre_a"].headers)
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn_at"] is not None
    assert (await client.post(url, json=second, headers=people["cadre_a"].headers)).status_code == 201
    assert len((await client.get(url, headers=people["cadre_a"].headers)).json()) == 2
    assert (await client.get(url, headers=people["cadre_b"].headers)).status_code == 404
    assert len(await audit_rows(database, "consent.withdrawn")) == 1
