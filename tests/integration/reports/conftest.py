"""The people of the report tests: three residential areas of commune 00070 (a cadre in two of them), the
commune's officer, an area of the next commune 00073 with its cadre and officer, and the province's officer."""

from __future__ import annotations

import pytest
from httpx import AsyncClient
from reports_helpers import COMMUNE, NEXT_COMMUNE, PROVINCE, Person

from backend.lib.clock import FrozenClock
from backend.settings import Settings
from support.identity import access_token_for as token_for
from support.identity import bearer, make_account


async def _areas(client: AsyncClient, token: str, commune: str, names: list[str]) -> list[str]:
    codes = []
    for name in names:
        created = await client.post(
            f"/api/v1/units/{commune}/areas", json={"name": name, "kind": "to_dan_pho"}, headers=bearer(token)
        )
        assert created.status_code == 201, created.text
        codes.append(created.json()["code"])
    return codes


@pytest.fixture
async def people(client: AsyncClient, settings: Settings, clock: FrozenClock) -> dict[str, Person]:
    made = {
        "officer": (await make_account(settings, clock, "officer", "commune_officer", COMMUNE), COMMUNE),
        "next_officer": (
            await make_account(settings, clock, "next_officer", "commune_officer", NEXT_COMMUNE),
            NEXT_COMMUNE,
        ),
        "province": (await make_account(settings, clock, "province", "province_officer", PROVINCE), PROVINCE),
    }
    tokens = {name: await token_for(client, name) for name in made}
    areas = await _areas(client, tokens["officer"], COMMUNE, ["Tổ dân phố số 1", "Tổ dân phố số 2", "Tổ dân phố số 3"])
    (next_area,) = await _areas(client, tokens["next_officer"], NEXT_COMMUNE, ["Thôn Đông"])
    for name, area in (("cadre_a", areas[0]), ("cadre_b", areas[1]), ("cadre_next", next_area)):
        made[name] = (await make_account(settings, clock, name, "area_cadre", area), area)
        tokens[name] = await token_for(client, name)
    people = {name: Person(account_id, tokens[name], unit) for name, (account_id, unit) in made.items()}
    people["area_c"] = Person(people["officer"].account_id, tokens["officer"], areas[2])
    return people
