"""Growing back-off for failed sign-ins (pure logic; the state lives in login_throttle).

After `threshold` failures, each further failure locks for base * 2^(failures - threshold) seconds, capped;
while locked nothing is counted (so an attacker cannot push the lock further out, nor the count up), and
failures older than the reset period are forgotten.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple


class ThrottlePolicy(NamedTuple):
    threshold: int
    base_seconds: int
    max_seconds: int
    reset_seconds: int


class ThrottleState(NamedTuple):
    failures: int
    last_failure_at: datetime | None
    locked_until: datetime | None


FRESH = ThrottleState(0, None, None)


def is_locked(state: ThrottleState, now: datetime) -> bool:
    return state.locked_until is not None and now < state.locked_until


def after_failure(state: ThrottleState, now: datetime, policy: ThrottlePolicy) -> ThrottleState:
    if is_locked(state, now):
        return state
    failures = state.failures
    if state.last_failure_at is not None and now - state.last_failure_at > timedelta(seconds=policy.reset_seconds):
        failures = 0
    failures += 1
    locked_until = None
    if failures >= policy.threshold:
        wait = min(policy.base_seconds * 2 ** (failures - policy.threshold), policy.max_seconds)
        locked_until = now + timedelta(seconds=wait)
    return ThrottleState(failures, now, locked_until)
