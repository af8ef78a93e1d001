from datetime import UTC, datetime, timedelta

import pytest

from backend.features.identity.throttle import FRESH, ThrottlePolicy, after_failure, is_locked

pytestmark = pytest.mark.unit

POLICY = ThrottlePolicy(threshold=3, base_seconds=60, max_seconds=300, reset_seconds=3600)
T0 = datetime(2026, 3, 2, tzinfo=UTC)


def fail_times(count: int, start: datetime = T0, every: timedelta = timedelta(seconds=1)):  # type: ignore[no-untyped-def]
    state = FRESH
    for i in range(count):
        state = after_failure(state, start + i * every, POLICY)
    return state


def test_no_lock_below_threshold() -> None:
    assert not is_locked(fail_times(2), T0 + timedelta(seconds=2))


def test_lock_at_threshold_then_doubles_and_caps() -> None:
    state = fail_times(3)
    assert state.locked_until == T0 + timedelta(seconds=2 + 60)
    later = state.locked_until + timedelta(seconds=1)
    state = after_failure(state, later, POLICY)
    assert state.locked_until == later + timedelta(seconds=120)
    for _ in range(5):
        later = state.locked_until + timedelta(seconds=1)
        state = after_failure(state, later, POLICY)
    assert state.locked_until == later + timedelta(seconds=300)


def test_failures_while_locked_change_nothing() -> None:
    locked = fail_times(3)
    assert after_failure(locked, T0 + timedelta(seconds=30), POLICY) == locked


def test_failures_are_forgotten_after_a_quiet_period() -> None:
    state = fail_times(2)
    state = after_failure(state, T0 + timedelta(hours=2), POLICY)
    assert state.failures == 1 and not is_locked(state, T0 + timedelta(hours=2))
