"""Pushing offline operations: applied, duplicate, conflict, rejected; atomic per operation; idempotent by
op_id, also when the response was lost or replays race each other."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from httpx import AsyncClient
from sync_helpers import CLIENT_TIME, Person, create_op, delete_op, push, update_op, web_sign_in

from backend import db
from backend.app import MattranApp
from backend.features.audit.service import first_broken_entry
from backend.features.sync.apply import OperationApplier
from backend.features.sync.handlers import Actor
from schemas.sync import SyncOperation, SyncResult

pytestmark = pytest.mark.integration


class ResponseLost(httpx.ASGITransport):
    """The server handles the whole request; its answer never reaches the device."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await super().handle_async_request(request)
        raise httpx.ReadError("connection lost before the response arrived", request=request)


async def draft_row(draft_id: uuid.UUID) -> Any:
    async with db.connection() as conn:
        return await conn.fetchrow("SELECT * FROM drafts WHERE id = $1", draft_id)


async def count(sql: str, *args: Any) -> int:
    async with db.connection() as conn:
        return int(await conn.fetchval(sql, *args))


async def audit_count(action: str, subject_id: uuid.UUID) -> int:
    return await count("SELECT count(*) FROM audit_log WHERE action = $1 AND subject_id = $2", action, str(subject_id))


async def test_a_created_draft_is_applied_and_audited(client: AsyncClient, people: dict[str, Person]) -> None:
    cadre = people["cadre_1"]
    draft_id = uuid.uuid4()
    answer = await push(client, cadre, [create_op(draft_id, str(cadre.area), "Nhà bà Lan cần sửa mái")])
    assert answer["results"] == [
        {
            "op_id": answer["results"][0]["op_id"],
            "status": "applied",
            "entity": "draft",
            "entity_id": str(draft_id),
            "version": 1,
        }
    ]
    row = await draft_row(draft_id)
    assert (row["title"], row["owner"], row["version"], row["deleted"]) == (
        "Nhà bà Lan cần sửa mái",
        cadre.id,
        1,
        False,
    )
    assert row["unit_path"].endswith(f"/{cadre.area}")
    assert await audit_count("draft.created", draft_id) == 1
    assert await first_broken_entry() is None


async def test_replay_after_a_lost_response_is_a_duplicate_and_changes_nothing(
    app: MattranApp, client: AsyncClient, people: dict[str, Person]
) -> None:
    cadre = people["cadre_1"]
    draft_id = uuid.uuid4()
    batch = [create_op(draft_id, str(cadre.area)), update_op(draft_id, 1, title="Đã sửa")]
    body = {"device_id": "phone-1", "operations": batch, "pull": False}
    async with httpx.AsyncClient(transport=ResponseLost(app=app), base_url="https://testserver") as flaky:
        with pytest.raises(httpx.ReadError):
            await flaky.post("/api/v1/sync", json=body, headers=cadre.headers)
    before = dict(await draft_row(draft_id))
    assert before["version"] == 2  # the first attempt did its work

    replay = await push(client, cadre, batch)
    assert [(r["status"], r.get("original_status"), r["version"]) for r in replay["results"]] == [
        ("duplicate", "applied", 1),
        ("duplicate", "applied", 2),
    ]
    assert dict(await draft_row(draft_id)) == before
    assert await count("SELECT count(*) FROM sync_operations WHERE account = $1", cadre.id) == 2
    assert await audit_count("draft.created", draft_id) == 1
    assert await audit_count("draft.updated", draft_id) == 1


