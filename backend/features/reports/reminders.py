"""Reminders before the weekly report's deadline: each officer of a unit that has not submitted the week's
report hears of it once, `MATTRAN_REPORTS_REMINDER_HOURS` before the deadline.

Run every hour by the worker (`reports:remind_deadline`). Set-based: one query finds the officers of units
without a submitted report who were not reminded yet (the notification's dedup key, unique per account, is
the record of "reminded": `reports:reminder:<unit>:<week>`), and notify() puts each reminder in the inbox and
on its way to the officer's devices in the same transaction, so a re-run or a second worker sends nothing
twice and a crash loses nothing.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from backend import db
from backend.features.notify.service import notify
from backend.features.reports import rules
from backend.lib.access import ROLE_PERMISSIONS, Permission
from backend.lib.clock import VIETNAM, Clock
from backend.lib.i18n import translate
from backend.settings import Settings

DEDUP_PREFIX = "reports:reminder:"
# Roles whose holders write their unit's report (service.officer_units): those with the write permission.
OFFICER_ROLES = sorted(role.value for role, permissions in ROLE_PERMISSIONS.items() if Permission.write in permissions)

# Officers (active accounts, roles valid today) of current units with no submitted report for the week
# (a draft does not count; a submitted one corrected later stays "superseded" and counts), not yet reminded.
_DUE_SQL = """
    SELECT r.account, u.code, u.name
    FROM role_assignments r
    JOIN accounts a ON a.id = r.account AND a.status = 'active'
    JOIN units u ON u.code = r.unit AND (u.valid_to IS NULL OR u.valid_to > $2)
    WHERE r.role = ANY($1::text[])
      AND (r.valid_from IS NULL OR r.valid_from <= $2) AND (r.valid_to IS NULL OR r.valid_to > $2)
      AND NOT EXISTS (
          SELECT 1 FROM unit_reports rep
          WHERE rep.unit_code = u.code AND rep.week_start = $3 AND rep.status <> 'draft'
      )
      AND NOT EXISTS (
          SELECT 1 FROM notifications n WHERE n.account = r.account AND n.dedup_key = $4 || u.code || ':' || $5
      )
    ORDER BY r.account, u.code
"""


async def remind(settings: Settings, clock: Clock) -> int:
    """Send the reminders due now; returns how many were sent."""
    now = clock.now()
    today = now.astimezone(VIETNAM).date()
    sent = 0
    async with db.transaction(), db.connection() as conn:
        for week_start in rules.weeks_to_remind(now, settings.reports_deadline_hours, settings.reports_reminder_hours):
            week = rules.week_label(week_start)
            rows = await conn.fetch(_DUE_SQL, OFFICER_ROLES, today, week_start, DEDUP_PREFIX, week)
            for row in rows:
                sent += await _reminder(settings, clock, row, week_start, week) is not None
    return sent


async def _reminder(settings: Settings, clock: Clock, row: Any, week_start: date, week: str) -> Any:
    language = settings.default_language
    deadline = rules.deadline_of(week_start, settings.reports_deadline_hours).astimezone(VIETNAM)
    last_day = week_start + timedelta(days=rules.WEEK_DAYS - 1)
    return await notify(
        row["account"],
        "deadline",
        translate("reports.reminder.title", language, week=week),
        translate(
            "reports.reminder.body",
            language,
            unit=row["name"],
            start=week_start.strftime("%d/%m"),
            end=last_day.strftime("%d/%m/%Y"),
            deadline=deadline.strftime("%H:%M %d/%m/%Y"),
        ),
        dedup_key=f"{DEDUP_PREFIX}{row['code']}:{week}",
        now=clock.now(),
        url=f"/report?unit={row['code']}&week={week}",
        tag=f"report-{row['code']}-{week}",
    )
