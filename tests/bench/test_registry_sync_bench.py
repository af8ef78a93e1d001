"""Registry sync speed (issue 5 targets): a 1,000-operation batch of household creates applied in ≤ 1 s, and
an initial pull of one area of about 300 households in ≤ 200 ms.

Both go through the whole HTTP stack in process (routing, auth, msgspec, the sync core, PostgreSQL), with
other areas holding records too so scope filtering does real work. Median of 3 batches and 5 pulls; run
with `pytest -m bench tests/bench/test_registry_sync_bench.py -s` to see the figures.
"""

from __future__ import annotations

import statistics
import time
import uuid
from typing import Any

import pytest
from httpx import AsyncClient

from backend import db
from backend.lib.clock import FrozenClock
from backend.settings import Settings
from support.identity import access_token_for as token_for
from support.identity import bearer, make_account

pytestmark = pytest.mark.bench

COMMUNE = "00070"
BATCH = 1000
BATCH_RUNS = 3
AREA_HOUSEHOLDS = 300
PULL_RUNS = 5


def household_creates(area: str, count: int) -> list[dict[str, Any]]:
    return [
        {
            "op_id": str(uuid.uuid4()),
            "entity": "household",
            "action": "create",
            "entity_id": str(uuid.uuid4()),
            "fields": {
                "unit_code": area,
                "house_number": str(number),
                "street": "Phố Hàng Bài",
                "circumstances": ["ho_ngheo"] if number % 7 == 0 else [],
                "notes": "Gia đình có người cao tuổi" if number % 3 == 0 else "",
            },
            "at": "2026-03-02T09:15:00+07:00",
        }
        for number in range(count)
    ]


async def push(client: AsyncClient, headers: dict[str, str], operations: list[dict[str, Any]], **body: Any) -> Any:
    response = await client.post(
        "/api/v1/sync", json={"device_id": "bench", "operations": operations, **body}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_registry_sync_speed(client: AsyncClient, settings: Settings, clock: FrozenClock) -> None:
    await make_account(settings, clock, "officer", "commune_officer", COMMUNE)
    officer = bearer(await token_for(client, "officer"))
    areas = []
    for name in ("Tổ dân phố số 1", "Tổ dân phố số 2"):
        created = await client.post(
            f"/api/v1/units/{COMMUNE}/areas", json={"name": name, "kind": "to_dan_pho"}, headers=officer
        )
        assert created.status_code == 201, created.text
        areas.append(created.json()["code"])
    await make_account(settings, clock, "busy", "area_cadre", areas[0])
    await make_account(settings, clock, "quiet", "area_cadre", areas[1])
    busy, quiet = bearer(await token_for(client, "busy")), bearer(await token_for(client, "quiet"))

    # 1,000 household creates in one batch (applied in chunks of operations sharing a transaction).
    batch_seconds, batch_cpu = [], []
    for _ in range(BATCH_RUNS):
        operations = household_creates(areas[0], BATCH)
        started, cpu = time.perf_counter(), time.process_time()
        answer = await push(client, busy, operations)
        batch_seconds.append(time.perf_counter() - started)
        batch_cpu.append(time.process_time() - cpu)
        assert [r["status"] for r in answer["results"]] == ["applied"] * BATCH

    # An initial pull of one area of 300 households, next to an area holding 3,000.
    answer = await push(client, quiet, household_creates(areas[1], AREA_HOUSEHOLDS))
    assert {r["status"] for r in answer["results"]} == {"applied"}
    async with db.connection() as conn:
        await conn.execute("ANALYZE households")
    pull_ms = []
    for _ in range(PULL_RUNS):
        started = time.perf_counter()
        pulled = await push(client, quiet, [], pull=True)
        pull_ms.append((time.perf_counter() - started) * 1000)
        assert len(pulled["changes"]) == AREA_HOUSEHOLDS and not pulled["more"]

    batch, pull = statistics.median(batch_seconds), statistics.median(pull_ms)
    print(
        f"\nregistry sync: {BATCH}-operation household batch {batch:.2f} s (median of {BATCH_RUNS},"
        f" runs {', '.join(f'{s:.2f}' for s in batch_seconds)}; target 1 s; of which this process's CPU"
        f" {statistics.median(batch_cpu):.2f} s, the rest PostgreSQL and waiting);"
        f" initial pull of {AREA_HOUSEHOLDS} households {pull:.0f} ms (median of {PULL_RUNS},"
        f" runs {', '.join(f'{m:.0f}' for m in pull_ms)}; target 200 ms)"
    )