async def test_one_failing_operation_does_not_undo_the_others(client: AsyncClient, people: dict[str, Person]) -> None:
    cadre, other_area = people["cadre_1"], str(people["cadre_2"].area)
    first, second, outside = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    batch = [
        create_op(first, str(cadre.area), "Một"),
        create_op(uuid.uuid4(), str(cadre.area), title=""),  # invalid: empty title
        {**create_op(uuid.uuid4(), str(cadre.area)), "entity": "spaceship"},  # unknown entity
        create_op(outside, other_area, "Ngoài phạm vi"),  # another area: not this cadre's to write
        update_op(uuid.uuid4(), 1, title="Không có"),  # no such record
        create_op(second, str(cadre.area), "Hai"),
    ]
    results = (await push(client, cadre, batch))["results"]
    assert [r["status"] for r in results] == ["applied", "rejected", "rejected", "rejected", "rejected", "applied"]
    bad_title, unknown, out_of_scope, missing = (r["problem"] for r in results[1:5])
    assert bad_title["status"] == 400 and bad_title["errors"][0]["field"] == "fields.title"
    assert unknown["status"] == 400 and unknown["errors"][0]["field"] == "entity"
    # Outside one's scope and not existing look the same: existence does not leak.
    assert out_of_scope["status"] == missing["status"] == 404
    assert out_of_scope["type"] == missing["type"] == "urn:mattran:problem:not-found"
    assert all(p["instance"] == "/api/v1/sync" and p["request_id"] for p in (bad_title, unknown, out_of_scope))
    assert await draft_row(first) is not None and await draft_row(second) is not None
    assert await draft_row(outside) is None
    assert await count("SELECT count(*) FROM drafts") == 2
    # The refusal outside scope is in the audit log, like a denied request.
    denied = "SELECT count(*) FROM audit_log WHERE action = 'access.denied' AND details->>'op_id' = $1"
    assert await count(denied, batch[3]["op_id"]) == 1
    # Rejected operations left no op record: once fixed, the same op_id can be sent again.
    fixed = {**batch[1], "fields": {**batch[1]["fields"], "title": "Đã có tiêu đề"}}
    assert (await push(client, cadre, [fixed]))["results"][0]["status"] == "applied"


async def test_out_of_scope_writes_are_rejected_and_change_nothing(
    client: AsyncClient, people: dict[str, Person]
) -> None:
    cadre_1 = people["cadre_1"]
    draft_id = uuid.uuid4()
    await push(client, cadre_1, [create_op(draft_id, str(cadre_1.area), "Của tổ 1")])
    before = dict(await draft_row(draft_id))
    for who in ("cadre_2", "neighbour"):
        results = (
            await push(client, people[who], [update_op(draft_id, 1, title="Chen ngang"), delete_op(draft_id, 1)])
        )["results"]
        assert [(r["status"], r["problem"]["status"]) for r in results] == [("rejected", 404)] * 2, who
        created = (await push(client, people[who], [create_op(uuid.uuid4(), str(cadre_1.area))]))["results"][0]
        assert (created["status"], created["problem"]["status"]) == ("rejected", 404)
    assert dict(await draft_row(draft_id)) == before
    assert await count("SELECT count(*) FROM drafts") == 1
    # The commune officer's scope covers the area.
    officer = (await push(client, people["officer"], [update_op(draft_id, 1, body="Đã xem")]))["results"][0]
    assert (officer["status"], officer["version"]) == ("applied", 2)


async def test_concurrent_replays_apply_once(client: AsyncClient, people: dict[str, Person]) -> None:
    cadre = people["cadre_1"]
    draft_id = uuid.uuid4()
    batch = [create_op(draft_id, str(cadre.area)), update_op(draft_id, 1, title="Một lần thôi")]
    answers = await asyncio.gather(*(push(client, cadre, batch) for _ in range(4)))
    for position in range(2):
        statuses = sorted(answer["results"][position]["status"] for answer in answers)
        assert statuses == ["applied", "duplicate", "duplicate", "duplicate"]
        assert {answer["results"][position]["version"] for answer in answers} == {position + 1}
    row = await draft_row(draft_id)
    assert (row["version"], row["title"]) == (2, "Một lần thôi")
    assert await audit_count("draft.created", draft_id) == 1
    assert await audit_count("draft.updated", draft_id) == 1
    assert await first_broken_entry() is None


