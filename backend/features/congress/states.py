"""The workflow of a congress result, as a pure state machine (no database).

    draft --submit--> submitted --approve--> approved (locked)
      ^                   |                     |
      |               return (reason)        reopen (reason, by the approver)
      |                   v                     v
      +--- save ---- returned            reopened --submit--> submitted

The unit saves and submits; the level above returns, approves and reopens. Nothing changes an approved
result but a reopen, and every transition leaves an event (the trace) besides the audit entry.
"""

from __future__ import annotations

from typing import Literal

from backend.lib.errors import ConflictError

Actor = Literal["unit", "approver"]

# action -> (who may do it, states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[Actor, frozenset[str], str]] = {
    "saved": ("unit", frozenset({"draft", "returned", "reopened"}), "draft"),
    "submitted": ("unit", frozenset({"draft", "returned", "reopened"}), "submitted"),
    "returned": ("approver", frozenset({"submitted"}), "returned"),
    "approved": ("approver", frozenset({"submitted"}), "approved"),
    "reopened": ("approver", frozenset({"approved"}), "reopened"),
}

EDITABLE = frozenset({"draft", "returned", "reopened"})


class ResultLocked(ConflictError):
    """An approved result: only the approver's reopen opens it again."""

    slug = "congress-result-locked"


class ResultTransitionRefused(ConflictError):
    slug = "congress-result-transition"


def next_state(action: str, current: str | None) -> str:
    """The state after action, or the reason it is refused. A first save starts from no result at all."""
    _, sources, target = TRANSITIONS[action]
    if current is None and action in {"saved", "submitted"}:
        return target
    if current == "approved" and action in {"saved", "submitted"}:
        raise ResultLocked("problem.congress.result_locked")
    if current is None or current not in sources:
        raise ResultTransitionRefused("problem.congress.result_transition", action=action, state=current or "none")
    return target


def actor_of(action: str) -> Actor:
    return TRANSITIONS[action][0]
