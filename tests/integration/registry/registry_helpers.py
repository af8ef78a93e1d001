"""Helpers of the registry tests: tokens, and households and residents created through the API."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from httpx import AsyncClient

from backend import db
from support.identity import bearer

COMMUNE, NEXT_COMMUNE, PROVINCE = "00070", "00073", "01"


@dataclass(frozen=True)
class Person:
    account_id: uuid.UUID
    token: str
    area: str | None = None

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.token)


async def add_household(http: AsyncClient, who: Person, **fields: Any) -> dict[str, Any]:
    body = {"id": str(uuid.uuid4()), "unit_code": who.area, "house_number": "1", "street": "Phố Huế"} | fields
    response = await http.post("/api/v1/households", json=body, headers=who.headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def add_resident(http: AsyncClient, who: Person, household_id: str, full_name: str, **fields: Any) -> dict:
    body = {"id": str(uuid.uuid4()), "household_id": household_id, "full_name": full_name} | fields
    response = await http.post("/api/v1/residents", json=body, headers=who.headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def residents_out_of_listing_order() -> int:
    """Residents whose copy of their household's listing order (address_sort, which household searches rank
    ties by) differs from the household's: none, whatever wrote the rows."""
    async with db.connection() as conn:
        return int(
            await conn.fetchval(
                "SELECT count(*) FROM residents r JOIN households h ON h.id = r.household_id"
                " WHERE r.address_sort IS DISTINCT FROM h.address_sort"
            )
        )
