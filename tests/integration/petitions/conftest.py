"""The people of the petition tests: two residential areas of one commune, a cadre in the first, the
commune's officer, a second commune officer, the province's officer, the next commune's officer and a
citizen; each with a bearer token."""

from __future__ import annotations

import pytest
from httpx import AsyncClient
from petition_helpers import COMMUNE, NEXT_COMMUNE, PROVINCE, Person

from backend.lib.clock import FrozenClock
from backend.settings import Settings
from support.config import settings_for
from support.identity import access_token_for, bearer, make_account


@pytest.fixture
def settings(database: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return settings_for(database, petitions_storage_dir=str(tmp_path_factory.mktemp("petition-files")))


@pytest.fixture
async def people(client: AsyncClient, settings: Settings, clock: FrozenClock) -> dict[str, Person]:
    officer = await make_account(settings, clock, "officer", "commune_officer", COMMUNE)
    officer_token = await access_token_for(client, "officer")
    created = await client.post(
        f"/api/v1/units/{COMMUNE}/areas",
        json={"name": "Tổ dân phố số 5", "kind": "to_dan_pho"},
        headers=bearer(officer_token),
    )
    assert created.status_code == 201, created.text
    area = created.json()["code"]
    accounts = {
        "cadre": await make_account(settings, clock, "cadre", "area_cadre", area),
        "colleague": await make_account(settings, clock, "colleague", "commune_officer", COMMUNE),
        "province": await make_account(settings, clock, "province", "province_officer", PROVINCE),
        "neighbour": await make_account(settings, clock, "neighbour", "commune_officer", NEXT_COMMUNE),
        "citizen": await make_account(settings, clock, "citizen", "citizen", "TW"),
    }
    people = {"officer": Person(officer, officer_token, area)}
    for name, account_id in accounts.items():
        people[name] = Person(account_id, await access_token_for(client, name), area)
    return people
