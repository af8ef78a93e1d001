"""Results: saved and submitted by the unit, approved and locked by the level above; a change after the
lock needs the approver to reopen it, and every step leaves a trace (timeline and audit log). Results
that cannot be true, approvals outside scope and edits of locked results are refused, changing nothing."""

from __future__ import annotations

from typing import Any

from congress_helpers import COMMUNE, PROVINCE, Person, congress_of, problem_type
from httpx import AsyncClient

from backend import db

RESULT: dict[str, Any] = {
    "held_on": "2026-02-27",
    "delegates_count": 150,
    "delegates_structure": {"women": 62, "ethnic_minorities": 4, "religious": 3, "youth": 20},
    "committee_size": 62,
    "women_pct": 38.7,
    "non_party_pct": 30.6,
    "ethnic_minority_pct": 3.2,
    "religious_pct": 4.8,
    "youth_pct": None,
    "leaders": [
        {"name": "Nguyễn Thị Hoa", "role": "chair", "full_time": True},
        {"name": "Trần Văn Nam", "role": "vice_chair", "full_time": True},
        {"name": "Lê Thị Mai", "role": "vice_chair", "full_time": False},
    ],
    "standing_committee": ["Nguyễn Thị Hoa", "Trần Văn Nam", "Lê Thị Mai", "Phạm Văn Sơn"],
    "delegation": ["Nguyễn Thị Hoa", "Phạm Văn Sơn"],
    "documents_adopted": ["Báo cáo chính trị", "Chương trình hành động"],
}


async def save(http: AsyncClient, who: Person, congress_id: str, **changes: Any) -> Any:
    return await http.put(f"/api/v1/congresses/{congress_id}/result", json=RESULT | changes, headers=who.headers)


async def decide(
    http: AsyncClient, who: Person, congress_id: str, decision: str, version: int, reason: str = ""
) -> Any:
    return await http.post(
        f"/api/v1/congresses/{congress_id}/result/{decision}",
        json={"version": version, "reason": reason},
        headers=who.headers,
    )


async def audit_actions(congress_id: str) -> list[str]:
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT action FROM audit_log WHERE subject_type = 'congress' AND subject_id = $1 ORDER BY id", congress_id
        )
    return [row["action"] for row in rows]


async def test_submit_approve_lock_reopen_with_a_trace(
    client: AsyncClient, people: dict[str, Person], term: dict[str, Any]
) -> None:
    congress_id = (await congress_of(client, people["commune"], COMMUNE))["id"]
    saved = await save(client, people["commune"], congress_id)
    assert saved.status_code == 200, saved.text
    assert (saved.json()["state"], saved.json()["locked"], saved.json()["youth_pct"]) == ("draft", False, None)
    submitted = await decide(client, people["commune"], congress_id, "submit", saved.json()["version"])
    assert submitted.json()["state"] == "submitted", submitted.text

    notices = await client.get("/api/v1/notifications", headers=people["province"].headers)
    assert [n["title"] for n in notices.json()["items"]] == ["Kết quả đại hội chờ duyệt: Phường Ba Đình"]
    assert notices.json()["items"][0]["url"] == "/congress/approvals"
    inbox = await client.get("/api/v1/congress-approvals", headers=people["province"].headers)
    assert [item["unit_code"] for item in inbox.json()["items"]] == [COMMUNE]
    for nobody in ("commune", "neighbour", "other_province"):
        empty = await client.get("/api/v1/congress-approvals", headers=people[nobody].headers)
        assert empty.json()["items"] == []

    # While it waits, the unit cannot change it; the approver returns it with a reason.
    waiting = await save(client, people["commune"], congress_id, version=submitted.json()["version"])
    assert waiting.status_code == 409
    returned = await decide(
        client, people["province"], congress_id, "return", submitted.json()["version"], "Thiếu danh sách đoàn đại biểu"
    )
    assert returned.json()["state"] == "returned", returned.text
    fixed = await save(client, people["commune"], congress_id, version=returned.json()["version"], delegates_count=152)
    resubmitted = await decide(client, people["commune"], congress_id, "submit", fixed.json()["version"])
    notices = await client.get("/api/v1/notifications", headers=people["province"].headers)
    assert len(notices.json()["items"]) == 2  # each submission once
    approved = await decide(client, people["province"], congress_id, "approve", resubmitted.json()["version"])
    assert (approved.json()["state"], approved.json()["locked"]) == ("approved", True), approved.text

    # Locked: the unit's edit is refused and changes nothing; only the approver reopens, with a reason.
    locked = await save(client, people["commune"], congress_id, version=approved.json()["version"], committee_size=70)
    assert locked.status_code == 409
    assert problem_type(locked) == "congress-result-locked"
    own_reopen = await decide(client, people["commune"], congress_id, "reopen", approved.json()["version"], "Sửa")
    assert own_reopen.status_code == 404
    no_reason = await decide(client, people["province"], congress_id, "reopen", approved.json()["version"])
    assert no_reason.status_code == 400
    unchanged = (await congress_of(client, people["commune"], COMMUNE))["result"]
    assert (unchanged["committee_size"], unchanged["state"]) == (62, "approved")

    reopened = await decide(
        client, people["province"], congress_id, "reopen", approved.json()["version"], "Sai số ủy viên"
    )
    assert reopened.json()["state"] == "reopened"
    edited = await save(client, people["commune"], congress_id, version=reopened.json()["version"], committee_size=63)
    assert edited.status_code == 200, edited.text
    timeline = [(e["action"], e["state_after"], e["reason"]) for e in edited.json()["events"]]
    assert timeline == [
        ("saved", "draft", ""),
        ("submitted", "submitted", ""),
        ("returned", "returned", "Thiếu danh sách đoàn đại biểu"),
        ("saved", "draft", ""),
        ("submitted", "submitted", ""),
        ("approved", "approved", ""),
        ("reopened", "reopened", "Sai số ủy viên"),
        ("saved", "draft", ""),
    ]
    assert edited.json()["events"][6]["actor"] == str(people["province"].account_id)
    assert await audit_actions(congress_id) == [
        "congress.result_saved",
        "congress.result_submitted",
        "congress.result_returned",
        "congress.result_saved",
        "congress.result_submitted",
        "congress.result_approved",
        "congress.result_reopened",
        "congress.result_saved",
    ]


