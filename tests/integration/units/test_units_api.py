"""GET /api/v1/units against the real catalogue in a real PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient

from backend import db

pytestmark = pytest.mark.integration


async def all_pages(client: AsyncClient, url: str, **filters: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        params = filters | {"limit": "200"} | ({"cursor": cursor} if cursor else {})
        response = await client.get(url, params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        items.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return items


async def test_there_are_34_provinces(client: AsyncClient) -> None:
    provinces = await all_pages(client, "/api/v1/units", level="province")
    assert len(provinces) == 34
    assert provinces[0] == {
        "code": "01",
        "name": "Thành phố Hà Nội",
        "level": "province",
        "kind": "thanh_pho_trung_uong",
        "parent_code": "TW",
        "path": "TW/01",
        "source": "official",
        "valid_from": "2025-07-01",
        "valid_to": None,
    }


async def test_there_are_3321_communes_and_paging_neither_skips_nor_repeats(client: AsyncClient) -> None:
    communes = await all_pages(client, "/api/v1/units", level="commune")
    codes = [commune["code"] for commune in communes]
    assert len(codes) == 3321
    assert codes == sorted(set(codes))


async def test_children_of_a_province(client: AsyncClient) -> None:
    hanoi_wards = await all_pages(client, "/api/v1/units", parent="01")
    assert len(hanoi_wards) == 126
    assert {ward["parent_code"] for ward in hanoi_wards} == {"01"}
    assert any(ward["name"] == "Phường Hoàn Kiếm" for ward in hanoi_wards)


@pytest.mark.parametrize("query", ["hoan kiem", "Hoàn Kiếm", "HOÀN KIẾM", "hoan kie", "phuong hoan"])
async def test_search_ignores_diacritics_and_case(client: AsyncClient, query: str) -> None:
    response = await client.get("/api/v1/units", params={"q": query})
    assert response.status_code == 200
    assert response.json()["items"][0]["name"] == "Phường Hoàn Kiếm"


async def test_search_ranks_exact_names_and_higher_levels_first(client: AsyncClient) -> None:
    response = await client.get("/api/v1/units", params={"q": "ha noi"})
    assert response.json()["items"][0]["name"] == "Thành phố Hà Nội"
    response = await client.get("/api/v1/units", params={"q": "hue"})
    names = [item["name"] for item in response.json()["items"]]
    assert names[0] == "Thành phố Huế"
    assert "Phường Thuận Hóa" not in names  # only word prefixes match, not substrings


async def test_search_combines_with_filters(client: AsyncClient) -> None:
    response = await client.get("/api/v1/units", params={"q": "ba dinh", "parent": "01"})
    items = response.json()["items"]
    assert [item["name"] for item in items][:1] == ["Phường Ba Đình"]
    assert {item["parent_code"] for item in items} == {"01"}
    response = await client.get("/api/v1/units", params={"q": "ha", "level": "province"})
    assert {item["level"] for item in response.json()["items"]} == {"province"}


async def test_search_pages_without_repeats(client: AsyncClient) -> None:
    seen: list[str] = []
    cursor = None
    for _ in range(100):
        params = {"q": "an", "limit": 25} | ({"cursor": cursor} if cursor else {})
        page = (await client.get("/api/v1/units", params=params)).json()
        seen.extend(item["code"] for item in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) > 100
    assert len(seen) == len(set(seen))
    everything = (await client.get("/api/v1/units", params={"q": "an", "limit": 200})).json()
    assert [item["code"] for item in everything["items"]] == seen[:200]


async def test_unit_detail_has_ancestors(client: AsyncClient) -> None:
    response = await client.get("/api/v1/units/00070")
    assert response.status_code == 200
    unit = response.json()
    assert unit["name"] == "Phường Hoàn Kiếm"
    assert [a["code"] for a in unit["ancestors"]] == ["TW", "01"]
    assert unit["children_count"] == 0
    province = (await client.get("/api/v1/units/01")).json()
    assert province["children_count"] == 126


async def test_unknown_unit_is_a_problem(client: AsyncClient) -> None:
    response = await client.get("/api/v1/units/99999")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert "99999" in response.json()["detail"]


async def test_retired_units_are_hidden_unless_asked_for(client: AsyncClient) -> None:
    async with db.connection() as conn:
        await conn.execute("UPDATE units SET valid_to = '2026-01-01' WHERE code = '00070'")
    codes = [item["code"] for item in (await client.get("/api/v1/units?parent=01&limit=200")).json()["items"]]
    assert "00070" not in codes
    response = await client.get("/api/v1/units?parent=01&limit=200&include_retired=true")
    assert "00070" in [item["code"] for item in response.json()["items"]]
    # Still readable by code: records keep pointing at retired units.
    assert (await client.get("/api/v1/units/00070")).json()["valid_to"] == "2026-01-01"


async def test_lineage_shows_predecessors_and_successors(client: AsyncClient) -> None:
    async with db.connection() as conn:
        await conn.execute(
            "INSERT INTO unit_predecessors (unit, predecessor, effective_on) VALUES ('00073', '00070', '2026-01-01')"
        )
    merged_into = (await client.get("/api/v1/units/00073")).json()
    assert [p["name"] for p in merged_into["predecessors"]] == ["Phường Hoàn Kiếm"]
    merged = (await client.get("/api/v1/units/00070")).json()
    assert [s["code"] for s in merged["successors"]] == ["00073"]
