"""Petition speed (issue 6 targets), at 1,000,000 petitions with one open deadline step each:
- the staff inbox (20 per page, filtered by state, by due date, within the caller's scope) p95 ≤ 20 ms, for a
  commune officer, a province officer and a central one, through the whole HTTP stack in process;
- filing a petition without attachments p95 ≤ 30 ms (HTTP, no account: tracking code, audit, deadline step);
- the deadline scan over the 1,000,000 open steps ≤ 2 s. 500 of them have a reminder due, each notified:
  with four reminders per step over a month, 1,000,000 open steps make about 460 due per five-minute scan.

The rows are loaded with COPY (asyncpg copy_records_to_table), spread over every commune of the official
catalogue. Run with `pytest -m bench tests/bench/test_petitions_bench.py -s` to see the figures.
"""

from __future__ import annotations

import statistics
import time
import uuid

import pytest
from httpx import AsyncClient

from backend.features.petitions.reminders import DeadlineScanner
from backend.lib.clock import FrozenClock
from backend.settings import Settings
from support.identity import access_token_for, bearer, make_account
from support.petition_data import DUE_NOW, OPEN_STATES, PETITIONS, seed

pytestmark = pytest.mark.bench

INBOX_RUNS = 200
FILING_RUNS = 200


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18]


async def timed_inbox(client: AsyncClient, headers: dict[str, str], runs: int) -> list[float]:
    samples = []
    for run in range(runs):
        state = OPEN_STATES[run % len(OPEN_STATES)]
        started = time.perf_counter()
        response = await client.get("/api/v1/petitions", params={"state": state, "limit": 20}, headers=headers)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.text
        assert len(response.json()["items"]) == 20
    return samples


async def test_inbox_filing_and_deadline_scan_at_a_million(
    client: AsyncClient, settings: Settings, clock: FrozenClock
) -> None:
    commune = await make_account(settings, clock, "bench.xa", "commune_officer", "00070")
    await make_account(settings, clock, "bench.tinh", "province_officer", "01")
    await make_account(settings, clock, "bench.tw", "central_admin", "TW")
    started = time.perf_counter()
    await seed(clock.now(), commune)
    print(f"\nseeded {PETITIONS:,} petitions and open steps in {time.perf_counter() - started:.1f} s")

    for username in ("bench.xa", "bench.tinh", "bench.tw"):
        headers = bearer(await access_token_for(client, username))
        await timed_inbox(client, headers, 20)  # warm the pool and the caches
        samples = await timed_inbox(client, headers, INBOX_RUNS)
        print(f"inbox {username}: median {statistics.median(samples):.1f} ms, p95 {p95(samples):.1f} ms")
        assert p95(samples) <= 20

    filing = []
    for number in range(FILING_RUNS):
        body = {
            "id": str(uuid.uuid4()),
            "title": f"Phản ánh thử {number}",
            "description": "Nội dung phản ánh.",
            "unit_code": "00070",
            "contact_phone": "0912345678",
        }
        started = time.perf_counter()
        response = await client.post("/api/v1/petitions", json=body)
        filing.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 201, response.text
    print(f"filing: median {statistics.median(filing):.1f} ms, p95 {p95(filing):.1f} ms")
    assert p95(filing) <= 30

    started = time.perf_counter()
    report = await DeadlineScanner(settings, clock).scan()
    scan_seconds = time.perf_counter() - started
    print(f"deadline scan: {report.as_dict()} in {scan_seconds:.2f} s")
    assert report.reminded == DUE_NOW
    assert scan_seconds <= 2
