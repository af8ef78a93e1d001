"""An injectable clock, so that deadlines, lockouts and validity dates are tested without sleeping."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol, runtime_checkable
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


@runtime_checkable
class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware (UTC)."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that only moves when told to; for tests and replays."""

    def __init__(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("FrozenClock needs a timezone-aware instant")
        self._instant = instant

    def now(self) -> datetime:
        return self._instant

    def advance(self, delta: timedelta) -> None:
        self._instant += delta

    def set(self, instant: datetime) -> None:
        self._instant = instant


def today_in_vietnam(clock: Clock) -> date:
    """Calendar dates (validity, deadlines) are Vietnamese dates, whatever the server's zone."""
    return clock.now().astimezone(VIETNAM).date()
