"""Deadlines in working days or hours, on the Vietnamese calendar (pure).

A deadline in working days ends at the end of the last working day (23:59:59.999999 in Viet Nam), the way a
dispatch's "within 10 working days" is read: Saturdays, Sundays and the configured holidays do not count,
and a petition filed on a day off starts counting on the next working day. A deadline in hours is elapsed
time from the start.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, time, timedelta
from typing import Literal

from backend.lib.clock import VIETNAM

DeadlineUnit = Literal["working_days", "hours"]
SATURDAY = 5


def is_working_day(day: date, holidays: Collection[date]) -> bool:
    return day.weekday() < SATURDAY and day not in holidays


def add_working_days(start: date, days: int, holidays: Collection[date]) -> date:
    """The date on which a period of `days` working days counted from the day after start ends."""
    day = start
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day, holidays):
            remaining -= 1
    return day


def due_at(start: datetime, amount: int, unit: DeadlineUnit, holidays: Collection[date]) -> datetime:
    """When a step started at `start` with this allowance falls due (timezone-aware)."""
    if unit == "hours":
        return start + timedelta(hours=amount)
    last_day = add_working_days(start.astimezone(VIETNAM).date(), amount, holidays)
    return datetime.combine(last_day, time.max, tzinfo=VIETNAM)


def parse_holidays(text: str) -> frozenset[date]:
    """'2026-04-30,2026-05-01' -> dates; ValueError naming the bad entry."""
    days = set()
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        try:
            days.add(date.fromisoformat(entry))
        except ValueError as error:
            raise ValueError(f"not a date (YYYY-MM-DD): {entry!r}") from error
    return frozenset(days)
