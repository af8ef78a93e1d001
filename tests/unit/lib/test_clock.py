from datetime import UTC, date, datetime, timedelta

import pytest

from backend.lib.clock import FrozenClock, SystemClock, today_in_vietnam

pytestmark = pytest.mark.unit


def test_frozen_clock_moves_only_when_told() -> None:
    clock = FrozenClock(datetime(2026, 1, 1, tzinfo=UTC))
    assert clock.now() == clock.now()
    clock.advance(timedelta(minutes=15))
    assert clock.now() == datetime(2026, 1, 1, 0, 15, tzinfo=UTC)


def test_frozen_clock_refuses_naive_time() -> None:
    with pytest.raises(ValueError):
        FrozenClock(datetime(2026, 1, 1))


def test_vietnamese_date_runs_seven_hours_ahead_of_utc() -> None:
    assert today_in_vietnam(FrozenClock(datetime(2026, 3, 1, 16, 59, tzinfo=UTC))) == date(2026, 3, 1)
    assert today_in_vietnam(FrozenClock(datetime(2026, 3, 1, 17, 0, tzinfo=UTC))) == date(2026, 3, 2)


def test_system_clock_is_timezone_aware() -> None:
    assert SystemClock().now().tzinfo is not None
