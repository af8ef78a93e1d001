"""Deadlines on the injected clock: a reminder on assignment, at T-2 days, T-1 day and when overdue, each
sent once however often the scan runs; escalation to the level above after the grace."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from httpx import AsyncClient
from petition_helpers import COMMUNE, PROVINCE, Person, act, file_petition

from backend import db
from backend.features.petitions.reminders import DeadlineScanner
from backend.lib.clock import VIETNAM, FrozenClock
from backend.settings import Settings

pytestmark = pytest.mark.integration


async def titles_for(person: Person) -> list[str]:
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT title FROM notifications WHERE account = $1 ORDER BY created_at, id", person.account_id
        )
    return [row["title"] for row in rows]


async def assigned_petition(client: AsyncClient, people: dict[str, Person]) -> tuple[str, str]:
    pid = (await file_petition(client, COMMUNE))["id"]
    await act(client, people["officer"], pid, "classify", category_code="moi_truong")  # 10 working days
    response = await act(client, people["officer"], pid, "assign", assignee=str(people["colleague"].account_id))
    assert response.status_code == 200
    return pid, response.json()["due_at"]


async def test_reminders_go_once_each_at_their_time(
    client: AsyncClient, people: dict[str, Person], settings: Settings, clock: FrozenClock
) -> None:
    pid, due_text = await assigned_petition(client, people)
    scanner = DeadlineScanner(settings, clock)
    assignee = people["colleague"]
    assert await titles_for(assignee) == ["Phản ánh mới được giao"]
    # Monday 2 March 2026, 10 working days: due at the end of Monday 16 March (Viet Nam).
    due = await db_due(pid)
    assert due == datetime.fromisoformat(due_text)
    assert due.astimezone(VIETNAM).isoformat() == "2026-03-16T23:59:59.999999+07:00"

    expected = []
    for moment, title in (
        (due - timedelta(days=2), "Còn 2 ngày đến hạn xử lý"),
        (due - timedelta(days=1), "Còn 1 ngày đến hạn xử lý"),
        (due + timedelta(seconds=1), "Phản ánh đã quá hạn xử lý"),
    ):
        clock.set(moment - timedelta(minutes=1))
        await scanner.scan()
        assert await titles_for(assignee) == ["Phản ánh mới được giao", *expected]
        clock.set(moment)
        await scanner.scan()
        await scanner.scan()  # a second run sends nothing more
        expected.append(title)
        assert await titles_for(assignee) == ["Phản ánh mới được giao", *expected]


async def db_due(pid: str) -> datetime:
    async with db.connection() as conn:
        due: datetime = await conn.fetchval(
            "SELECT due_at FROM petition_steps WHERE petition_id = $1 AND done_at IS NULL", uuid.UUID(pid)
        )
    return due


async def handling(pid: str) -> tuple[str, int, str]:
    """(unit, escalations, last timeline action), read directly: tokens expire as the clock moves weeks on."""
    async with db.connection() as conn:
        row = await conn.fetchrow("SELECT unit_code, escalations FROM petitions WHERE id = $1", uuid.UUID(pid))
        last = await conn.fetchval(
            "SELECT action FROM petition_events WHERE petition_id = $1 ORDER BY id DESC LIMIT 1", uuid.UUID(pid)
        )
    return row["unit_code"], row["escalations"], last


async def test_an_overdue_petition_escalates_after_the_grace(
    client: AsyncClient, people: dict[str, Person], settings: Settings, clock: FrozenClock
) -> None:
    pid, _ = await assigned_petition(client, people)
    due = await db_due(pid)
    scanner = DeadlineScanner(settings, clock)
    grace = timedelta(hours=settings.petitions_escalation_grace_hours)

    clock.set(due + grace - timedelta(seconds=1))
    await scanner.scan()
    assert (await handling(pid))[:2] == (COMMUNE, 0)

    clock.set(due + grace)
    report = await scanner.scan()
    again = await scanner.scan()

    assert (report.escalated, again.escalated) == (1, 0)
    assert await handling(pid) == (PROVINCE, 1, "escalate")
    assert await titles_for(people["province"]) == ["Phản ánh quá hạn chuyển lên cấp trên"]


async def test_a_late_scan_sends_only_the_latest_reminder(
    client: AsyncClient, people: dict[str, Person], settings: Settings, clock: FrozenClock
) -> None:
    pid, _ = await assigned_petition(client, people)
    clock.set(await db_due(pid) + timedelta(hours=1))

    await DeadlineScanner(settings, clock).scan()

    assert await titles_for(people["colleague"]) == ["Phản ánh mới được giao", "Phản ánh đã quá hạn xử lý"]


async def test_an_answered_petition_is_not_reminded(
    client: AsyncClient, people: dict[str, Person], settings: Settings, clock: FrozenClock
) -> None:
    pid, _ = await assigned_petition(client, people)
    await act(client, people["officer"], pid, "reject", reason="Người dân đã rút phản ánh.")
    clock.advance(timedelta(days=60))

    report = await DeadlineScanner(settings, clock).scan()

    assert report.steps == 0
    assert await titles_for(people["colleague"]) == ["Phản ánh mới được giao"]
