"""The people of the congress tests, each with a bearer token: a central admin, the officer of province 01
(Hà Nội), the officers of two of its wards, and the officer of another province; and the test term, opened
through the API (congresses for every province and commune)."""

from __future__ import annotations

from typing import Any

import pytest
from congress_helpers import COMMUNE, NEXT_COMMUNE, OTHER_PROVINCE, PROVINCE, TERM_BODY, Person
from httpx import AsyncClient

from backend.lib.clock import FrozenClock
from backend.settings import Settings
from support.identity import access_token_for as token_for
from support.identity import make_account

ACCOUNTS = {
    "central": ("central_admin", "TW"),
    "province": ("province_officer", PROVINCE),
    "commune": ("commune_officer", COMMUNE),
    "neighbour": ("commune_officer", NEXT_COMMUNE),
    "other_province": ("province_officer", OTHER_PROVINCE),
}


@pytest.fixture
async def people(client: AsyncClient, settings: Settings, clock: FrozenClock) -> dict[str, Person]:
    people = {}
    for name, (role, unit) in ACCOUNTS.items():
        account_id = await make_account(settings, clock, name, role, unit)
        people[name] = Person(account_id, await token_for(client, name))
    return people


@pytest.fixture
async def term(client: AsyncClient, people: dict[str, Person]) -> dict[str, Any]:
    response = await client.post("/api/v1/congress-terms", json=TERM_BODY, headers=people["central"].headers)
    assert response.status_code == 201, response.text
    return dict(response.json())
