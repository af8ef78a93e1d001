"""A malformed batch is a 400 problem naming the field, and nothing of it is applied; operations that are
well-formed but individually wrong are rejected one by one."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from httpx import AsyncClient
from sync_helpers import Person, create_op, delete_op, push, update_op

from backend import db

pytestmark = pytest.mark.integration


async def drafts_count() -> int:
    async with db.connection() as conn:
        return int(await conn.fetchval("SELECT count(*) FROM drafts"))


def malformed(valid: dict[str, Any]) -> dict[str, tuple[dict[str, Any], str]]:
    """name -> (request body, field the problem names). Each carries one valid operation too."""
    return {
        "no device": ({"operations": [valid]}, "device_id"),
        "op_id not a uuid": ({"device_id": "p", "operations": [valid, {**valid, "op_id": "42"}]}, "op_id"),
        "unknown action": ({"device_id": "p", "operations": [valid, {**valid, "action": "upsert"}]}, "action"),
        "unknown key": ({"device_id": "p", "operations": [valid, {**valid, "colour": "red"}]}, "colour"),
        "time without zone": ({"device_id": "p", "operations": [valid, {**valid, "at": "2026-03-02T09:15:00"}]}, "at"),
        "operations not a list": ({"device_id": "p", "operations": {"a": valid}}, "operations"),
        "negative base": ({"device_id": "p", "operations": [valid, {**valid, "base_version": 0}]}, "base_version"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "no device",
        "op_id not a uuid",
        "unknown action",
        "unknown key",
        "time without zone",
        "operations not a list",
        "negative base",
    ],
)
async def test_a_malformed_batch_is_a_400_and_applies_nothing(
    client: AsyncClient, people: dict[str, Person], case: str
) -> None:
    cadre = people["cadre_1"]
    body, field = malformed(create_op(uuid.uuid4(), str(cadre.area)))[case]
    response = await client.post("/api/v1/sync", json=body, headers=cadre.headers)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:mattran:problem:validation-error"
    # Litestar names the closest container ("data", "operations[1]"); the message names the rest.
    assert any(field in error["field"] + error["message"] for error in problem["errors"]), problem
    assert await drafts_count() == 0


async def test_a_body_that_is_not_json_is_a_400(client: AsyncClient, people: dict[str, Person]) -> None:
    response = await client.post(
        "/api/v1/sync",
        content=b'{"device_id": "p", "operations": [',
        headers=people["cadre_1"].headers | {"content-type": "application/json"},
    )
    assert response.status_code == 400 and response.headers["content-type"] == "application/problem+json"


async def test_too_many_operations_is_a_400(client: AsyncClient, people: dict[str, Person]) -> None:
    cadre = people["cadre_1"]
    limit = client._transport.app.state.settings.sync_max_operations  # type: ignore[attr-defined]
    operations = [create_op(uuid.uuid4(), str(cadre.area)) for _ in range(limit + 1)]
    response = await client.post(
        "/api/v1/sync", json={"device_id": "p", "operations": operations}, headers=cadre.headers
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "operations"
    assert str(limit) in response.json()["detail"]
    assert await drafts_count() == 0


async def test_individually_wrong_operations_are_rejected_with_the_field(
    client: AsyncClient, people: dict[str, Person]
) -> None:
    cadre = people["cadre_1"]
    draft_id = uuid.uuid4()
    await push(client, cadre, [create_op(draft_id, str(cadre.area))])
    cases: list[tuple[dict[str, Any], int, str]] = [
        (create_op(uuid.uuid4(), str(cadre.area), kind="diary"), 400, "fields.kind"),
        (create_op(uuid.uuid4(), str(cadre.area), mood="vui"), 400, "fields.mood"),
        (
            {**create_op(uuid.uuid4(), str(cadre.area)), "fields": {"kind": "note", "title": "x"}},
            400,
            "fields.unit_code",
        ),
        (create_op(uuid.uuid4(), str(cadre.area), title="a\x00b"), 400, "fields.title"),
        (create_op(uuid.uuid4(), str(cadre.area), title="x" * 201), 400, "fields.title"),
        ({**create_op(uuid.uuid4(), str(cadre.area)), "base_version": 1}, 400, "base_version"),
        (update_op(draft_id, 1), 400, "fields"),
        (update_op(draft_id, 1, unit_code=str(people["cadre_2"].area)), 400, "fields.unit_code"),
        (update_op(draft_id, 1, owner_id=str(cadre.id)), 400, "fields.owner_id"),
        (update_op(draft_id, 7, title="Tương lai"), 400, "base_version"),
        ({**delete_op(draft_id, 1), "fields": {"title": "x"}}, 400, "fields"),
    ]
    results = (await push(client, cadre, [operation for operation, _, _ in cases]))["results"]
    for (operation, status, field), result in zip(cases, results, strict=True):
        assert result["status"] == "rejected", operation
        assert result["problem"]["status"] == status
        assert result["problem"]["errors"][0]["field"] == field, result["problem"]
    assert await drafts_count() == 1


async def test_a_unit_that_does_not_exist_is_rejected(client: AsyncClient, people: dict[str, Person]) -> None:
    officer = people["officer"]
    result = (await push(client, officer, [create_op(uuid.uuid4(), "00070-999")]))["results"][0]
    assert (result["status"], result["problem"]["status"]) == ("rejected", 404)