async def test_the_same_op_id_with_other_content_is_refused(client: AsyncClient, people: dict[str, Person]) -> None:
    cadre = people["cadre_1"]
    draft_id = uuid.uuid4()
    operation = create_op(draft_id, str(cadre.area), "Bản gốc")
    await push(client, cadre, [operation])
    reused = {**operation, "fields": {**operation["fields"], "title": "Nội dung khác"}}
    result = (await push(client, cadre, [reused]))["results"][0]
    assert (result["status"], result["problem"]["status"]) == ("rejected", 409)
    assert (await draft_row(draft_id))["title"] == "Bản gốc"


async def test_creating_an_existing_id_again(client: AsyncClient, people: dict[str, Person]) -> None:
    """A device that lost its op record re-sends the create under a new op_id: done already if equal."""
    cadre = people["cadre_1"]
    draft_id = uuid.uuid4()
    await push(client, cadre, [create_op(draft_id, str(cadre.area), "Một")])
    again, different = (
        await push(client, cadre, [create_op(draft_id, str(cadre.area), "Một"), create_op(draft_id, str(cadre.area))])
    )["results"]
    assert (again["status"], again["original_status"], again["version"]) == ("duplicate", "applied", 1)
    assert (different["status"], different["problem"]["status"]) == ("rejected", 409)


async def test_edits_of_different_fields_merge(client: AsyncClient, people: dict[str, Person]) -> None:
    cadre, officer = people["cadre_1"], people["officer"]
    draft_id = uuid.uuid4()
    await push(client, cadre, [create_op(draft_id, str(cadre.area), "Tiêu đề", body="Nội dung")])
    # Both edit version 1 offline: the cadre the title, the officer the body and the kind.
    first = (await push(client, cadre, [update_op(draft_id, 1, title="Tiêu đề mới")], device="phone"))["results"][0]
    second = (await push(client, officer, [update_op(draft_id, 1, body="Nội dung mới", kind="visit")]))["results"][0]
    assert (first["status"], first["version"]) == ("applied", 2)
    assert (second["status"], second["version"]) == ("applied", 3)
    row = await draft_row(draft_id)
    assert (row["title"], row["body"], row["kind"], row["version"]) == ("Tiêu đề mới", "Nội dung mới", "visit", 3)
    # The same edit made on both sides is no conflict either.
    same = (await push(client, officer, [update_op(draft_id, 1, title="Tiêu đề mới")]))["results"][0]
    assert (same["status"], same["version"]) == ("applied", 3)


async def test_edits_of_the_same_field_become_a_conflict_for_a_person(
    client: AsyncClient, people: dict[str, Person]
) -> None:
    cadre, officer = people["cadre_1"], people["officer"]
    draft_id = uuid.uuid4()
    await push(client, cadre, [create_op(draft_id, str(cadre.area), "Gốc", body="Gốc")])
    await push(client, cadre, [update_op(draft_id, 1, title="Của cán bộ")])
    late_edit = update_op(draft_id, 1, title="Của trưởng ban", body="Thêm ý")
    result = (await push(client, officer, [late_edit]))["results"][0]
    assert result["status"] == "conflict"
    assert result["conflict"] == {"title": {"server": "Của cán bộ", "client": "Của trưởng ban"}}
    assert result["version"] == 3  # the body, changed on one side only, was applied
    row = await draft_row(draft_id)
    assert (row["title"], row["body"]) == ("Của cán bộ", "Thêm ý")  # nothing overwritten

    listed = (await client.get("/api/v1/sync/conflicts", headers=officer.headers)).json()["items"]
    assert [(c["id"], c["entity_id"], c["status"], c["server_version"]) for c in listed] == [
        (result["conflict_id"], str(draft_id), "open", 3)
    ]
    assert listed[0]["fields"] == result["conflict"] and listed[0]["account_id"] == str(officer.id)
    # Other areas and communes do not see it.
    for who in ("cadre_2", "neighbour"):
        assert (await client.get("/api/v1/sync/conflicts", headers=people[who].headers)).json()["items"] == []
        seen = await client.get(f"/api/v1/sync/conflicts/{result['conflict_id']}", headers=people[who].headers)
        assert seen.status_code == 404

    resolve = f"/api/v1/sync/conflicts/{result['conflict_id']}/resolve"
    wrong = await client.post(resolve, json={"take": {"body": "client"}}, headers=cadre.headers)
    assert wrong.status_code == 400 and wrong.json()["errors"][0]["field"] == "take"
    outsider = await client.post(resolve, json={"take": {"title": "client"}}, headers=people["cadre_2"].headers)
    assert outsider.status_code == 404
    resolved = await client.post(resolve, json={"take": {"title": "client"}}, headers=cadre.headers)
    assert resolved.status_code == 200, resolved.text
    assert (resolved.json()["status"], resolved.json()["resolution"]) == ("resolved", {"title": "client"})
    row = await draft_row(draft_id)
    assert (row["title"], row["version"]) == ("Của trưởng ban", 4)
    again = await client.post(resolve, json={"take": {"title": "server"}}, headers=cadre.headers)
    assert again.status_code == 409
    assert (await client.get("/api/v1/sync/conflicts", headers=officer.headers)).json()["items"] == []
    assert await audit_count("sync.conflict_recorded", draft_id) == 1
    assert await audit_count("sync.conflict_resolved", draft_id) == 1


