"""Citizens file without an account, so the number of writes one address may make without signing in is
limited (ASVS V11.1.4); signed-in callers are not counted."""

from __future__ import annotations

import pytest
from httpx import AsyncClient
from petition_helpers import COMMUNE, Person, petition_body

from backend import db
from backend.settings import Settings
from support.config import settings_for

pytestmark = pytest.mark.integration
LIMIT = 3


@pytest.fixture
def settings(database: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return settings_for(
        database,
        petitions_storage_dir=str(tmp_path_factory.mktemp("petition-files")),
        anonymous_writes_per_minute=LIMIT,
    )


async def petitions_count() -> int:
    async with db.connection() as connection:
        return int(await connection.fetchval("SELECT count(*) FROM petitions"))


async def test_anonymous_writes_over_the_limit_are_refused_and_change_nothing(
    client: AsyncClient, people: dict[str, Person]
) -> None:
    for _ in range(LIMIT):
        filed = await client.post("/api/v1/petitions", json=petition_body(COMMUNE))
        assert filed.status_code == 201, filed.text
    before = await petitions_count()

    refused = await client.post("/api/v1/petitions", json=petition_body(COMMUNE))

    assert refused.status_code == 429
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert int(refused.headers["retry-after"]) > 0
    problem = refused.json()
    assert problem["status"] == 429
    assert "thử lại sau" in problem["detail"]
    assert await petitions_count() == before
    # Reading stays open to the same address: the limit is on writes only.
    assert (await client.get("/api/v1/petitions/published")).status_code == 200


async def test_signed_in_callers_are_not_counted(client: AsyncClient, people: dict[str, Person]) -> None:
    for _ in range(LIMIT + 2):
        filed = await client.post("/api/v1/petitions", json=petition_body(COMMUNE), headers=people["citizen"].headers)
        assert filed.status_code == 201, filed.text
    # The anonymous budget of the same address is still whole.
    assert (await client.post("/api/v1/petitions", json=petition_body(COMMUNE))).status_code == 201
