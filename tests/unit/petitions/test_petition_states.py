"""The petition state machine, checked for every (state, action) pair generated from its own table."""

from __future__ import annotations

import itertools

import pytest

from backend.features.petitions.states import (
    FINISHED_STATES,
    OPEN_STATES,
    TRANSITIONS,
    Action,
    Actor,
    IllegalTransition,
    State,
    allowed_actions,
    next_state,
)

pytestmark = pytest.mark.unit

ALLOWED = [(state, action) for action, t in TRANSITIONS.items() for state in sorted(t.sources)]
FORBIDDEN = [
    (state, action) for state, action in itertools.product(State, Action) if state not in TRANSITIONS[action].sources
]


@pytest.mark.parametrize(("state", "action"), ALLOWED)
def test_an_allowed_transition_reaches_its_target(state: State, action: Action) -> None:
    assert next_state(state, action) == TRANSITIONS[action].target


@pytest.mark.parametrize(("state", "action"), FORBIDDEN)
def test_a_forbidden_transition_is_refused(state: State, action: Action) -> None:
    with pytest.raises(IllegalTransition) as raised:
        next_state(state, action)
    assert (raised.value.action, raised.value.state) == (action, state)


def test_the_matrix_covers_every_pair() -> None:
    assert len(ALLOWED) + len(FORBIDDEN) == len(State) * len(Action)


def test_the_main_path_runs_from_received_to_closed() -> None:
    state = State.received
    for action in (Action.classify, Action.assign, Action.forward, Action.answer, Action.publish, Action.close):
        state = next_state(state, action)
    assert state == State.closed


def test_an_answer_needs_an_assignment_first() -> None:
    for state in (State.received, State.classified, State.reopened):
        with pytest.raises(IllegalTransition):
            next_state(state, Action.answer)


def test_a_reopened_petition_is_assigned_again() -> None:
    reopened = next_state(next_state(State.published, Action.reopen), Action.assign)
    assert reopened == State.assigned


def test_only_the_filer_reopens_and_only_staff_do_the_rest() -> None:
    assert allowed_actions(State.published, Actor.filer) == [Action.reopen]
    assert Action.reopen not in allowed_actions(State.published, Actor.staff)
    assert allowed_actions(State.received, Actor.filer) == []
    assert allowed_actions(State.received, Actor.staff) == [Action.classify, Action.reject, Action.merge]


def test_terminal_states_allow_nothing_but_reopening() -> None:
    for state in (State.rejected, State.merged):
        assert allowed_actions(state, Actor.staff) == allowed_actions(state, Actor.filer) == []


def test_open_and_finished_states_do_not_overlap() -> None:
    assert not OPEN_STATES & FINISHED_STATES
    assert State.answered not in OPEN_STATES | FINISHED_STATES
