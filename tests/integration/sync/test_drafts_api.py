"""GET /api/v1/drafts: what the web app lists, scoped and cursor-paginated."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from httpx import AsyncClient
from sync_helpers import Person, create_op, delete_op, push

from backend.lib.clock import FrozenClock

pytestmark = pytest.mark.integration


async def test_drafts_are_listed_within_scope_newest_first(
    client: AsyncClient, people: dict[str, Person], clock: FrozenClock
) -> None:
    cadre_1, cadre_2, officer = people["cadre_1"], people["cadre_2"], people["officer"]
    ids = []
    for title in ("Một", "Hai", "Ba"):
        draft_id = uuid.uuid4()
        ids.append(draft_id)
        await push(client, cadre_1, [create_op(draft_id, str(cadre_1.area), title)])
        clock.advance(timedelta(minutes=1))
    other = uuid.uuid4()
    await push(client, cadre_2, [create_op(other, str(cadre_2.area), "Tổ 2")])
    await push(client, cadre_1, [delete_op(ids[1], 1)])

    titles = []
    cursor = None
    while True:
        params = {"limit": "1"} | ({"cursor": cursor} if cursor else {})
        page = (await client.get("/api/v1/drafts", params=params, headers=cadre_1.headers)).json()
        titles.extend(item["title"] for item in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert titles == ["Ba", "Một"]  # the deleted one is not listed

    everything = (await client.get("/api/v1/drafts", headers=officer.headers)).json()["items"]
    assert [item["title"] for item in everything] == ["Tổ 2", "Ba", "Một"]
    assert (await client.get("/api/v1/drafts", headers=people["neighbour"].headers)).json()["items"] == []

    one = await client.get(f"/api/v1/drafts/{ids[0]}", headers=cadre_1.headers)
    assert one.status_code == 200
    assert (one.json()["owner_id"], one.json()["version"], one.json()["kind"]) == (str(cadre_1.id), 1, "note")
    for who, draft_id in (("cadre_2", ids[0]), ("cadre_1", other), ("cadre_1", ids[1]), ("cadre_1", uuid.uuid4())):
        response = await client.get(f"/api/v1/drafts/{draft_id}", headers=people[who].headers)
        assert response.status_code == 404 and response.headers["content-type"] == "application/problem+json"


async def test_a_tampered_page_cursor_is_a_400(client: AsyncClient, people: dict[str, Person]) -> None:
    response = await client.get("/api/v1/drafts", params={"cursor": "bm9wZQ"}, headers=people["cadre_1"].headers)
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "cursor"
