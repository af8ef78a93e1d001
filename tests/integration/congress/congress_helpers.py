"""Helpers of the congress tests: the people (bearer tokens), the test term, and API shortcuts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from httpx import AsyncClient

from support.identity import bearer

PROVINCE, COMMUNE, NEXT_COMMUNE, OTHER_PROVINCE = "01", "00004", "00008", "04"
TERM = "test-2026"
# With the test clock at 2 March 2026: communes' congresses are due 30 April, provinces' 30 June.
TERM_BODY: dict[str, Any] = {
    "code": TERM,
    "name": "Nhiệm kỳ thử nghiệm",
    "levels": [
        {"level": "province", "start_year": 2026, "end_year": 2031, "congress_by": "2026-06-30"},
        {"level": "commune", "start_year": 2026, "end_year": 2031, "congress_by": "2026-04-30"},
    ],
}


@dataclass(frozen=True)
class Person:
    account_id: uuid.UUID
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.token)


async def congress_of(http: AsyncClient, who: Person, unit: str) -> dict[str, Any]:
    response = await http.get(f"/api/v1/congresses/by-unit/{unit}", params={"term": TERM}, headers=who.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def milestone(congress: dict[str, Any], stage: str) -> dict[str, Any]:
    return next(m for m in congress["milestones"] if m["stage"] == stage)


async def report(
    http: AsyncClient, who: Person, congress: dict[str, Any], stage: str, status: str, done_on: str | None = None
) -> Any:
    current = milestone(await congress_of(http, who, congress["unit_code"]), stage)
    body: dict[str, Any] = {"version": current["version"], "status": status}
    if done_on:
        body["done_on"] = done_on
    return await http.put(f"/api/v1/congresses/{congress['id']}/milestones/{stage}", json=body, headers=who.headers)


def problem_type(response: Any) -> str:
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    return str(response.json()["type"]).removeprefix("urn:mattran:problem:")
