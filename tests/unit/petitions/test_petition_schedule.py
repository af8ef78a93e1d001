"""Working-day deadlines and the reminder schedule (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from backend.features.petitions import calendar, deadlines
from backend.lib.clock import VIETNAM

pytestmark = pytest.mark.unit
MONDAY = date(2026, 3, 2)


def test_working_days_skip_weekends() -> None:
    assert calendar.add_working_days(MONDAY, 5, frozenset()) == date(2026, 3, 9)
    friday = date(2026, 3, 6)
    assert calendar.add_working_days(friday, 1, frozenset()) == date(2026, 3, 9)


def test_working_days_skip_holidays() -> None:
    holidays = calendar.parse_holidays("2026-03-03, 2026-03-04")
    assert calendar.add_working_days(MONDAY, 1, holidays) == date(2026, 3, 5)


def test_a_filing_on_saturday_counts_from_monday() -> None:
    saturday_evening = datetime(2026, 3, 7, 20, 0, tzinfo=VIETNAM)
    due = calendar.due_at(saturday_evening, 1, "working_days", frozenset())
    assert due == datetime.combine(date(2026, 3, 9), time.max, tzinfo=VIETNAM)


def test_hour_deadlines_are_elapsed_time() -> None:
    start = datetime(2026, 3, 7, 1, 0, tzinfo=UTC)
    assert calendar.due_at(start, 72, "hours", frozenset()) == start + timedelta(hours=72)


def test_a_bad_holiday_is_named() -> None:
    with pytest.raises(ValueError, match="30/04"):
        calendar.parse_holidays("2026-05-01,30/04")


DUE = datetime(2026, 3, 20, 10, 0, tzinfo=UTC)
GRACE = timedelta(hours=24)


def test_reminders_come_in_order() -> None:
    stages = [stage for stage, _ in deadlines.schedule(DUE, GRACE)]
    assert stages == ["t-2", "t-1", "overdue", "escalate"]
    assert deadlines.first_pending(DUE, GRACE, DUE - timedelta(days=5)) == ("t-2", DUE - timedelta(days=2))


def test_a_short_deadline_starts_at_a_later_reminder() -> None:
    assert deadlines.first_pending(DUE, GRACE, DUE - timedelta(hours=30)) == ("t-1", DUE - timedelta(days=1))
    assert deadlines.first_pending(DUE, GRACE, DUE + GRACE) is None


def test_a_late_scan_sends_only_the_latest_due_reminder() -> None:
    assert deadlines.to_send(DUE, GRACE, DUE + timedelta(hours=1), "t-2") == "overdue"
    assert deadlines.to_send(DUE, GRACE, DUE - timedelta(days=2), "t-2") == "t-2"
    assert deadlines.to_send(DUE, GRACE, DUE - timedelta(days=3), "t-2") is None
    assert deadlines.to_send(DUE, GRACE, DUE + GRACE, "overdue") == "escalate"
