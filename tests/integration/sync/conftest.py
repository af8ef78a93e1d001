"""The people of the sync tests: two residential areas of one commune, a cadre in each, the commune's
officer, and the officer of the next commune; each with a bearer token."""

from __future__ import annotations

import pytest
from httpx import AsyncClient
from sync_helpers import COMMUNE, NEXT_COMMUNE, Person

from backend.lib.clock import FrozenClock
from backend.settings import Settings
from support.identity import access_token_for as token_for
from support.identity import bearer, make_account


@pytest.fixture
async def people(client: AsyncClient, settings: Settings, clock: FrozenClock) -> dict[str, Person]:
    officer = await make_account(settings, clock, "officer", "commune_officer", COMMUNE)
    officer_token = await token_for(client, "officer")
    areas = []
    for name in ("Tổ dân phố số 1", "Tổ dân phố số 2"):
        created = await client.post(
            f"/api/v1/units/{COMMUNE}/areas", json={"name": name, "kind": "to_dan_pho"}, headers=bearer(officer_token)
        )
        assert created.status_code == 201, created.text
        areas.append(created.json()["code"])
    cadre_1 = await make_account(settings, clock, "cadre_1", "area_cadre", areas[0])
    cadre_2 = await make_account(settings, clock, "cadre_2", "area_cadre", areas[1])
    neighbour = await make_account(settings, clock, "neighbour", "commune_officer", NEXT_COMMUNE)
    return {
        "officer": Person(officer, officer_token),
        "cadre_1": Person(cadre_1, await token_for(client, "cadre_1"), areas[0]),
        "cadre_2": Person(cadre_2, await token_for(client, "cadre_2"), areas[1]),
        "neighbour": Person(neighbour, await token_for(client, "neighbour")),
    }
