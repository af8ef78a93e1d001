"""The petition workflow as an explicit state machine (pure: no database, unit-tested on its own).

received → classified → assigned → forwarded → answered → published → closed, with side exits:
rejected (a reason is required), merged (into another petition, as a duplicate) and reopened (by the
citizen, within a window, with a reason; a reopened petition is assigned again). `TRANSITIONS` is the
one table: the service, the API, the pages and the tests all read it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final, NamedTuple


class State(StrEnum):
    received = "received"
    classified = "classified"
    assigned = "assigned"
    forwarded = "forwarded"
    answered = "answered"
    published = "published"
    closed = "closed"
    rejected = "rejected"
    merged = "merged"
    reopened = "reopened"


class Action(StrEnum):
    classify = "classify"
    assign = "assign"
    forward = "forward"
    answer = "answer"
    publish = "publish"
    close = "close"
    reject = "reject"
    merge = "merge"
    reopen = "reopen"


class Actor(StrEnum):
    """Who may take an action: staff in scope of the petition's unit, or the citizen who filed it."""

    staff = "staff"
    filer = "filer"


class Transition(NamedTuple):
    sources: frozenset[State]
    target: State
    actor: Actor


_BEFORE_ANSWER = frozenset({State.received, State.classified, State.assigned, State.reopened})

TRANSITIONS: Final[dict[Action, Transition]] = {
    Action.classify: Transition(frozenset({State.received}), State.classified, Actor.staff),
    # Assigning again (another cadre) keeps the state; a reopened petition is assigned anew.
    Action.assign: Transition(
        frozenset({State.classified, State.assigned, State.reopened}), State.assigned, Actor.staff
    ),
    Action.forward: Transition(frozenset({State.assigned}), State.forwarded, Actor.staff),
    Action.answer: Transition(frozenset({State.assigned, State.forwarded}), State.answered, Actor.staff),
    Action.publish: Transition(frozenset({State.answered}), State.published, Actor.staff),
    # Closing without publishing is for answers that must stay private (denunciations).
    Action.close: Transition(frozenset({State.answered, State.published}), State.closed, Actor.staff),
    Action.reject: Transition(_BEFORE_ANSWER, State.rejected, Actor.staff),
    Action.merge: Transition(_BEFORE_ANSWER, State.merged, Actor.staff),
    Action.reopen: Transition(frozenset({State.published, State.closed}), State.reopened, Actor.filer),
}

# States in which the Front still owes the citizen something (deadlines run, the inbox shows them).
OPEN_STATES: Final[frozenset[State]] = frozenset(
    {State.received, State.classified, State.assigned, State.forwarded, State.reopened}
)
# What Open311 calls "closed": the request needs no more work.
FINISHED_STATES: Final[frozenset[State]] = frozenset(set(State) - OPEN_STATES - {State.answered})


class IllegalTransition(Exception):
    def __init__(self, action: Action, state: State) -> None:
        super().__init__(f"{action} is not allowed from {state}")
        self.action = action
        self.state = state


def next_state(state: State, action: Action) -> State:
    """The state after action, or IllegalTransition."""
    transition = TRANSITIONS[action]
    if state not in transition.sources:
        raise IllegalTransition(action, state)
    return transition.target


def allowed_actions(state: State, actor: Actor) -> list[Action]:
    """What this kind of actor may do now, in the table's order (buttons on the detail page)."""
    return [action for action, t in TRANSITIONS.items() if state in t.sources and t.actor == actor]
