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

import random
import statistics
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from httpx import AsyncClient

from backend import db
from backend.features.petitions.reminders import DeadlineScanner
from backend.lib.clock import FrozenClock
from backend.lib.text import fold
from backend.settings import Settings
from support.identity import access_token_for, bearer, make_account

pytestmark = pytest.mark.bench

PETITIONS = 1_000_000
DUE_NOW = 500
CHUNK = 100_000
INBOX_RUNS = 200
FILING_RUNS = 200
OPEN_STATES = ("received", "classified", "assigned", "forwarded")
CATEGORIES = ("dat_dai", "moi_truong", "an_sinh_xa_hoi", "ha_tang", "thu_tuc_hanh_chinh")
COLUMNS = (
    "id",
    "tracking_code",
    "create_fingerprint",
    "channel",
    "filed_by",
    "contact_phone",
    "title",
    "description",
    "text_folded",
    "category_code",
    "origin_unit_code",
    "origin_unit_path",
    "unit_code",
    "unit_path",
    "state",
    "assignee",
    "due_at",
    "created_at",
    "updated_at",
)
STEP_COLUMNS = (
    "petition_id",
    "step",
    "unit_path",
    "assignee",
    "started_at",
    "due_at",
    "next_reminder",
    "next_reminder_at",
)
TITLES = ("Đèn đường hỏng", "Rác thải đổ trộm", "Ổ gà trên đường", "Cống thoát nước tắc", "Tiếng ồn ban đêm")


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18]


def seed_rows(
    communes: list[Any], now: datetime, assignee: uuid.UUID, numbers: range
) -> Iterator[tuple[tuple[Any, ...], tuple[Any, ...]]]:
    rng = random.Random(numbers.start)
    for number in numbers:
        commune = communes[number % len(communes)]
        title = f"{TITLES[number % len(TITLES)]} số {number}"
        description = f"{title}: người dân phản ánh đã nhiều ngày chưa được xử lý."
        # A few steps are two days from their deadline: their first reminder has just fallen due (the scan's
        # work). The others' first reminder is still ahead.
        minutes = 60 * 24 * 2 - 1 if number < DUE_NOW else rng.randrange(60 * 24 * 3, 60 * 24 * 60)
        due = now + timedelta(minutes=minutes)
        reminder_at = due - timedelta(days=2)
        petition_id = uuid.UUID(int=number + 1)
        state = OPEN_STATES[number % len(OPEN_STATES)]
        created = now - timedelta(minutes=rng.randrange(1, 60 * 24 * 60))
        petition = (
            petition_id,
            f"KN-BENCH-{number:010d}",
            "0" * 64,
            "web",
            "anonymous",
            "0912345678",
            title,
            description,
            fold(f"{title} {description}"),
            CATEGORIES[number % len(CATEGORIES)],
            commune["code"],
            commune["path"],
            commune["code"],
            commune["path"],
            state,
            assignee if number < DUE_NOW else None,
            due,
            created,
            created,
        )
        step = (
            petition_id,
            "answer",
            commune["path"],
            assignee if number < DUE_NOW else None,
            created,
            due,
            "t-2",
            reminder_at,
        )
        yield petition, step


async def seed(now: datetime, assignee: uuid.UUID) -> None:
    async with db.connection() as conn:
        communes = list(await conn.fetch("SELECT code, path FROM units WHERE level = 'commune' ORDER BY code"))
        for start in range(0, PETITIONS, CHUNK):
            rows = list(seed_rows(communes, now, assignee, range(start, min(start + CHUNK, PETITIONS))))
            await conn.copy_records_to_table("petitions", records=[r[0] for r in rows], columns=COLUMNS)
            await conn.copy_records_to_table("petition_steps", records=[r[1] for r in rows], columns=STEP_COLUMNS)
        # A live table is vacuumed (visibility map, hint bits, statistics): measure that state, not the
        # minute after a bulk load.
        await conn.execute("VACUUM ANALYZE petitions")
        await conn.execute("VACUUM ANALYZE petition_steps")


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
