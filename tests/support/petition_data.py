"""1,000,000 petitions with one open deadline step each, loaded with COPY (asyncpg copy_records_to_table)
and spread over every commune of the official catalogue: the data of the petitions benchmark
(tests/bench/test_petitions_bench.py) and of the load test (tests/load/run.py --prepare).

DUE_NOW of them have their first reminder just due and are assigned to the given account (the deadline scan's
work); the others' reminders are still ahead. Ids are UUID(int=n + 1) and tracking codes tracking_code(n), so a
load can tell them apart and reach them by code.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from backend import db
from backend.features.petitions.service import normal_tracking_code
from backend.lib.text import fold

PETITIONS = 1_000_000
DUE_NOW = 500
CHUNK = 100_000
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
            tracking_code(number),
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


async def seed(now: datetime, assignee: uuid.UUID, count: int = PETITIONS) -> None:
    async with db.connection() as conn:
        communes = list(await conn.fetch("SELECT code, path FROM units WHERE level = 'commune' ORDER BY code"))
        for start in range(0, count, CHUNK):
            rows = list(seed_rows(communes, now, assignee, range(start, min(start + CHUNK, count))))
            await conn.copy_records_to_table("petitions", records=[r[0] for r in rows], columns=COLUMNS)
            await conn.copy_records_to_table("petition_steps", records=[r[1] for r in rows], columns=STEP_COLUMNS)
        # A live table is vacuumed (visibility map, hint bits, statistics): measure that state, not the
        # minute after a bulk load.
        await conn.execute("VACUUM ANALYZE petitions")
        await conn.execute("VACUUM ANALYZE petition_steps")


def tracking_code(number: int) -> str:
    """The tracking code of the petition seeded as number (0-based), in the normal form lookups use."""
    return normal_tracking_code(f"BENCH{number:010d}")