async def test_a_resolution_on_values_changed_since_is_refused(client: AsyncClient, people: dict[str, Person]) -> None:
    cadre, officer = people["cadre_1"], people["officer"]
    draft_id = uuid.uuid4()
    await push(client, cadre, [create_op(draft_id, str(cadre.area), "Gốc")])
    await push(client, cadre, [update_op(draft_id, 1, title="A")])
    conflict = (await push(client, officer, [update_op(draft_id, 1, title="B")]))["results"][0]
    await push(client, cadre, [update_op(draft_id, 2, title="C")])  # changed again after the conflict
    resolve = f"/api/v1/sync/conflicts/{conflict['conflict_id']}/resolve"
    stale = await client.post(resolve, json={"take": {"title": "client"}}, headers=officer.headers)
    assert stale.status_code == 409 and stale.headers["content-type"] == "application/problem+json"
    assert (await draft_row(draft_id))["title"] == "C"
    keep = await client.post(resolve, json={"take": {"title": "server"}}, headers=officer.headers)
    assert keep.status_code == 200 and (await draft_row(draft_id))["version"] == 3


async def test_deletion_against_an_edit_and_edit_against_a_deletion(
    client: AsyncClient, people: dict[str, Person]
) -> None:
    cadre, officer = people["cadre_1"], people["officer"]
    edited, deleted = uuid.uuid4(), uuid.uuid4()
    await push(client, cadre, [create_op(edited, str(cadre.area)), create_op(deleted, str(cadre.area))])
    await push(client, cadre, [update_op(edited, 1, body="Bổ sung"), delete_op(deleted, 1)])
    # The officer, offline since version 1, deletes the edited draft and edits the deleted one.
    delete_result, edit_result = (
        await push(client, officer, [delete_op(edited, 1), update_op(deleted, 1, title="Sửa muộn")])
    )["results"]
    assert delete_result["status"] == "conflict"
    assert delete_result["conflict"] == {"deleted": {"server": False, "client": True}}
    assert edit_result["status"] == "conflict"
    assert edit_result["conflict"] == {
        "deleted": {"server": True, "client": False},
        "title": {"server": "Ghi chép", "client": "Sửa muộn"},
    }
    assert (await draft_row(edited))["deleted"] is False and (await draft_row(deleted))["deleted"] is True
    # Knowing the deletion (base version 2), editing the tombstone is refused; deleting again is done already.
    gone, repeat = (await push(client, officer, [update_op(deleted, 2, title="X"), delete_op(deleted, 2)]))["results"]
    assert (gone["status"], gone["problem"]["status"]) == ("rejected", 410)
    assert (repeat["status"], repeat["version"]) == ("applied", 2)
    # The person restores the deleted draft with the late edit.
    restored = await client.post(
        f"/api/v1/sync/conflicts/{edit_result['conflict_id']}/resolve",
        json={"take": {"deleted": "client", "title": "client"}},
        headers=officer.headers,
    )
    assert restored.status_code == 200, restored.text
    row = await draft_row(deleted)
    assert (row["deleted"], row["title"], row["version"]) == (False, "Sửa muộn", 3)
    assert await audit_count("draft.restored", deleted) == 1