async def test_approval_outside_scope_or_by_the_unit_itself(
    client: AsyncClient, people: dict[str, Person], term: dict[str, Any]
) -> None:
    congress_id = (await congress_of(client, people["commune"], COMMUNE))["id"]
    saved = await save(client, people["commune"], congress_id)
    submitted = await decide(client, people["commune"], congress_id, "submit", saved.json()["version"])
    version = submitted.json()["version"]
    for who in ("commune", "neighbour", "other_province"):
        refused = await decide(client, people[who], congress_id, "approve", version)
        assert refused.status_code == 404, (who, refused.text)
    # The province's own congress is approved by the centre, not by the province itself.
    province_congress = (await congress_of(client, people["province"], PROVINCE))["id"]
    own = await save(client, people["province"], province_congress)
    own_submitted = await decide(client, people["province"], province_congress, "submit", own.json()["version"])
    self_approval = await decide(
        client, people["province"], province_congress, "approve", own_submitted.json()["version"]
    )
    assert self_approval.status_code == 404
    by_centre = await decide(client, people["central"], province_congress, "approve", own_submitted.json()["version"])
    assert by_centre.json()["state"] == "approved"
    still = (await congress_of(client, people["commune"], COMMUNE))["result"]
    assert still["state"] == "submitted"


async def test_results_that_cannot_be_true_are_refused(
    client: AsyncClient, people: dict[str, Person], term: dict[str, Any]
) -> None:
    congress_id = (await congress_of(client, people["commune"], COMMUNE))["id"]
    cases = {
        "congress-results-before-congress-day": {"held_on": "2026-03-20"},
        "share-over-100": {"women_pct": 120.5},
        "committee-smaller-than-leaders": {"committee_size": 2},
        "standing-larger-than-committee": {
            "committee_size": 3,
            "leaders": [],
            "standing_committee": ["A", "B", "C", "D"],
        },
        "two-chairs": {"leaders": [{"name": "A", "role": "chair", "full_time": True}] * 2},
    }
    for case, changes in cases.items():
        response = await save(client, people["commune"], congress_id, **changes)
        assert response.status_code == 400, (case, response.text)
        assert problem_type(response) == "validation-error", case
        assert response.json()["errors"], case
    assert (await congress_of(client, people["commune"], COMMUNE))["result"] is None
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM congress_result_events") == 0
    missing = await decide(client, people["commune"], congress_id, "submit", 1)
    assert missing.status_code == 404
    stale = await save(client, people["commune"], congress_id, version=3)
    assert stale.status_code == 409
