"""A bearer token carries no roles: each request reads the grant and the role assignments in force that
day (one query), so a role that starts, ends or a grant that is revoked counts from the next request."""

from __future__ import annotations

from datetime import timedelta

import pytest
from httpx import AsyncClient
from registry_helpers import Person, add_household, add_resident

from backend import db
from backend.lib.clock import FrozenClock, today_in_vietnam

pytestmark = pytest.mark.integration


async def test_roles_in_force_and_revoked_grants_count_at_once(
    client: AsyncClient, people: dict[str, Person], clock: FrozenClock
) -> None:
    cadre_a, cadre_b = people["cadre_a"], people["cadre_b"]
    household = await add_household(client, cadre_a)
    await add_resident(client, cadre_a, household["id"], "Nguyễn Văn An", relation_to_head="head")
    url = f"/api/v1/households/{household['id']}"
    today = today_in_vietnam(clock)

    async def set_role(valid_from: object, valid_to: object) -> None:
        async with db.connection() as conn:
            await conn.execute(
                "INSERT INTO role_assignments (account, role, unit, valid_from, valid_to)"
                " VALUES ($1, 'area_cadre', $2, $3, $4) ON CONFLICT (account, role, unit)"
                " DO UPDATE SET valid_from = $3, valid_to = $4",
                cadre_b.account_id,
                cadre_a.area,
                valid_from,
                valid_to,
            )

    assert (await client.get(url, headers=cadre_b.headers)).status_code == 404
    await set_role(None, today)  # ended today
    assert (await client.get(url, headers=cadre_b.headers)).status_code == 404
    await set_role(today + timedelta(days=1), None)  # starts tomorrow
    assert (await client.get(url, headers=cadre_b.headers)).status_code == 404
    await set_role(today, None)
    opened = await client.get(url, headers=cadre_b.headers)
    assert opened.status_code == 200, opened.text
    assert [member["full_name"] for member in opened.json()["members"]] == ["Nguyễn Văn An"]
    async with db.connection() as conn:
        await conn.execute("UPDATE oidc_grants SET revoked_at = now() WHERE account = $1", cadre_b.account_id)
    assert (await client.get(url, headers=cadre_b.headers)).status_code == 401
    assert (await client.get(url, headers=cadre_a.headers)).status_code == 200
