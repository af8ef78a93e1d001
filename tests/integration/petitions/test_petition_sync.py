"""Petitions filed offline by a cadre, through /api/v1/sync: consent required, idempotent replays, the
same rules as the REST API, and no edits or deletions through sync."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from httpx import AsyncClient
from petition_helpers import Person

from backend import db

pytestmark = pytest.mark.integration


def operation(action: str, entity_id: uuid.UUID, fields: dict[str, Any] | None = None, **extra: Any) -> dict:
    body = {
        "op_id": str(uuid.uuid4()),
        "entity": "petition",
        "action": action,
        "entity_id": str(entity_id),
        "at": "2026-03-02T09:15:00+07:00",
    } | extra
    return body | ({"fields": fields} if fields is not None else {})


def form_fields(area: str, **extra: Any) -> dict[str, Any]:
    """What the offline form sends: strings, a ticked checkbox as "true", an unticked one as ""."""
    return {
        "unit_code": area,
        "title": "Cống thoát nước bị tắc",
        "description": "Cống trước nhà số 8 tắc, mưa là ngập.",
        "contact_name": "Ông Tư",
        "contact_phone": "0901234567",
        "anonymous": "",
        "consent_given": "true",
    } | extra


async def push(client: AsyncClient, who: Person, *operations: dict[str, Any]) -> list[dict[str, Any]]:
    body = {"device_id": "phone-1", "operations": list(operations), "pull": False}
    response = await client.post("/api/v1/sync", json=body, headers=who.headers)
    assert response.status_code == 200, response.text
    return list(response.json()["results"])


async def petitions() -> list[Any]:
    async with db.connection() as conn:
        return list(await conn.fetch("SELECT id, channel, consent_at, filed_by, tracking_code FROM petitions"))


async def test_a_cadre_files_offline_and_a_replay_changes_nothing(
    client: AsyncClient, people: dict[str, Person]
) -> None:
    cadre = people["cadre"]
    assert cadre.area is not None
    petition_id = uuid.uuid4()
    create = operation("create", petition_id, form_fields(cadre.area))

    first = await push(client, cadre, create)
    again = await push(client, cadre, create)
    resent = await push(client, cadre, operation("create", petition_id, form_fields(cadre.area)))

    assert [r["status"] for r in first + again + resent] == ["applied", "duplicate", "duplicate"]
    [row] = await petitions()
    assert (row["id"], row["channel"], row["filed_by"]) == (petition_id, "cadre", str(cadre.account_id))
    assert row["consent_at"] is not None and row["tracking_code"].startswith("KN-")


async def test_without_consent_or_outside_scope_nothing_is_filed(
    client: AsyncClient, people: dict[str, Person]
) -> None:
    cadre = people["cadre"]
    assert cadre.area is not None
    [no_consent] = await push(
        client, cadre, operation("create", uuid.uuid4(), form_fields(cadre.area, consent_given=""))
    )
    [outside] = await push(client, people["neighbour"], operation("create", uuid.uuid4(), form_fields(cadre.area)))

    assert no_consent["status"] == "rejected" and no_consent["problem"]["errors"][0]["field"] == "consent_given"
    assert outside["status"] == "rejected"
    assert await petitions() == []


async def test_petitions_are_not_edited_or_deleted_through_sync(client: AsyncClient, people: dict[str, Person]) -> None:
    cadre = people["cadre"]
    assert cadre.area is not None
    petition_id = uuid.uuid4()
    await push(client, cadre, operation("create", petition_id, form_fields(cadre.area)))

    [edit] = await push(client, cadre, operation("update", petition_id, {"title": "Khác"}, base_version=1))
    [delete] = await push(client, cadre, operation("delete", petition_id, None, base_version=1))

    assert (edit["status"], delete["status"]) == ("rejected", "rejected")
    assert len(await petitions()) == 1
