"""Schemathesis against the app served on a real port: every operation of its OpenAPI, as every role, with
valid and invalid input. No 5xx, every status/content type/body as documented, every error problem+json.

The normal suite runs a few examples per case; `pytest -m fuzz` runs many more (docs/fuzzing.md)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from fuzz_helpers import ROLES, problem_details, run_fuzz, seed_world
from httpx import AsyncClient
from schemathesis.checks import CheckFunction

from backend.app import MattranApp
from backend.lib.clock import FrozenClock
from backend.settings import Settings
from support.config import settings_for
from support.servers import serving

# Examples per operation, role and generation mode (positive, negative).
QUICK_EXAMPLES = 1
LONG_EXAMPLES = int(os.environ.get("MATTRAN_FUZZ_EXAMPLES", "25"))


# GeoReport v2 clients read the specification's own error list, `[{"code", "description"}]`, and not
# problem+json (documented per route as such).
OPEN311 = "/open311/v2/"


def excluded_checks(operation: str, role: str) -> tuple[CheckFunction, ...]:
    return (problem_details,) if OPEN311 in operation else ()


@pytest.fixture
def settings(database: str, tmp_path: Path) -> Settings:
    # Uploads the fuzzer sends land in the test's own folder.
    return settings_for(database, data_dir=str(tmp_path))


@pytest.mark.parametrize(
    "examples", [QUICK_EXAMPLES, pytest.param(LONG_EXAMPLES, marks=pytest.mark.fuzz)], ids=["quick", "long"]
)
async def test_every_operation_as_every_role(
    app: MattranApp, client: AsyncClient, settings: Settings, clock: FrozenClock, examples: int
) -> None:
    world = await seed_world(client, settings, clock)
    assert set(world.tokens) == set(ROLES)
    async with serving(app) as server:
        # The fuzzer is synchronous (requests): it runs in a thread while the server answers in this loop.
        report = await asyncio.to_thread(run_fuzz, server.origin, world, examples, excluded_checks)
    print(
        f"\nfuzz: {len(report.operations)} operations x {len(ROLES)} roles, {report.requests} requests in"
        f" {report.seconds:.1f} s; statuses {dict(sorted(report.statuses.items()))};"
        f" generation {report.generation_seconds:.1f} s; no invalid input possible: {len(report.no_negative)}"
    )
    untested = [(op, role) for op in report.operations for role in ROLES if not report.examples[(op, role)]]
    assert not untested, untested
    assert not report.findings, "\n".join(str(f) for f in report.findings.values())


async def test_a_nul_character_is_bad_input(client: AsyncClient) -> None:
    """Found by the fuzzer: PostgreSQL text cannot hold U+0000, and a query carrying one was a 500."""
    response = await client.get("/api/v1/units?parent=0%00")
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:mattran:problem:validation-error"
    # Open311 clients get the same refusal in the GeoReport format.
    response = await client.get("/open311/v2/requests.json?service_code=a%00b")
    assert response.status_code == 400, response.text
    assert response.json()[0]["code"] == 400
