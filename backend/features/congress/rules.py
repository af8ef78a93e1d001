"""Pure rules of congress tracking: the stages and their default deadlines, what "late" means, and the
checks on results. No database here, so all of it is unit-tested directly."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from backend.lib.errors import InvalidInputError
from schemas.common import FieldError
from schemas.congress import ResultFields


@dataclass(frozen=True)
class StageRule:
    stage: str
    # Days from the congress deadline of the level (negative: before it).
    offset_days: int
    depends_on: tuple[str, ...]


# The stages seen in practice (DOMAIN.md), in order. The Front congress follows the Party congress of the
# same level; the results and the member organisations' congresses follow the Front congress.
STAGES: tuple[StageRule, ...] = (
    StageRule("plan", -120, ()),
    StageRule("sub_committees", -100, ("plan",)),
    StageRule("draft_documents", -75, ("sub_committees",)),
    StageRule("consultation", -50, ("draft_documents",)),
    StageRule("personnel_plan", -45, ("sub_committees",)),
    StageRule("pilot_congress", -30, ("consultation", "personnel_plan")),
    StageRule("party_congress", -20, ()),
    StageRule("congress_day", 0, ("pilot_congress", "party_congress")),
    StageRule("results_reported", 7, ("congress_day",)),
    StageRule("member_congresses", 60, ("congress_day",)),
)
STAGE_NAMES: tuple[str, ...] = tuple(rule.stage for rule in STAGES)


def default_deadlines(congress_by: date, overrides: Mapping[str, date]) -> list[tuple[StageRule, int, date]]:
    """(stage, position, default deadline) of every stage for a level whose congress is due congress_by."""
    return [
        (rule, position, overrides.get(rule.stage, congress_by + timedelta(days=rule.offset_days)))
        for position, rule in enumerate(STAGES, start=1)
    ]


def shown_status(status: str, due_on: date, today: date) -> str:
    """What a milestone shows: its reported status, or `late` when it is not done and its deadline passed
    (a milestone nobody reported on is late too once due: silence does not stop the clock)."""
    if status != "done" and today > due_on:
        return "late"
    return status


def days_left(status: str, due_on: date, today: date) -> int | None:
    return None if status == "done" else (due_on - today).days


def invalid(field: str, key: str, value: object, **params: object) -> InvalidInputError:
    return InvalidInputError(key, errors=[FieldError(field=field, message=str(value), source="body")], **params)


def check_result(result: ResultFields, today: date) -> None:
    """Refuse results that cannot be true: held in the future, a committee smaller than its own leaders,
    a standing committee larger than the committee, more than one chair."""
    if result.held_on > today:
        raise invalid("held_on", "problem.congress.results_before_congress", result.held_on, held_on=result.held_on)
    chairs = sum(1 for leader in result.leaders if leader.role == "chair")
    if chairs > 1:
        raise invalid("leaders", "problem.congress.one_chair", chairs)
    if result.committee_size < len(result.leaders):
        raise invalid(
            "committee_size",
            "problem.congress.committee_smaller_than_leaders",
            result.committee_size,
            size=result.committee_size,
            leaders=len(result.leaders),
        )
    if len(result.standing_committee) > result.committee_size:
        raise invalid(
            "standing_committee",
            "problem.congress.standing_larger_than_committee",
            len(result.standing_committee),
            size=result.committee_size,
        )


def check_progress(status: str, done_on: date | None, today: date) -> date | None:
    """The done date to store: required with `done`, refused otherwise, never in the future."""
    if status != "done":
        if done_on is not None:
            raise invalid("done_on", "problem.congress.done_on_without_done", done_on)
        return None
    if done_on is None:
        raise invalid("done_on", "problem.congress.done_on_required", "")
    if done_on > today:
        raise invalid("done_on", "problem.congress.done_on_future", done_on)
    return done_on
