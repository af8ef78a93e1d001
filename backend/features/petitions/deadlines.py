"""When a step's reminders fall due (pure): two days before its deadline, one day before, at the deadline
(overdue), and after the escalation grace (escalate to the level above).

A step stores only its next reminder, so the periodic scan reads an index of due reminders instead of every
open step. When the scan runs late (a worker was down), only the latest reminder that has fallen due is
sent: nobody needs "two days left" and "overdue" in the same minute.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

Reminder = tuple[str, datetime]

STAGES: Final[tuple[str, ...]] = ("t-2", "t-1", "overdue", "escalate")


def schedule(due: datetime, grace: timedelta) -> list[Reminder]:
    return [
        ("t-2", due - timedelta(days=2)),
        ("t-1", due - timedelta(days=1)),
        ("overdue", due),
        ("escalate", due + grace),
    ]


def first_pending(due: datetime, grace: timedelta, now: datetime) -> Reminder | None:
    """The first reminder still ahead (for a step that starts now, or after one was handled)."""
    return next(((stage, at) for stage, at in schedule(due, grace) if at > now), None)


def to_send(due: datetime, grace: timedelta, now: datetime, current: str) -> str | None:
    """The reminder to act on now: the latest one due, never one before `current` (already scheduled)."""
    start = STAGES.index(current)
    fallen_due = [stage for stage, at in schedule(due, grace)[start:] if at <= now]
    return fallen_due[-1] if fallen_due else None
