"""Households through the API: scope (404 outside it), idempotent create, optimistic concurrency,
soft deletion, duplicate candidates, bad input."""

from __future__ import annotations

import uuid

import asyncpg
import pytest
from httpx import AsyncClient
from registry_helpers import Person, add_household, add_resident

pytestmark = pytest.mark.integration


async def count(database: str, table: str) -> int:
    conn = await asyncpg.connect(database)
    try:
        return int(await conn.fetchval(f"SELECT count(*) FROM {table}"))
    finally:
        await conn.close()


async def test_scope_by_id_and_by_search(client: AsyncClient, people: dict[str, Person]) -> None:
    in_a = await add_household(client, people["cadre_a"], house_number="12", street="Phố Hàng Bài")
    in_b = await add_household(client, people["cadre_b"], house_number="7", street="Phố Hàng Bài")
    expected = {
        "cadre_a": {in_a["id"]: 200, in_b["id"]: 404},
        "cadre_b": {in_a["id"]: 404, in_b["id"]: 200},
        "officer": {in_a["id"]: 200, in_b["id"]: 200},
        "province": {in_a["id"]: 200, in_b["id"]: 200},
        "neighbour": {in_a["id"]: 404, in_b["id"]: 404},
        "citizen": {in_a["id"]: 404, in_b["id"]: 404},
    }
    for who, targets in expected.items():
        for household_id, status in targets.items():
            response = await client.get(f"/api/v1/households/{household_id}", headers=people[who].headers)
            assert response.status_code == status, (who, household_id, response.text)
        found = await client.get("/api/v1/households", params={"q": "hang bai"}, headers=people[who].headers)
        assert found.status_code == 200
        seen = {item["id"] for item in found.json()["items"]}
        assert seen == {h for h, status in targets.items() if status == 200}, who
    problem = (await client.get(f"/api/v1/households/{in_b['id']}", headers=people["cadre_a"].headers)).json()
    assert problem["type"] == "urn:mattran:problem:not-found"


async def test_create_is_idempotent_on_the_client_id(
    client: AsyncClient, people: dict[str, Person], database: str
) -> None:
    body = {"id": str(uuid.uuid4()), "unit_code": people["cadre_a"].area, "house_number": "3", "street": "Ngõ Huế"}
    first = await client.post("/api/v1/households", json=body, headers=people["cadre_a"].headers)
    again = await client.post("/api/v1/households", json=body, headers=people["cadre_a"].headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"] and again.json()["version"] == 1
    other = await client.post(
        "/api/v1/households", json=body | {"house_number": "4"}, headers=people["cadre_a"].headers
    )
    assert other.status_code == 409
    assert other.json()["type"] == "urn:mattran:problem:conflict"
    assert await count(database, "households") == 1


async def test_optimistic_concurrency(client: AsyncClient, people: dict[str, Person]) -> None:
    household = await add_household(client, people["cadre_a"])
    url = f"/api/v1/households/{household['id']}"
    changed = await client.patch(
        url, json={"version": 1, "notes": "Gia đình có người ốm"}, headers=people["cadre_a"].headers
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["version"] == 2 and changed.json()["notes"] == "Gia đình có người ốm"
    stale = await client.patch(url, json={"version": 1, "notes": "ghi đè"}, headers=people["officer"].headers)
    assert stale.status_code == 409
    assert "2" in stale.json()["detail"]
    assert (await client.get(url, headers=people["cadre_a"].headers)).json()["notes"] == "Gia đình có người ốm"


async def test_soft_delete_leaves_a_tombstone(client: AsyncClient, people: dict[str, Person], database: str) -> None:
    household = await add_household(client, people["cadre_a"])
    member = await add_resident(client, people["cadre_a"], household["id"], "Lê Văn Tám")
    url = f"/api/v1/households/{household['id']}"
    blocked = await client.delete(url, params={"version": 1}, headers=people["cadre_a"].headers)
    assert blocked.status_code == 409  # still has a member
    gone = await client.delete(
        f"/api/v1/residents/{member['id']}", params={"version": 1}, headers=people["cadre_a"].headers
    )
    assert gone.status_code == 204, gone.text
    current = (await client.get(url, headers=people["cadre_a"].headers)).json()
    deleted = await client.delete(url, params={"version": current["version"]}, headers=people["cadre_a"].headers)
    assert deleted.status_code == 204, deleted.text
    assert (await client.get(url, headers=people["cadre_a"].headers)).status_code == 404
    conn = await asyncpg.connect(database)
    try:
        row = await conn.fetchrow(
            "SELECT deleted_at, version FROM households WHERE id = $1", uuid.UUID(household["id"])
        )
    finally:
        await conn.close()
    assert row["deleted_at"] is not None and row["version"] == current["version"] + 1


async def test_duplicate_households_are_offered_not_blocking(client: AsyncClient, people: dict[str, Person]) -> None:
    first = await add_household(client, people["cadre_a"], house_number="12", street="Phố Hàng Bài")
    body = {
        "id": str(uuid.uuid4()),
        "unit_code": people["cadre_a"].area,
        "house_number": "12",
        "street": "pho hang bai",
    }
    check = await client.post("/api/v1/households/duplicates", json=body, headers=people["cadre_a"].headers)
    assert check.status_code == 200
    assert [c["id"] for c in check.json()["items"]] == [first["id"]]
    created = await client.post("/api/v1/households", json=body, headers=people["cadre_a"].headers)
    assert created.status_code == 201
    assert [c["reasons"] for c in created.json()["duplicates"]] == [["address"]]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"house_number": 12}, "house_number"),
        ({"colour": "red"}, "colour"),
        ({"latitude": 91, "longitude": 105.8}, "latitude"),
        ({"latitude": 21.0}, "longitude"),
        ({"circumstances": ["ho_giau"]}, "circumstances[0]"),
        ({"id": "not-a-uuid"}, "id"),
    ],
)
async def test_bad_household_input_is_refused_precisely(
    client: AsyncClient, people: dict[str, Person], database: str, change: dict, field: str
) -> None:
    body = {"id": str(uuid.uuid4()), "unit_code": people["cadre_a"].area} | change
    response = await client.post("/api/v1/households", json=body, headers=people["cadre_a"].headers)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in {error["field"] for error in response.json()["errors"]} or field in response.text
    assert await count(database, "households") == 0


async def test_unit_outside_scope_or_not_an_area(client: AsyncClient, people: dict[str, Person], database: str) -> None:
    body = {"id": str(uuid.uuid4()), "unit_code": people["cadre_b"].area}
    outside = await client.post("/api/v1/households", json=body, headers=people["cadre_a"].headers)
    assert outside.status_code == 404
    commune = await client.post(
        "/api/v1/households", json=body | {"unit_code": "00070"}, headers=people["officer"].headers
    )
    assert commune.status_code == 400
    assert commune.json()["errors"][0]["field"] == "unit_code"
    citizen = await client.post("/api/v1/households", json=body, headers=people["citizen"].headers)
    assert citizen.status_code == 404
    assert await count(database, "households") == 0
