"""The workflow through the API: each transition permission-checked, scoped, timestamped, audited and on
the timeline; illegal moves and out-of-scope callers change nothing; denunciations protect the filer;
duplicates merge with a trace; the citizen reopens within the window."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from petition_helpers import COMMUNE, Person, act, file_petition, png, upload

from backend import db
from backend.lib.clock import FrozenClock

pytestmark = pytest.mark.integration


async def snapshot(petition_id: str) -> tuple[Any, ...]:
    async with db.connection() as conn:
        row = await conn.fetchrow("SELECT * FROM petitions WHERE id = $1", petition_id)
        events = await conn.fetchval("SELECT count(*) FROM petition_events WHERE petition_id = $1", petition_id)
        audits = await conn.fetchval("SELECT count(*) FROM audit_log WHERE subject_id = $1", petition_id)
    return tuple(row.values()), events, audits


async def answered(client: AsyncClient, officer: Person, assignee: Person, petition_id: str) -> dict[str, Any]:
    assert (await act(client, officer, petition_id, "classify", category_code="ha_tang")).status_code == 200
    assert (await act(client, officer, petition_id, "assign", assignee=str(assignee.account_id))).status_code == 200
    evidence = await upload(client, assignee, petition_id, png(), filename="anh-sau-sua.png")
    assert evidence.status_code == 201, evidence.text
    response = await act(
        client, assignee, petition_id, "answer", answer="Đã thay bóng đèn.", evidence=[evidence.json()["id"]]
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_the_main_path_is_recorded_on_the_timeline(client: AsyncClient, people: dict[str, Person]) -> None:
    officer, cadre = people["officer"], people["cadre"]
    petition = await file_petition(client, cadre.area or COMMUNE)
    pid = petition["id"]

    classified = await act(client, officer, pid, "classify", category_code="ha_tang")
    assert classified.json()["state"] == "classified"
    assert classified.json()["unit_code"] == COMMUNE  # handled at the commune level
    forwarded_too_early = await act(
        client,
        officer,
        pid,
        "forward",
        forwarded_to="UBND phường",
        dispatch_number="12/MTTQ",
        dispatch_date="2026-03-01",
    )
    assert forwarded_too_early.status_code == 409
    await act(client, officer, pid, "assign", assignee=str(people["colleague"].account_id))
    forwarded = await act(
        client,
        people["colleague"],
        pid,
        "forward",
        forwarded_to="UBND phường Hàng Bài",
        dispatch_number="12/MTTQ-BTT",
        dispatch_date="2026-03-01",
    )
    assert forwarded.status_code == 200, forwarded.text
    assert forwarded.json()["dispatch_number"] == "12/MTTQ-BTT"
    answer_without_evidence = await act(client, officer, pid, "answer", answer="Đã sửa.")
    assert answer_without_evidence.status_code == 400
    evidence = await upload(client, officer, pid, png(), filename="bien-ban.png")
    done = await act(client, officer, pid, "answer", answer="Đã sửa.", evidence=[evidence.json()["id"]])
    assert done.status_code == 200, done.text
    published = await act(client, officer, pid, "publish")
    closed = await act(client, officer, pid, "close")

    assert closed.json()["state"] == "closed"
    steps = [(e["action"], e["to_state"]) for e in closed.json()["timeline"]]
    assert steps == [
        ("file", "received"),
        ("classify", "classified"),
        ("assignee", "classified"),
        ("assign", "assigned"),
        ("forward", "forwarded"),
        ("answer", "answered"),
        ("publish", "published"),
        ("close", "closed"),
    ]
    assert published.json()["published_at"] is not None
    async with db.connection() as conn:
        actions = [
            r["action"] for r in await conn.fetch("SELECT action FROM audit_log WHERE subject_id = $1 ORDER BY id", pid)
        ]
    assert actions[0] == "petition.filed" and "petition.publish" in actions and actions[-1] == "petition.close"


async def test_an_illegal_transition_is_a_problem_and_changes_nothing(
    client: AsyncClient, people: dict[str, Person]
) -> None:
    pid = (await file_petition(client, COMMUNE))["id"]
    before = await snapshot(pid)

    response = await act(client, people["officer"], pid, "answer", answer="Trả lời khi chưa giao", evidence=[])

    assert response.status_code == 409
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"] == "urn:mattran:problem:illegal-transition"
    assert "Trả lời" in problem["detail"] and "Đã tiếp nhận" in problem["detail"]
    assert await snapshot(pid) == before


async def test_outside_scope_is_not_found_and_changes_nothing(client: AsyncClient, people: dict[str, Person]) -> None:
    pid = (await file_petition(client, COMMUNE))["id"]
    before = await snapshot(pid)

    classify = await act(client, people["neighbour"], pid, "classify", category_code="ha_tang")
    read = await client.get(f"/api/v1/petitions/{pid}", headers=people["neighbour"].headers)
    citizen = await act(client, people["citizen"], pid, "classify", category_code="ha_tang")

    assert (classify.status_code, read.status_code, citizen.status_code) == (404, 404, 404)
    assert await snapshot(pid) == before


async def test_a_rejection_needs_a_reason(client: AsyncClient, people: dict[str, Person]) -> None:
    pid = (await file_petition(client, COMMUNE))["id"]

    assert (await act(client, people["officer"], pid, "reject")).status_code == 400
    rejected = await act(client, people["officer"], pid, "reject", reason="Không thuộc thẩm quyền của Mặt trận.")
    assert rejected.json()["state"] == "rejected"
    assert rejected.json()["reject_reason"] == "Không thuộc thẩm quyền của Mặt trận."


async def test_the_assignee_must_be_staff_of_the_unit(client: AsyncClient, people: dict[str, Person]) -> None:
    pid = (await file_petition(client, COMMUNE))["id"]
    await act(client, people["officer"], pid, "classify", category_code="moi_truong")

    for outsider in ("citizen", "neighbour"):
        response = await act(client, people["officer"], pid, "assign", assignee=str(people[outsider].account_id))
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "assignee"
    # A cadre of a residential area below the commune may be assigned, and may then act on it.
    assigned = await act(client, people["officer"], pid, "assign", assignee=str(people["cadre"].account_id))
    assert assigned.status_code == 200
    seen = await client.get(f"/api/v1/petitions/{pid}", headers=people["cadre"].headers)
    assert seen.status_code == 200


async def test_a_denunciations_filer_is_seen_only_by_the_handling_officer(
    client: AsyncClient, people: dict[str, Person]
) -> None:
    pid = (await file_petition(client, COMMUNE, denunciation=True, contact_name="Người tố cáo"))["id"]
    officer = people["officer"]
    await act(client, officer, pid, "classify", category_code="khieu_nai_to_cao")
    province = people["province"]
    assigned = await act(client, province, pid, "assign", assignee=str(province.account_id))
    assert assigned.status_code == 200, assigned.text

    by_assignee = (await client.get(f"/api/v1/petitions/{pid}", headers=province.headers)).json()
    assert (by_assignee["filer_hidden"], by_assignee["contact_name"]) == (False, "Người tố cáo")
    other = await client.get(f"/api/v1/petitions/{pid}", headers=people["colleague"].headers)
    # Classified as a denunciation, it moved up to the province: outside the commune's scope now.
    assert other.status_code == 404
    async with db.connection() as conn:
        reads = await conn.fetchval("SELECT count(*) FROM audit_log WHERE action = 'petition.filer_read'")
    assert reads == 1


async def test_a_duplicate_is_merged_with_a_trace_and_both_filers_told(
    client: AsyncClient, people: dict[str, Person]
) -> None:
    first = await file_petition(client, COMMUNE, people["citizen"], contact_phone="")
    second = await file_petition(client, COMMUNE, people["cadre"], contact_phone="")

    merged = await act(client, people["officer"], second["id"], "merge", into=first["id"], note="Cùng đèn đường")
    assert merged.status_code == 200, merged.text
    assert (merged.json()["state"], merged.json()["merged_into"]) == ("merged", first["id"])
    target = (await client.get(f"/api/v1/petitions/{first['id']}", headers=people["officer"].headers)).json()
    assert target["timeline"][-1]["action"] == "merged_in"
    assert target["description"] and merged.json()["description"]  # both texts kept
    async with db.connection() as conn:
        told = {
            r["account"]
            for r in await conn.fetch("SELECT account FROM notifications WHERE dedup_key LIKE 'petition:%:merged:%'")
        }
    assert told == {people["citizen"].account_id, people["cadre"].account_id}
    itself = await act(client, people["officer"], first["id"], "merge", into=first["id"])
    assert itself.status_code == 400


async def test_the_citizen_reopens_within_the_window_only(
    client: AsyncClient, people: dict[str, Person], clock: FrozenClock
) -> None:
    receipt = await file_petition(client, COMMUNE)
    await answered(client, people["officer"], people["colleague"], receipt["id"])
    await act(client, people["officer"], receipt["id"], "publish")
    code = receipt["tracking_code"]

    no_reason = await client.post(f"/api/v1/petitions/track/{code}/reopen", json={"reason": ""})
    assert no_reason.status_code == 400
    reopened = await client.post(f"/api/v1/petitions/track/{code}/reopen", json={"reason": "Đèn lại hỏng sau 2 ngày."})
    assert reopened.status_code == 200, reopened.text
    assert reopened.json()["state"] == "reopened"
    await answered_again(client, people, receipt["id"])
    clock.advance(timedelta(days=31))
    late = await client.post(f"/api/v1/petitions/track/{code}/reopen", json={"reason": "Lại hỏng lần nữa."})
    assert late.status_code == 409
    assert late.json()["type"] == "urn:mattran:problem:conflict"


async def answered_again(client: AsyncClient, people: dict[str, Person], pid: str) -> None:
    officer = people["officer"]
    assert (await act(client, officer, pid, "assign", assignee=str(officer.account_id))).status_code == 200
    evidence = await upload(client, officer, pid, png(), filename="lan-2.png")
    assert (
        await act(client, officer, pid, "answer", answer="Đã thay lại.", evidence=[evidence.json()["id"]])
    ).status_code == 200
    assert (await act(client, officer, pid, "publish")).status_code == 200


async def test_a_rating_is_given_once_after_publication(client: AsyncClient, people: dict[str, Person]) -> None:
    receipt = await file_petition(client, COMMUNE)
    code = receipt["tracking_code"]
    early = await client.post(f"/api/v1/petitions/track/{code}/rating", json={"score": 5})
    assert early.status_code == 409
    await answered(client, people["officer"], people["colleague"], receipt["id"])
    await act(client, people["officer"], receipt["id"], "publish")

    rated = await client.post(f"/api/v1/petitions/track/{code}/rating", json={"score": 4, "comment": "Nhanh"})
    assert rated.status_code == 200
    assert (rated.json()["rating"], rated.json()["can_rate"]) == (4, False)
    again = await client.post(f"/api/v1/petitions/track/{code}/rating", json={"score": 1})
    assert again.status_code == 409
    assert (await client.post(f"/api/v1/petitions/track/{code}/rating", json={"score": 6})).status_code == 400
