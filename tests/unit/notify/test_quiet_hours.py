from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from backend.features.notify.quiet import QuietHours, format_hhmm, parse_hhmm, quiet_until

pytestmark = pytest.mark.unit

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")  # UTC+7 all year
NIGHT = QuietHours(time(22, 0), time(6, 0))
LUNCH = QuietHours(time(11, 30), time(13, 30))


@pytest.mark.parametrize(
    ("quiet", "local", "inside"),
    [
        (NIGHT, time(21, 59), False),
        (NIGHT, time(22, 0), True),
        (NIGHT, time(23, 59), True),
        (NIGHT, time(0, 0), True),
        (NIGHT, time(5, 59), True),
        (NIGHT, time(6, 0), False),
        (NIGHT, time(12, 0), False),
        (LUNCH, time(11, 29), False),
        (LUNCH, time(11, 30), True),
        (LUNCH, time(13, 29), True),
        (LUNCH, time(13, 30), False),
        (QuietHours(time(8, 0), time(8, 0)), time(8, 0), False),  # empty, not all day
    ],
)
def test_quiet_hours_are_half_open_and_may_span_midnight(quiet: QuietHours, local: time, inside: bool) -> None:
    assert quiet.contains(local) is inside


@pytest.mark.parametrize(
    ("now_utc", "until_utc"),
    [
        # 23:00 in Ha Noi (16:00 UTC): wait until 06:00 tomorrow there (23:00 UTC).
        (datetime(2026, 3, 2, 16, 0, tzinfo=UTC), datetime(2026, 3, 2, 23, 0, tzinfo=UTC)),
        # 02:00 in Ha Noi, already the next day there (19:00 UTC the day before): until 06:00 that day.
        (datetime(2026, 3, 1, 19, 0, tzinfo=UTC), datetime(2026, 3, 1, 23, 0, tzinfo=UTC)),
        # 10:00 in Ha Noi: not quiet.
        (datetime(2026, 3, 2, 3, 0, tzinfo=UTC), None),
    ],
)
def test_pushes_wait_until_the_end_of_the_local_quiet_period(now_utc: datetime, until_utc: datetime | None) -> None:
    assert quiet_until(now_utc, NIGHT, VIETNAM) == until_utc


def test_no_quiet_hours_never_wait() -> None:
    assert quiet_until(datetime(2026, 3, 2, 16, 0, tzinfo=UTC), None, VIETNAM) is None


def test_times_are_read_and_written_as_hh_mm() -> None:
    assert parse_hhmm("06:05") == time(6, 5)
    assert format_hhmm(time(22, 0)) == "22:00"
