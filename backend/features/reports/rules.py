"""Pure rules of unit reports: ISO weeks, deadlines, the order of levels (unit-tested without a database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from backend.features.registry.rules import invalid
from backend.lib.clock import VIETNAM

WEEK_DAYS = 7
# Levels below a unit, from the top: the order the roll-up lists them in.
LEVEL_ORDER = ("central", "province", "commune", "residential_area")


def week_start_of(week: str) -> date:
    """The Monday of an ISO week written as in the paths ("2026-W10"); 400 for a week that does not exist."""
    year, _, number = week.partition("-W")
    try:
        return date.fromisocalendar(int(year), int(number), 1)
    except ValueError:
        raise invalid("week", "problem.reports.bad_week", week, week=week) from None


def week_label(day: date) -> str:
    year, number, _ = day.isocalendar()
    return f"{year}-W{number:02d}"


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def check_not_future(week_start: date, today: date) -> None:
    """A week that has not begun cannot be reported on (the current one can: units report on Fridays)."""
    if week_start > monday_of(today):
        raise invalid("week", "problem.reports.future_week", week_label(week_start), week=week_label(week_start))


def deadline_of(week_start: date, hours_after_week: int) -> datetime:
    """When the week's report is due: this many hours after the week ends (Sunday midnight, Vietnam time)."""
    week_end = datetime.combine(week_start + timedelta(days=WEEK_DAYS), time(), VIETNAM)
    return (week_end + timedelta(hours=hours_after_week)).astimezone(UTC)


def weeks_to_remind(now: datetime, deadline_hours: int, reminder_hours: int) -> list[date]:
    """The weeks whose deadline falls within the next reminder_hours (the current week's or the last one's,
    depending on the settings and the time)."""
    this_week = monday_of(now.astimezone(VIETNAM).date())
    weeks = (this_week - timedelta(days=WEEK_DAYS), this_week)
    return [
        week
        for week in weeks
        if deadline_of(week, deadline_hours) - timedelta(hours=reminder_hours)
        <= now
        < deadline_of(week, deadline_hours)
    ]


def is_late(first_submitted_at: datetime | None, deadline: datetime, now: datetime) -> bool:
    """Late when first reported after the deadline, or not yet reported and the deadline has passed."""
    return (first_submitted_at or now) > deadline


def level_rank(level: str) -> int:
    return LEVEL_ORDER.index(level) if level in LEVEL_ORDER else len(LEVEL_ORDER)
