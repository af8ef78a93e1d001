"""Progress per milestone: status, date done, evidence and note; dependencies first; "late" from the clock;
"not reported" kept apart from "not started"; refusals change nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from congress_helpers import COMMUNE, NEXT_COMMUNE, Person, congress_of, milestone, problem_type, report
from httpx import AsyncClient

from backend.lib.clock import FrozenClock
from support.identity import access_token_for as token_for


async def test_reporting_progress_with_evidence(
    client: AsyncClient, people: dict[str, Person], term: dict[str, Any]
) -> None:
    congress = await congress_of(client, people["commune"], COMMUNE)
    plan = milestone(congress, "plan")
    evidence = [{"kind": "minutes", "title": "Biên bản họp Ban Thường trực", "ref": "/thu-vien/tai-lieu/42"}]
    response = await client.put(
        f"/api/v1/congresses/{congress['id']}/milestones/plan",
        json={"version": plan["version"], "status": "done", "done_on": "2025-12-20", "evidence": evidence,
              "note": "Kế hoạch số 12-KH/MTTQ"},
        headers=people["commune"].headers,
    )  # fmt: skip
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["done_on"], body["days_left"]) == ("done", "2025-12-20", None)
    assert body["evidence"] == evidence and body["note"] == "Kế hoạch số 12-KH/MTTQ"
    assert body["version"] == plan["version"] + 1

    started = await report(client, people["commune"], congress, "sub_committees", "not_started")
    assert started.json()["status"] == "late"  # due 20 January: reported, but still late
    stage = "consultation"  # due 11 March
    in_progress = await report(client, people["commune"], congress, stage, "in_progress")
    assert (in_progress.json()["status"], in_progress.json()["days_left"]) == ("in_progress", 9)
    after = await congress_of(client, people["commune"], COMMUNE)
    assert milestone(after, "personnel_plan")["status"] == "not_reported"


async def test_dependencies_come_first(client: AsyncClient, people: dict[str, Person], term: dict[str, Any]) -> None:
    congress = await congress_of(client, people["commune"], COMMUNE)
    early = await report(client, people["commune"], congress, "sub_committees", "done", "2026-01-10")
    assert early.status_code == 409
    assert problem_type(early) == "congress-dependency-not-done"
    assert await report(client, people["commune"], congress, "plan", "done", "2026-01-05")
    before_plan = await report(client, people["commune"], congress, "sub_committees", "done", "2026-01-04")
    assert problem_type(before_plan) == "congress-dependency-not-done"
    done = await report(client, people["commune"], congress, "sub_committees", "done", "2026-01-10")
    assert done.status_code == 200, done.text
    undo = await report(client, people["commune"], congress, "plan", "in_progress")
    assert problem_type(undo) == "congress-dependency-not-done"
    after = await congress_of(client, people["commune"], COMMUNE)
    assert milestone(after, "plan")["status"] == "done"


async def test_bad_progress_is_refused_and_changes_nothing(
    client: AsyncClient, people: dict[str, Person], term: dict[str, Any]
) -> None:
    congress = await congress_of(client, people["commune"], COMMUNE)
    url = f"/api/v1/congresses/{congress['id']}/milestones/plan"
    cases = [
        ({"version": 1, "status": "done"}, 400),  # no date
        ({"version": 1, "status": "done", "done_on": "2026-03-09"}, 400),  # in the future
        ({"version": 1, "status": "in_progress", "done_on": "2026-01-01"}, 400),  # a date without done
        ({"version": 1, "status": "finished"}, 400),
        ({"version": 7, "status": "in_progress"}, 409),
    ]
    for body, status in cases:
        response = await client.put(url, json=body, headers=people["commune"].headers)
        assert response.status_code == status, (body, response.text)
    unknown = await client.put(
        f"/api/v1/congresses/{congress['id']}/milestones/banquet",
        json={"version": 1, "status": "in_progress"},
        headers=people["commune"].headers,
    )
    assert unknown.status_code == 404
    neighbour = await client.put(url, json={"version": 1, "status": "in_progress"}, headers=people["neighbour"].headers)
    assert neighbour.status_code == 404
    seen = await client.get(f"/api/v1/congresses/{congress['id']}", headers=people["neighbour"].headers)
    assert seen.status_code == 404
    after = await congress_of(client, people["commune"], COMMUNE)
    assert milestone(after, "plan") == milestone(congress, "plan")
    # The province above sees its wards' congresses.
    province_view = await client.get(f"/api/v1/congresses/{congress['id']}", headers=people["province"].headers)
    assert province_view.status_code == 200


async def test_late_follows_the_clock(
    client: AsyncClient, people: dict[str, Person], term: dict[str, Any], clock: FrozenClock
) -> None:
    congress = await congress_of(client, people["neighbour"], NEXT_COMMUNE)
    assert milestone(congress, "consultation")["status"] == "not_reported"
    await report(client, people["neighbour"], congress, "consultation", "in_progress")
    clock.advance(timedelta(days=10))  # 12 March: the consultation was due on the 11th
    # Ten days on, the morning's access token has long expired: sign in again.
    neighbour = Person(people["neighbour"].account_id, await token_for(client, "neighbour"))
    later = await congress_of(client, neighbour, NEXT_COMMUNE)
    assert (milestone(later, "consultation")["status"], milestone(later, "consultation")["days_left"]) == ("late", -1)
