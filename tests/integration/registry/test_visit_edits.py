"""Visits changed and removed over REST (PATCH with the version, DELETE leaving a tombstone) with the same
checks and audit entries as an offline change through /api/v1/sync; and the audit of a sync pull: one
entry per page naming the residents whose sensitive fields were shown."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from httpx import AsyncClient
from registry_helpers import Person, add_household, add_resident

from backend import db
from backend.features.audit.service import first_broken_entry

pytestmark = pytest.mark.integration


async def add_visit(client: AsyncClient, who: Person, household_id: str, **fields: Any) -> dict[str, Any]:
    body = {"id": str(uuid.uuid4()), "household_id": household_id, "visited_on": "2026-03-01", "purpose": "Thăm hỏi"}
    response = await client.post("/api/v1/visits", json=body | fields, headers=who.headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def sync(
    client: AsyncClient, who: Person, operations: list[dict[str, Any]], pull: bool = False, cursor: str | None = None
) -> Any:
    body = {"device_id": "phone-1", "operations": operations, "pull": pull} | (
        {"pull_cursor": cursor} if cursor else {}
    )
    response = await client.post("/api/v1/sync", json=body, headers=who.headers)
    assert response.status_code == 200, response.text
    return response.json()


def visit_update(visit_id: str, base: int, **fields: Any) -> dict[str, Any]:
    return {"op_id": str(uuid.uuid4()), "entity": "visit", "action": "update", "entity_id": visit_id,
            "at": "2026-03-02T09:15:00+07:00", "base_version": base, "fields": fields}  # fmt: skip


async def rows(sql: str, *args: Any) -> list[Any]:
    async with db.connection() as conn:
        return list(await conn.fetch(sql, *args))


async def audit_details(action: str, subject_id: str) -> list[Any]:
    return await rows(
        "SELECT details::text AS details FROM audit_log WHERE action = $1 AND subject_id = $2", action, subject_id
    )


async def visit_row(visit_id: str) -> Any:
    (row,) = await rows(
        "SELECT version, purpose, needs, visited_on::text AS visited_on, deleted_at IS NOT NULL AS deleted,"
        " field_versions::text AS field_versions FROM visits WHERE id = $1",
        uuid.UUID(visit_id),
    )
    return row


async def test_a_visit_is_changed_with_its_version(client: AsyncClient, people: dict[str, Person]) -> None:
    cadre = people["cadre_a"]
    visit = await add_visit(client, cadre, (await add_household(client, cadre))["id"], needs="Sửa mái nhà")
    url = f"/api/v1/visits/{visit['id']}"
    changed = await client.patch(url, json={"version": 1, "needs": "Đã sửa xong", "purpose": "Thăm lại"},
                                 headers=cadre.headers)  # fmt: skip
    assert changed.status_code == 200, changed.text
    assert (changed.json()["version"], changed.json()["needs"], changed.json()["purpose"]) == (
        2,
        "Đã sửa xong",
        "Thăm lại",
    )
    row = await visit_row(visit["id"])
    assert row["field_versions"] == '{"needs": 2, "purpose": 2}'
    stale = await client.patch(url, json={"version": 1, "needs": "Khác"}, headers=cadre.headers)
    assert stale.status_code == 409 and stale.json()["type"] == "urn:mattran:problem:conflict"
    assert (await visit_row(visit["id"]))["needs"] == "Đã sửa xong"
    # Sending the same values again changes nothing (no new version).
    same = await client.patch(url, json={"version": 2, "needs": "Đã sửa xong"}, headers=cadre.headers)
    assert same.json()["version"] == 2
    audit = await audit_details("visit.updated", visit["id"])
    assert [a["details"] for a in audit] == ['{"fields": ["needs", "purpose"], "version": 2}']


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"version": 1, "visited_on": "2026-03-03"}, "visited_on"),  # the day after the test's today
        ({"version": 1, "purpose": ""}, "purpose"),
        ({"version": 1, "household_id": str(uuid.uuid4())}, "household_id"),
        ({"version": 1, "needs": "x" * 4001}, "needs"),
        ({"needs": "x"}, "version"),
    ],
)
async def test_bad_changes_are_refused_over_rest_and_sync_alike(
    client: AsyncClient, people: dict[str, Person], body: dict[str, Any], field: str
) -> None:
    cadre = people["cadre_a"]
    visit = await add_visit(client, cadre, (await add_household(client, cadre))["id"])
    response = await client.patch(f"/api/v1/visits/{visit['id']}", json=body, headers=cadre.headers)
    assert response.status_code == 400, response.text
    assert field in str(response.json()["errors"]), response.json()
    fields = {name: value for name, value in body.items() if name != "version"}
    if "version" in body:  # offline, the version travels as the operation's base_version
        offline = await sync(client, cadre, [visit_update(visit["id"], 1, **fields)])
        result = offline["results"][0]
        assert result["status"] == "rejected", result
        assert field in str(result), result
    assert (await visit_row(visit["id"]))["version"] == 1


async def test_a_visit_is_deleted_leaving_a_tombstone(client: AsyncClient, people: dict[str, Person]) -> None:
    cadre = people["cadre_a"]
    household = await add_household(client, cadre)
    visit = await add_visit(client, cadre, household["id"])
    cursor = (await sync(client, cadre, [], pull=True))["cursor"]
    url = f"/api/v1/visits/{visit['id']}"
    assert (await client.delete(url, params={"version": 2}, headers=cadre.headers)).status_code == 409
    assert (await client.delete(url, params={"version": 1}, headers=cadre.headers)).status_code == 204
    row = await visit_row(visit["id"])
    assert (row["deleted"], row["version"]) == (True, 2)
    assert (await client.get(url, headers=cadre.headers)).status_code == 404
    listed = await client.get("/api/v1/visits", params={"household_id": household["id"]}, headers=cadre.headers)
    assert listed.json()["items"] == []
    # Devices learn of the deletion by a tombstone in their next pull.
    pulled = [c for c in (await sync(client, cadre, [], True, cursor))["changes"] if c["entity"] == "visit"]
    assert [(c["entity_id"], c["deleted"], c["version"]) for c in pulled] == [(visit["id"], True, 2)]
    audit = await audit_details("visit.deleted", visit["id"])
    assert [a["details"] for a in audit] == ['{"fields": ["deleted"], "version": 2}']
    assert (await client.patch(url, json={"version": 2, "needs": "x"}, headers=cadre.headers)).status_code == 404


async def test_scope_outside_is_404(client: AsyncClient, people: dict[str, Person]) -> None:
    visit = await add_visit(client, people["cadre_a"], (await add_household(client, people["cadre_a"]))["id"])
    url = f"/api/v1/visits/{visit['id']}"
    for who in ("cadre_b", "neighbour", "citizen"):
        headers = people[who].headers
        assert (await client.patch(url, json={"version": 1, "needs": "x"}, headers=headers)).status_code == 404, who
        assert (await client.delete(url, params={"version": 1}, headers=headers)).status_code == 404, who
    assert (await visit_row(visit["id"]))["version"] == 1
    officer = await client.patch(url, json={"version": 1, "needs": "x"}, headers=people["officer"].headers)
    assert officer.status_code == 200


async def test_a_pull_writes_one_audit_entry_per_page(client: AsyncClient, people: dict[str, Person]) -> None:
    cadre = people["cadre_a"]
    household = await add_household(client, cadre)
    shown = [
        (await add_resident(client, cadre, household["id"], f"Người {n}", religion="Phật giáo"))["id"] for n in range(3)
    ]
    await add_resident(client, cadre, household["id"], "Không có trường nhạy cảm")
    other = await add_household(client, people["cadre_b"])
    elsewhere = (await add_resident(client, people["cadre_b"], other["id"], "Khu khác", ethnicity="Tày"))["id"]
    before = len(await rows("SELECT 1 FROM audit_log WHERE action = 'resident.sensitive_read'"))
    await sync(client, people["officer"], [], pull=True)
    entries = await rows(
        "SELECT actor, subject_type, unit_path, details FROM audit_log WHERE action = 'resident.sensitive_read'"
        " ORDER BY id"
    )
    assert len(entries) == before + 1  # one page, one entry
    entry = entries[-1]
    details = json.loads(entry["details"])
    assert details == {"residents": {**{r: ["religion"] for r in shown}, elsewhere: ["ethnicity"]}}
    assert entry["actor"] == str(people["officer"].account_id) and entry["subject_type"] == "residents"
    # Both areas were read: the entry is placed at the commune, the deepest unit holding them all.
    assert entry["unit_path"] == "TW/01/00070"
    # A reader who sees everything masked leaves no entry.
    await sync(client, people["province"], [], pull=True)
    assert len(await rows("SELECT 1 FROM audit_log WHERE action = 'resident.sensitive_read'")) == before + 1
    assert await first_broken_entry() is None
