"""Helpers of the report tests: who is who, households and visits through the API, a report submitted."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from httpx import AsyncClient

from support.identity import bearer

COMMUNE, NEXT_COMMUNE, PROVINCE = "00070", "00073", "01"
# The test clock is Monday 2026-03-02: the current ISO week is 2026-W10, the last full one 2026-W09.
LAST_WEEK, THIS_WEEK, NEXT_WEEK = "2026-W09", "2026-W10", "2026-W11"


@dataclass(frozen=True)
class Person:
    account_id: uuid.UUID
    token: str
    unit: str

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.token)


def report_url(unit: str, week: str, tail: str = "") -> str:
    return f"/api/v1/reports/{unit}/{week}{tail}"


async def visit_households(http: AsyncClient, who: Person, visits: list[tuple[int, str]]) -> None:
    """(household number, visit date) pairs: one household per number, visited on each date given."""
    households: dict[int, str] = {}
    for number, day in visits:
        if number not in households:
            body = {"id": str(uuid.uuid4()), "unit_code": who.unit, "house_number": str(number), "street": "Phố Huế"}
            created = await http.post("/api/v1/households", json=body, headers=who.headers)
            assert created.status_code == 201, created.text
            households[number] = created.json()["id"]
        visit = {"id": str(uuid.uuid4()), "household_id": households[number], "visited_on": day, "purpose": "Thăm hỏi"}
        recorded = await http.post("/api/v1/visits", json=visit, headers=who.headers)
        assert recorded.status_code == 201, recorded.text


async def submitted(http: AsyncClient, who: Person, week: str, **figures: Any) -> dict[str, Any]:
    draft = await http.put(report_url(who.unit, week), json=figures, headers=who.headers)
    assert draft.status_code == 201, draft.text
    done = await http.post(
        report_url(who.unit, week, "/submit"), json={"version": draft.json()["version"]}, headers=who.headers
    )
    assert done.status_code == 200, done.text
    return dict(done.json())
