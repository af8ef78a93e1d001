"""ISO weeks, deadlines and lateness of unit reports."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from backend.features.reports import rules
from backend.lib.errors import InvalidInputError


def test_iso_weeks_round_trip() -> None:
    assert rules.week_start_of("2026-W10") == date(2026, 3, 2)
    assert rules.week_start_of("2026-W01") == date(2025, 12, 29)  # ISO week 1 holds the first Thursday
    assert rules.week_label(date(2025, 12, 31)) == "2026-W01"
    assert rules.week_label(date(2026, 3, 8)) == "2026-W10"
    assert rules.week_start_of("2020-W53") == date(2020, 12, 28)


@pytest.mark.parametrize("week", ["2026-W00", "2025-W53", "2026-W99"])
def test_a_week_that_does_not_exist_is_refused(week: str) -> None:
    with pytest.raises(InvalidInputError) as error:
        rules.week_start_of(week)
    assert error.value.errors[0].field == "week"


def test_the_current_week_may_be_reported_a_future_one_not() -> None:
    sunday = date(2026, 3, 8)
    rules.check_not_future(date(2026, 3, 2), sunday)
    with pytest.raises(InvalidInputError):
        rules.check_not_future(date(2026, 3, 9), sunday)


def test_deadline_is_hours_after_sunday_midnight_in_viet_nam() -> None:
    assert rules.deadline_of(date(2026, 2, 23), 12) == datetime(2026, 3, 2, 5, tzinfo=UTC)
    assert rules.deadline_of(date(2026, 2, 23), 0) == datetime(2026, 3, 1, 17, tzinfo=UTC)


def test_late_means_first_reported_after_the_deadline() -> None:
    deadline = datetime(2026, 3, 2, 5, tzinfo=UTC)
    before, after = datetime(2026, 3, 2, 4, tzinfo=UTC), datetime(2026, 3, 2, 6, tzinfo=UTC)
    assert not rules.is_late(before, deadline, after)
    assert rules.is_late(after, deadline, after)
    assert not rules.is_late(None, deadline, before)  # not yet reported, still in time
    assert rules.is_late(None, deadline, after)


def test_levels_are_listed_from_the_top() -> None:
    levels = ["residential_area", "province", "commune"]
    assert sorted(levels, key=rules.level_rank) == ["province", "commune", "residential_area"]
