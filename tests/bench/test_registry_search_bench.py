"""Registry reads at national scale (issue 5 targets): household search p95 <= 25 ms and household detail
p95 <= 15 ms, server-side, with 16 clients at once, over 1,000,000 households (about 3.5 million residents).

Needs a database seeded once and kept (seeding takes minutes):
    createdb mattran_bench_1m
    DATABASE_URL=postgresql://.../mattran_bench_1m mattran seed demo --households 1000000
then, with MATTRAN_BENCH_1M_URL=postgresql://.../mattran_bench_1m,
    pytest -m bench tests/bench/test_registry_search_bench.py -s

The server is `mattran serve` in a process of its own (one worker: see WORKERS); server-side time
is its access log's duration of each request (from the request reaching the app to the last byte of its
answer), so it includes waiting for the event loop behind the other clients' requests. Clients are
commune officers and area cadres of several communes, searching as cadres do (names without diacritics,
word prefixes, several words, phone prefixes, street names) and opening households of their scope.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import statistics
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from backend import db
from backend.app import create_app
from backend.lib.clock import Clock, SystemClock
from backend.settings import Settings
from support.config import settings_for
from support.identity import access_token_for, bearer, make_account
from support.light_http import LightConnection
from support.servers import app_running, mattran_serve

pytestmark = pytest.mark.bench

HOUSEHOLDS = 1_000_000
# `mattran serve --workers`: one, the other core being PostgreSQL's (and worker processes started by
# uvicorn for --workers > 1 do not configure logging, so their access log, this bench's clock, is lost).
WORKERS = 1
CLIENTS = 16
REQUESTS_PER_CLIENT = 60
RUNS = 3
COMMUNES = 4
SEARCHES = (
    "nguyen van an", "tran thi", "dang", "le minh", "pham thi lan", "hoang", "vu duc hung", "do thi mai",
    "ngo quang son", "bui", "huynh ngoc", "phan", "vo thi thu", "ho van", "nguyen thi yen", "tran huu",
    "duong le loi", "pho hang bai", "tran phu", "0912", "0987", "12 hung vuong", "xom chua", "le thi hoa",
)  # fmt: skip
SEARCH_P95_MS, DETAIL_P95_MS = 25.0, 15.0


def server_durations(log: Path, start: int) -> tuple[list[tuple[str, float]], int]:
    """(path, duration_ms) of the requests the server logged after byte start, and where the log ends."""
    with log.open("rb") as lines:
        lines.seek(start)
        content = lines.read()
    found = []
    for line in content.splitlines():
        if b'"mattran.access"' in line:
            entry = json.loads(line)
            found.append((str(entry["path"]), float(entry["duration_ms"])))
    return found, start + len(content)


@pytest.fixture
async def bench_settings() -> AsyncIterator[Settings]:
    url = os.environ.get("MATTRAN_BENCH_1M_URL")
    if not url:
        pytest.skip("set MATTRAN_BENCH_1M_URL to a database seeded with --households 1000000")
    await db.connect(url, min_size=4, max_size=10)
    try:
        async with db.connection() as conn:
            households = await conn.fetchval("SELECT count(*) FROM households WHERE deleted_at IS NULL")
        assert households >= HOUSEHOLDS, f"{url} holds {households} households: seed it with --households 1000000"
        yield settings_for(url)
    finally:
        await db.disconnect()


async def _people(http: httpx.AsyncClient, settings: Settings, clock: Clock) -> list[tuple[dict[str, str], str]]:
    """(headers, unit path) of a commune officer and an area cadre in each of COMMUNES communes with
    households; the accounts are made on the first run and kept."""
    async with db.connection() as conn:
        areas = await conn.fetch(
            "SELECT DISTINCT ON (u.parent) u.code, u.parent, u.path, p.path AS parent_path FROM units u"
            " JOIN units p ON p.code = u.parent WHERE u.level = 'residential_area' AND u.valid_to IS NULL"
            " AND EXISTS (SELECT 1 FROM households h WHERE h.unit_code = u.code)"
            " ORDER BY u.parent, u.code LIMIT $1",
            COMMUNES,
        )
        people = []
        for area in areas:
            for role, unit, path in (
                ("commune_officer", area["parent"], area["parent_path"]),
                ("area_cadre", area["code"], area["path"]),
            ):
                username = f"bench.{role}.{unit}"
                if not await conn.fetchval("SELECT 1 FROM accounts WHERE username = $1", username):
                    await make_account(settings, clock, username, role, unit)
                people.append((bearer(await access_token_for(http, username)), path))
    return people


async def _household_ids(path: str, count: int) -> list[uuid.UUID]:
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT id FROM households WHERE unit_path LIKE $1 AND deleted_at IS NULL ORDER BY id LIMIT $2",
            path + "%",
            count,
        )
    return [row["id"] for row in rows]


async def _load(origin: str, urls: list[list[str]], headers: list[dict[str, str]]) -> None:
    """Each client (a list of urls) sends its requests one after the other on its own connection, all
    clients at once (light_http: the clients share the server's two cores, see that module)."""

    async def client(number: int) -> None:
        async with LightConnection(origin) as connection:
            for url in urls[number]:
                status, body = await connection.get(url, headers[number])
                assert status == 200, (url, status, body[:500])

    await asyncio.gather(*(client(number) for number in range(len(urls))))


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


async def test_search_and_detail_at_a_million_households(bench_settings: Settings, tmp_path: Path) -> None:
    clock = SystemClock()  # the seeded database's signing keys date from the seed: real time, as a server
    app = create_app(bench_settings, clock)
    async with app_running(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as http:
            people = await _people(http, bench_settings, clock)
            ids = {path: await _household_ids(path, 500) for _, path in people}
    headers = [people[number % len(people)][0] for number in range(CLIENTS)]
    paths = [people[number % len(people)][1] for number in range(CLIENTS)]
    rng = random.Random(5)
    log = tmp_path / "server.log"
    position = 0

    async def measure(origin: str, clients: int) -> tuple[list[float], list[float]]:
        """Server-side ms of clients' searches, then of clients' household details, REQUESTS_PER_CLIENT each."""
        nonlocal position
        searches = [
            [f"/api/v1/households?q={quote(rng.choice(SEARCHES))}" for _ in range(REQUESTS_PER_CLIENT)]
            for _ in range(clients)
        ]
        details = [
            [f"/api/v1/households/{rng.choice(ids[paths[n]])}" for _ in range(REQUESTS_PER_CLIENT)]
            for n in range(clients)
        ]
        await _load(origin, searches, headers[:clients])
        await asyncio.sleep(0.2)  # the last log lines
        logged, position = server_durations(log, position)
        found = [ms for path, ms in logged if path.rstrip("/") == "/api/v1/households"]
        await _load(origin, details, headers[:clients])
        await asyncio.sleep(0.2)
        logged, position = server_durations(log, position)
        opened = [ms for path, ms in logged if path.rstrip("/") != "/api/v1/households"]
        assert len(found) == len(opened) == clients * REQUESTS_PER_CLIENT, (len(found), len(opened))
        return found, opened

    search_p95, detail_p95, search_p50, detail_p50 = [], [], [], []
    with mattran_serve(bench_settings.database_url, bench_settings.public_url, WORKERS, log) as (origin, _):
        await measure(origin, CLIENTS)  # warms the caches; not counted
        for _ in range(RUNS):
            found, opened = await measure(origin, CLIENTS)
            search_p95.append(_p95(found))
            detail_p95.append(_p95(opened))
            search_p50.append(statistics.median(found))
            detail_p50.append(statistics.median(opened))
        # One client at a time: the cost of a request without queueing behind the others.
        alone_found, alone_opened = await measure(origin, 1)
    search, detail = statistics.median(search_p95), statistics.median(detail_p95)
    print(
        f"\nregistry reads at {HOUSEHOLDS:,} households, {WORKERS} server processes, {CLIENTS} clients,"
        f" {CLIENTS * REQUESTS_PER_CLIENT} requests per run: search p95 {search:.1f} ms"
        f" (runs {', '.join(f'{v:.1f}' for v in search_p95)}; median {statistics.median(search_p50):.1f} ms;"
        f" target {SEARCH_P95_MS:.0f}), household detail p95 {detail:.1f} ms"
        f" (runs {', '.join(f'{v:.1f}' for v in detail_p95)}; median {statistics.median(detail_p50):.1f} ms;"
        f" target {DETAIL_P95_MS:.0f}); one client alone: search p50 {statistics.median(alone_found):.1f} /"
        f" p95 {_p95(alone_found):.1f} ms, detail p50 {statistics.median(alone_opened):.1f} /"
        f" p95 {_p95(alone_opened):.1f} ms"
    )
    assert search <= SEARCH_P95_MS and detail <= DETAIL_P95_MS
