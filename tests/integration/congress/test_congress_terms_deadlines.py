"""Terms open a congress for every unit of their levels, with the milestone templates of DOMAIN.md; a
province sets deadlines for the units below it, which may only tighten them."""

from __future__ import annotations

from typing import Any

from congress_helpers import (
    COMMUNE,
    NEXT_COMMUNE,
    PROVINCE,
    TERM,
    TERM_BODY,
    Person,
    congress_of,
    milestone,
    problem_type,
)
from httpx import AsyncClient

from backend import db

STAGES = [
    "plan",
    "sub_committees",
    "draft_documents",
    "consultation",
    "personnel_plan",
    "pilot_congress",
    "party_congress",
    "congress_day",
    "results_reported",
    "member_congresses",
]


async def deadline(http: AsyncClient, who: Person, unit: str, level: str, stage: str, due_on: str) -> Any:
    return await http.put(
        f"/api/v1/congress-terms/{TERM}/deadlines/{unit}/{level}/{stage}", json={"due_on": due_on}, headers=who.headers
    )


async def due_dates(stage: str) -> dict[str, str]:
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT c.unit_code, m.due_on FROM congress_milestones m JOIN congresses c ON c.id = m.congress"
            " WHERE m.term = $1 AND m.stage = $2",
            TERM,
            stage,
        )
    return {row["unit_code"]: row["due_on"].isoformat() for row in rows}


async def test_a_term_opens_every_congress_with_the_stages(
    client: AsyncClient, people: dict[str, Person], term: dict[str, Any]
) -> None:
    assert term["congresses"] == 34 + 3321
    commune_templates = [t for t in term["templates"] if t["level"] == "commune"]
    assert [t["stage"] for t in commune_templates] == STAGES
    by_stage = {t["stage"]: t for t in commune_templates}
    assert by_stage["congress_day"]["default_due"] == "2026-04-30"
    assert by_stage["plan"]["default_due"] < by_stage["congress_day"]["default_due"]
    # The Front congress follows the Party congress of its level; results follow the congress day.
    assert "party_congress" in by_stage["congress_day"]["depends_on"]
    assert by_stage["results_reported"]["depends_on"] == ["congress_day"]
    congress = await congress_of(client, people["commune"], COMMUNE)
    assert [m["stage"] for m in congress["milestones"]] == STAGES
    # Nobody reported yet: "not reported", or late once the deadline passed, never "not started".
    assert {m["status"] for m in congress["milestones"]} == {"not_reported", "late"}
    assert milestone(congress, "plan")["status"] == "late"  # due 31 Dec 2025, the clock says 2 March 2026
    assert milestone(congress, "congress_day")["days_left"] == 59


async def test_only_the_centre_opens_a_term_and_a_code_only_once(
    client: AsyncClient, people: dict[str, Person], term: dict[str, Any]
) -> None:
    other = TERM_BODY | {"code": "other"}
    refused = await client.post("/api/v1/congress-terms", json=other, headers=people["province"].headers)
    assert refused.status_code == 404
    again = await client.post("/api/v1/congress-terms", json=TERM_BODY, headers=people["central"].headers)
    assert again.status_code == 409
    twice = TERM_BODY | {"code": "twice", "levels": [TERM_BODY["levels"][0], TERM_BODY["levels"][0]]}
    response = await client.post("/api/v1/congress-terms", json=twice, headers=people["central"].headers)
    assert response.status_code == 400
    listed = await client.get("/api/v1/congress-terms", headers=people["commune"].headers)
    assert [t["code"] for t in listed.json()] == [TERM]


async def test_deadlines_tighten_downwards_and_never_loosen(
    client: AsyncClient, people: dict[str, Person], term: dict[str, Any]
) -> None:
    # The province brings its communes' congress forward by a month.
    set_by_province = await deadline(client, people["province"], PROVINCE, "commune", "congress_day", "2026-03-31")
    assert set_by_province.status_code == 200, set_by_province.text
    assert set_by_province.json()["parent_due_on"] == "2026-04-30"
    assert set_by_province.json()["milestones_updated"] == 126
    dues = await due_dates("congress_day")
    assert dues[COMMUNE] == dues[NEXT_COMMUNE] == "2026-03-31"
    assert dues["01273"] == "2026-04-30"  # a commune of another province (04) keeps the national default

    # A ward may tighten its own further, not loosen what the province set.
    tighter = await deadline(client, people["commune"], COMMUNE, "commune", "congress_day", "2026-03-25")
    assert tighter.status_code == 200, tighter.text
    later = await deadline(client, people["commune"], COMMUNE, "commune", "congress_day", "2026-04-15")
    assert later.status_code == 400
    assert problem_type(later) == "congress-deadline-later-than-parent"
    assert "2026-03-31" in later.json()["detail"]
    dues = await due_dates("congress_day")
    assert (dues[COMMUNE], dues[NEXT_COMMUNE]) == ("2026-03-25", "2026-03-31")

    # The province may not go past the national default either, and a ward cannot set its province's.
    too_late = await deadline(client, people["province"], PROVINCE, "commune", "congress_day", "2026-05-15")
    assert problem_type(too_late) == "congress-deadline-later-than-parent"
    below = await deadline(client, people["commune"], COMMUNE, "province", "congress_day", "2026-03-01")
    assert below.status_code == 400
    outside = await deadline(client, people["other_province"], PROVINCE, "commune", "plan", "2026-01-01")
    assert outside.status_code == 404

    # The province moves its date back out (within the default): the ward's own tighter date still binds it.
    relaxed = await deadline(client, people["province"], PROVINCE, "commune", "congress_day", "2026-04-20")
    assert relaxed.status_code == 200
    dues = await due_dates("congress_day")
    assert (dues[COMMUNE], dues[NEXT_COMMUNE]) == ("2026-03-25", "2026-04-20")
    congress = await congress_of(client, people["commune"], COMMUNE)
    assert milestone(congress, "congress_day")["due_on"] == "2026-03-25"


async def test_member_organisations_follow_the_front_congress(client: AsyncClient, people: dict[str, Person]) -> None:
    body = TERM_BODY | {"levels": TERM_BODY["levels"][:1], "organisations": ["hoi_lhpn", "doan_tn"]}
    response = await client.post("/api/v1/congress-terms", json=body, headers=people["central"].headers)
    assert response.status_code == 201, response.text
    assert response.json()["congresses"] == 34 * 3
    front = await congress_of(client, people["province"], PROVINCE)
    women = await client.get(
        f"/api/v1/congresses/by-unit/{PROVINCE}",
        params={"term": TERM, "organisation": "hoi_lhpn"},
        headers=people["province"].headers,
    )
    assert women.json()["follows"] == front["id"] and front["follows"] is None
    national = await client.get(
        "/api/v1/congress-dashboard", params={"organisation": "doan_tn"}, headers=people["central"].headers
    )
    assert national.json()["units"] == 34
