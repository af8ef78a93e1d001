"""The reminder before the weekly report's deadline: the officers of each unit that has not submitted the
week's report get one notification, MATTRAN_REPORTS_REMINDER_HOURS (24) before the deadline (Monday noon in
Viet Nam); a draft does not count as submitted; running again sends nothing twice; none once it is due."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
import pytest
from httpx import AsyncClient
from reports_helpers import COMMUNE, LAST_WEEK, NEXT_COMMUNE, PROVINCE, THIS_WEEK, Person, report_url, submitted

from backend.features.reports.reminders import remind
from backend.lib.clock import FrozenClock
from backend.settings import Settings
from support.identity import make_account

pytestmark = pytest.mark.integration

# LAST_WEEK (2026-W09) is due on Monday 2 March at noon in Viet Nam, 05:00 UTC; the test clock is 03:00 UTC.
DUE = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)


async def reminders(database: str) -> set[tuple[object, str]]:
    conn = await asyncpg.connect(database)
    try:
        rows = await conn.fetch("SELECT account, dedup_key FROM notifications WHERE dedup_key LIKE 'reports:%'")
    finally:
        await conn.close()
    return {(row["account"], row["dedup_key"]) for row in rows}


def key(unit: str, week: str = LAST_WEEK) -> str:
    return f"reports:reminder:{unit}:{week}"


async def test_officers_of_units_without_a_submitted_report_are_reminded_once(
    client: AsyncClient, people: dict[str, Person], settings: Settings, clock: FrozenClock, database: str
) -> None:
    await submitted(client, people["cadre_b"], LAST_WEEK, members=10)
    draft = await client.put(
        report_url(people["cadre_a"].unit, LAST_WEEK), json={"members": 3}, headers=people["cadre_a"].headers
    )
    assert draft.status_code == 201, draft.text
    now = clock.now()

    clock.set(datetime(2026, 3, 1, 4, 0, tzinfo=UTC))  # 25 hours before: not yet
    assert await remind(settings, clock) == 0
    clock.set(now)
    expected = {
        (people["officer"].account_id, key(COMMUNE)),
        (people["next_officer"].account_id, key(NEXT_COMMUNE)),
        (people["province"].account_id, key(PROVINCE)),
        (people["cadre_a"].account_id, key(people["cadre_a"].unit)),  # a draft is not a report
        (people["cadre_next"].account_id, key(people["cadre_next"].unit)),
    }  # not cadre_b (submitted), nor the third area (nobody is its officer)
    assert await remind(settings, clock) == len(expected)
    assert await reminders(database) == expected
    assert await remind(settings, clock) == 0  # once per unit and week

    conn = await asyncpg.connect(database)
    try:
        row = await conn.fetchrow(
            "SELECT kind, title, body, url FROM notifications WHERE account = $1 AND dedup_key = $2",
            people["cadre_a"].account_id,
            key(people["cadre_a"].unit),
        )
    finally:
        await conn.close()
    assert dict(row) == {
        "kind": "deadline",
        "title": "Sắp đến hạn báo cáo tuần 2026-W09",
        "body": "Tổ dân phố số 1: chưa gửi báo cáo tuần 23/02–01/03/2026. Hạn chót: 12:00 02/03/2026.",
        "url": f"/report?unit={people['cadre_a'].unit}&week=2026-W09",
    }

    # An officer newly assigned to the third area: nothing once the report is due, a reminder just before.
    newcomer = await make_account(settings, clock, "cadre_c", "area_cadre", people["area_c"].unit)
    clock.set(DUE)
    assert await remind(settings, clock) == 0
    clock.set(datetime(2026, 3, 2, 4, 59, tzinfo=UTC))
    assert await remind(settings, clock) == 1
    assert (newcomer, key(people["area_c"].unit)) in await reminders(database)

    # The next week's window opens on Sunday 8 March at noon: everyone who has not reported it, cadre_b too.
    clock.set(datetime(2026, 3, 8, 5, 30, tzinfo=UTC))
    assert await remind(settings, clock) == len(expected) + 2
    assert (people["cadre_b"].account_id, key(people["cadre_b"].unit, THIS_WEEK)) in await reminders(database)