async def test_the_web_app_syncs_with_its_session_cookie_and_csrf_token(
    client: AsyncClient, people: dict[str, Person]
) -> None:
    csrf = await web_sign_in(client, "cadre_1")
    body = {"device_id": "pwa-1", "operations": [create_op(uuid.uuid4(), str(people["cadre_1"].area))]}
    forged = await client.post("/api/v1/sync", json=body)  # a cross-site form could not add the header
    assert forged.status_code == 403 and await count("SELECT count(*) FROM drafts") == 0
    answer = await client.post("/api/v1/sync", json=body, headers=csrf)
    assert answer.status_code == 200 and answer.json()["results"][0]["status"] == "applied"


async def test_sign_in_is_required(client: AsyncClient) -> None:
    response = await client.post("/api/v1/sync", json={"device_id": "phone-1", "operations": []})
    assert response.status_code == 401 and response.headers["content-type"] == "application/problem+json"


async def test_problems_follow_the_language_asked_for(client: AsyncClient, people: dict[str, Person]) -> None:
    cadre = people["cadre_1"]
    body = {"device_id": "phone-1", "pull": False, "operations": [update_op(uuid.uuid4(), 1, title="x")]}
    body["operations"][0]["base_version"] = None
    english = await client.post("/api/v1/sync", json=body, headers=cadre.headers | {"Accept-Language": "en"})
    problem = english.json()["results"][0]["problem"]
    assert problem["errors"][0]["field"] == "base_version"
    assert problem["detail"] == "Updates and deletions need the version they are based on (base_version)."
    vietnamese = await client.post("/api/v1/sync", json=body, headers=cadre.headers)
    assert "phiên bản gốc" in vietnamese.json()["results"][0]["problem"]["detail"]


async def test_client_time_is_kept_for_people(client: AsyncClient, people: dict[str, Person]) -> None:
    cadre = people["cadre_1"]
    draft_id = uuid.uuid4()
    await push(client, cadre, [create_op(draft_id, str(cadre.area))])
    async with db.connection() as conn:
        client_at = await conn.fetchval(
            "SELECT details->>'client_at' FROM audit_log WHERE action = 'draft.created' AND subject_id = $1",
            str(draft_id),
        )
    assert client_at == "2026-03-02T09:15:00+07:00" == CLIENT_TIME


async def test_a_batch_cut_off_halfway_is_completed_by_its_replay(
    client: AsyncClient, people: dict[str, Person], monkeypatch: pytest.MonkeyPatch
) -> None:
    cadre = people["cadre_1"]
    batch = [create_op(uuid.uuid4(), str(cadre.area), f"Hộ số {n}") for n in range(120)]
    halfway, applied = asyncio.Event(), []
    apply = OperationApplier.apply

    async def counting(self: OperationApplier, actor: Actor, op: SyncOperation) -> SyncResult:
        outcome = await apply(self, actor, op)
        applied.append(op.op_id)
        if len(applied) == 40:
            halfway.set()
        return outcome

    monkeypatch.setattr(OperationApplier, "apply", counting)
    first = asyncio.create_task(push(client, cadre, batch))
    await halfway.wait()
    first.cancel()  # the server stops with the batch half done; the operation under way still completes
    with pytest.raises(asyncio.CancelledError):
        await first

    statuses = [r["status"] for r in (await push(client, cadre, batch))["results"]]
    # At least the 39 committed before the one in flight when the request died.
    assert statuses.count("duplicate") >= 39 and statuses.count("applied") + statuses.count("duplicate") == len(batch)
    assert await count("SELECT count(*) FROM drafts") == len(batch)
    assert await count("SELECT count(*) FROM sync_operations WHERE outcome IS NOT NULL") == len(batch)
    assert await count("SELECT count(*) FROM audit_log WHERE action = 'draft.created'") == len(batch)
    assert await first_broken_entry() is None
