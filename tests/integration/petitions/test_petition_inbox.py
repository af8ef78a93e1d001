"""The staff inbox: by due date with no deadline last, filtered by state, within scope, keyset-paged
without skips or repeats; "mine" shows what is assigned to the caller wherever it is."""

from __future__ import annotations

import pytest
from httpx import AsyncClient
from petition_helpers import COMMUNE, Person, act, file_petition

pytestmark = pytest.mark.integration


async def test_pages_follow_the_due_date_without_skips(client: AsyncClient, people: dict[str, Person]) -> None:
    officer = people["officer"]
    filed = [(await file_petition(client, COMMUNE, title=f"Phản ánh {n}"))["id"] for n in range(5)]
    # Classified ones get the (later) answer deadline; answered ones have none and come last.
    for pid in filed[:2]:
        await act(client, officer, pid, "classify", category_code="dat_dai")

    seen: list[dict] = []
    cursor = None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (await client.get("/api/v1/petitions", params=params, headers=officer.headers)).json()
        seen.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert sorted(item["id"] for item in seen) == sorted(filed)
    dues = [item["due_at"] for item in seen]
    assert dues == sorted(dues)
    assert [item["state"] for item in seen][-2:] == ["classified", "classified"]
    only = await client.get("/api/v1/petitions", params={"state": "classified"}, headers=officer.headers)
    assert {item["id"] for item in only.json()["items"]} == set(filed[:2])
    outside = await client.get("/api/v1/petitions", headers=people["neighbour"].headers)
    assert outside.json()["items"] == []


async def test_mine_lists_assignments_even_outside_the_scope(client: AsyncClient, people: dict[str, Person]) -> None:
    officer, cadre = people["officer"], people["cadre"]
    pid = (await file_petition(client, COMMUNE))["id"]
    await act(client, officer, pid, "classify", category_code="moi_truong")
    await act(client, officer, pid, "assign", assignee=str(cadre.account_id))

    everything = await client.get("/api/v1/petitions", headers=cadre.headers)
    mine = await client.get("/api/v1/petitions", params={"mine": "true"}, headers=cadre.headers)

    assert everything.json()["items"] == []  # a commune-level petition is outside the area cadre's scope
    assert [item["id"] for item in mine.json()["items"]] == [pid]
