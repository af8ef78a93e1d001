"""The people of the registry tests: two residential areas (tổ dân phố 5 and 6) of one commune, a cadre
in each, the commune's officer, the province's officer (no sensitive fields), the next commune's officer
and a citizen; each with a bearer token."""

from __future__ import annotations

import pytest
from httpx import AsyncClient
from registry_helpers import COMMUNE, NEXT_COMMUNE, PROVINCE, Person

from backend.lib.clock import FrozenClock
from backend.settings import Settings
from support.identity import access_token_for as token_for
from support.identity import bearer, make_account


@pytest.fixture
async def people(client: AsyncClient, settings: Settings, clock: FrozenClock) -> dict[str, Person]:
    officer = await make_account(settings, clock, "officer", "commune_officer", COMMUNE)
    officer_token = await token_for(client, "officer")
    areas = []
    for name in ("Tổ dân phố số 5", "Tổ dân phố số 6"):
        created = await client.post(
            f"/api/v1/units/{COMMUNE}/areas", json={"name": name, "kind": "to_dan_pho"}, headers=bearer(officer_token)
        )
        assert created.status_code == 201, created.text
        areas.append(created.json()["code"])
    accounts = {
        "cadre_a": await make_account(settings, clock, "cadre_a", "area_cadre", areas[0]),
        "cadre_b": await make_account(settings, clock, "cadre_b", "area_cadre", areas[1]),
        "province": await make_account(settings, clock, "province", "province_officer", PROVINCE),
        "neighbour": await make_account(settings, clock, "neighbour", "commune_officer", NEXT_COMMUNE),
        "citizen": await make_account(settings, clock, "citizen", "citizen", "TW"),
    }
    people = {"officer": Person(officer, officer_token, areas[0])}
    for name, account_id in accounts.items():
        area = areas[1] if name == "cadre_b" else areas[0]
        people[name] = Person(account_id, await token_for(client, name), area)
    return people
