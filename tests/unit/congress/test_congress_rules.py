"""The pure rules of congress tracking: the result workflow, default deadlines, lateness, result checks."""

from __future__ import annotations

from datetime import date

import pytest

from backend.features.congress import rules, states
from backend.lib.errors import InvalidInputError
from schemas.congress import Leader, ResultFields

TODAY = date(2026, 3, 2)


@pytest.mark.parametrize(
    ("action", "current", "expected"),
    [
        ("saved", None, "draft"),
        ("submitted", None, "submitted"),
        ("submitted", "draft", "submitted"),
        ("returned", "submitted", "returned"),
        ("saved", "returned", "draft"),
        ("approved", "submitted", "approved"),
        ("reopened", "approved", "reopened"),
        ("submitted", "reopened", "submitted"),
    ],
)
def test_allowed_transitions(action: str, current: str | None, expected: str) -> None:
    assert states.next_state(action, current) == expected


@pytest.mark.parametrize("action", ["saved", "submitted"])
def test_an_approved_result_is_locked(action: str) -> None:
    with pytest.raises(states.ResultLocked):
        states.next_state(action, "approved")


@pytest.mark.parametrize(
    ("action", "current"),
    [("approved", "draft"), ("approved", None), ("reopened", "submitted"), ("returned", "approved"),
     ("saved", "submitted"), ("approved", "approved")],
)  # fmt: skip
def test_refused_transitions(action: str, current: str | None) -> None:
    with pytest.raises(states.ResultTransitionRefused):
        states.next_state(action, current)


def test_who_acts() -> None:
    assert {a for a in states.TRANSITIONS if states.actor_of(a) == "approver"} == {"returned", "approved", "reopened"}


def test_default_deadlines_follow_the_congress_day() -> None:
    deadlines = rules.default_deadlines(date(2025, 10, 31), {"plan": date(2025, 5, 1)})
    by_stage = {rule.stage: (position, due) for rule, position, due in deadlines}
    assert by_stage["congress_day"] == (8, date(2025, 10, 31))
    assert by_stage["plan"] == (1, date(2025, 5, 1))
    assert by_stage["results_reported"][1] == date(2025, 11, 7)
    assert [position for position, _ in by_stage.values()] == list(range(1, 11))
    stages = set(rules.STAGE_NAMES)
    assert all(set(rule.depends_on) <= stages for rule in rules.STAGES)


def test_late_and_days_left() -> None:
    assert rules.shown_status("not_reported", date(2026, 3, 1), TODAY) == "late"
    assert rules.shown_status("in_progress", TODAY, TODAY) == "in_progress"
    assert rules.shown_status("done", date(2026, 1, 1), TODAY) == "done"
    assert rules.days_left("in_progress", date(2026, 3, 9), TODAY) == 7
    assert rules.days_left("done", date(2026, 3, 9), TODAY) is None


def result(**changes: object) -> ResultFields:
    leaders = [Leader(name="A", role="chair", full_time=True), Leader(name="B", role="vice_chair", full_time=False)]
    values: dict[str, object] = {
        "held_on": TODAY,
        "delegates_count": 100,
        "committee_size": 40,
        "leaders": leaders,
        "standing_committee": ["A", "B"],
    }
    return ResultFields(**(values | changes))  # type: ignore[arg-type]


def test_result_checks() -> None:
    rules.check_result(result(), TODAY)
    for changes, key in [
        ({"held_on": date(2026, 3, 3)}, "problem.congress.results_before_congress"),
        ({"committee_size": 1}, "problem.congress.committee_smaller_than_leaders"),
        ({"committee_size": 1, "leaders": []}, "problem.congress.standing_larger_than_committee"),
        ({"leaders": [Leader(name="A", role="chair", full_time=True)] * 2}, "problem.congress.one_chair"),
    ]:
        with pytest.raises(InvalidInputError) as refused:
            rules.check_result(result(**changes), TODAY)
        assert refused.value.detail_key == key


def test_progress_dates() -> None:
    assert rules.check_progress("done", date(2026, 3, 1), TODAY) == date(2026, 3, 1)
    assert rules.check_progress("in_progress", None, TODAY) is None
    for status, done_on in [("done", None), ("done", date(2026, 3, 3)), ("not_started", TODAY)]:
        with pytest.raises(InvalidInputError):
            rules.check_progress(status, done_on, TODAY)
