"""The people of the congress tests, each with a bearer token: a central admin, the officer of province 01
(Hà Nội), the officers of two of its wards, and the officer of another province; the test term, opened
through the API (congresses for every province and commune); and the demo term of the dashboard tests.
Each is seeded once per run into a template that each test using it gets a copy of."""

from __future__ import annotations

from typing import Any

import pytest
from congress_helpers import COMMUNE, NEXT_COMMUNE, OTHER_PROVINCE, PROVINCE, TERM_BODY, Person

from backend.features.congress.demo import seed_demo_congresses
from support.identity import access_token_for as token_for
from support.identity import make_account
from support.templates import Seeding, seeded_fixture

ACCOUNTS = {
    "central": ("central_admin", "TW"),
    "province": ("province_officer", PROVINCE),
    "commune": ("commune_officer", COMMUNE),
    "neighbour": ("commune_officer", NEXT_COMMUNE),
    "other_province": ("province_officer", OTHER_PROVINCE),
}


async def seed_people(seeding: Seeding) -> dict[str, Person]:
    people = {}
    for name, (role, unit) in ACCOUNTS.items():
        account_id = await make_account(seeding.settings, seeding.clock, name, role, unit)
        people[name] = Person(account_id, await token_for(seeding.http, name))
    return people


async def seed_term(seeding: Seeding) -> dict[str, Any]:
    central = seeding.values["congress_people"]["central"]
    response = await seeding.http.post("/api/v1/congress-terms", json=TERM_BODY, headers=central.headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def seed_demo_term(seeding: Seeding) -> None:
    counts = await seed_demo_congresses(seeding.settings, seeding.clock, seed=7)
    assert counts["congresses"] == 1 + 34 + 3321


# Named for the feature: seeded fixtures are found by name among a test's fixtures, and `people` is common.
congress_people = seeded_fixture("congress_people", seed_people)
congress_term = seeded_fixture("congress_term", seed_term, base="congress_people")
congress_demo_term = seeded_fixture("congress_demo_term", seed_demo_term, base="congress_people")


@pytest.fixture
def people(congress_people: dict[str, Person]) -> dict[str, Person]:
    return congress_people


@pytest.fixture
def term(congress_term: dict[str, Any]) -> dict[str, Any]:
    return congress_term


@pytest.fixture
def demo(congress_demo_term: None) -> None:
    """The demo term (every province and commune, progress drawn with seed 7), for the dashboard."""
