"""Congress tracking as the API shows it: terms, a unit's congress with its milestones and results, the
approval trail, and the roll-up dashboard.

"Not reported" is never zero: a milestone nobody reported on has status `not_reported`, a share nobody gave
is null, and a roll-up counts not-reported units apart from the ones that reported "not started".
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

Level = Literal["central", "province", "commune"]
Stage = Literal[
    "plan",
    "sub_committees",
    "draft_documents",
    "consultation",
    "personnel_plan",
    "pilot_congress",
    "party_congress",
    "congress_day",
    "results_reported",
    "member_congresses",
]
# What a unit reports; `late` is shown, never stored (it follows from the deadline and the clock).
ReportedStatus = Literal["not_started", "in_progress", "done"]
MilestoneStatus = Literal["not_reported", "not_started", "in_progress", "done", "late"]
Organisation = Literal["front", "cong_doan", "hoi_nong_dan", "hoi_lhpn", "doan_tn", "hoi_ccb"]
EvidenceKind = Literal["document", "photo", "minutes", "other"]
ResultState = Literal["draft", "submitted", "returned", "approved", "reopened"]
ResultAction = Literal["saved", "submitted", "returned", "approved", "reopened"]

TermCode = Annotated[str, msgspec.Meta(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9._-]+$")]
Year = Annotated[int, msgspec.Meta(ge=1930, le=2200)]
Share = Annotated[float, msgspec.Meta(ge=0, le=100)]
Count = Annotated[int, msgspec.Meta(ge=0, le=100_000)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Note = Annotated[str, msgspec.Meta(max_length=4000)]
Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
Version = Annotated[int, msgspec.Meta(ge=1)]


class TermLevelYears(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    level: Level
    start_year: Year
    end_year: Year
    # The deadline of the congress itself at this level; the other stages' defaults follow from it.
    congress_by: date
    # Stages whose default deadline differs from the one derived from congress_by.
    due_overrides: dict[Stage, date] = msgspec.field(default_factory=dict)


class TermCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    code: TermCode
    name: Name
    levels: Annotated[list[TermLevelYears], msgspec.Meta(min_length=1, max_length=3)]
    # Member organisations whose congresses are tracked too (each follows the Front congress of its level).
    organisations: list[Organisation] = msgspec.field(default_factory=list)


class MilestoneTemplateRead(msgspec.Struct, kw_only=True):
    level: Level
    stage: Stage
    position: int
    default_due: date
    depends_on: list[Stage]


class TermRead(msgspec.Struct, kw_only=True):
    code: str
    name: str
    levels: list[TermLevelYears]
    templates: list[MilestoneTemplateRead]
    congresses: int


class DeadlineSet(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    due_on: date


class DeadlineRead(msgspec.Struct, kw_only=True):
    term: str
    unit_code: str
    stage: Stage
    due_on: date
    # The tightest deadline above this unit (the template's default when none was set): never exceeded.
    parent_due_on: date
    milestones_updated: int


class Evidence(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    kind: EvidenceKind
    title: Name
    # A link or the id of a library document.
    ref: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]


class MilestoneUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    version: Version
    status: ReportedStatus
    done_on: date | None = None
    evidence: Annotated[list[Evidence], msgspec.Meta(max_length=50)] = msgspec.field(default_factory=list)
    note: Note = ""


class MilestoneRead(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    stage: Stage
    position: int
    due_on: date
    status: MilestoneStatus
    done_on: date | None
    # Days to the deadline (negative when past); null once done.
    days_left: int | None
    depends_on: list[Stage]
    evidence: list[Evidence]
    note: str
    version: int
    reported_at: datetime | None


class Leader(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: Name
    role: Literal["chair", "vice_chair"]
    full_time: bool


class ResultFields(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    held_on: date
    delegates_count: Count
    # Counts among the delegates: {"women": 120, "ethnic_minorities": 12, ...}
    delegates_structure: dict[Annotated[str, msgspec.Meta(max_length=40)], Count] = msgspec.field(default_factory=dict)
    committee_size: Count
    women_pct: Share | None = None
    non_party_pct: Share | None = None
    ethnic_minority_pct: Share | None = None
    religious_pct: Share | None = None
    youth_pct: Share | None = None
    leaders: Annotated[list[Leader], msgspec.Meta(max_length=100)] = msgspec.field(default_factory=list)
    standing_committee: Annotated[list[Name], msgspec.Meta(max_length=200)] = msgspec.field(default_factory=list)
    delegation: Annotated[list[Name], msgspec.Meta(max_length=2000)] = msgspec.field(default_factory=list)
    documents_adopted: Annotated[list[Name], msgspec.Meta(max_length=50)] = msgspec.field(default_factory=list)


class ResultSave(ResultFields, kw_only=True, forbid_unknown_fields=True):
    # The version last read; omitted for the first save.
    version: Version | None = None


class ResultDecision(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    version: Version
    reason: Annotated[str, msgspec.Meta(max_length=2000)] = ""


class ResultEvent(msgspec.Struct, kw_only=True):
    action: ResultAction
    state_after: ResultState
    actor: str
    reason: str
    at: datetime


class ResultRead(ResultFields, kw_only=True):
    state: ResultState
    locked: bool
    version: int
    updated_at: datetime
    events: list[ResultEvent]


class CongressRead(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    term: str
    unit_code: str
    unit_name: str
    level: Level
    organisation: Organisation
    follows: uuid.UUID | None
    milestones: list[MilestoneRead]
    result: ResultRead | None


class ApprovalItem(msgspec.Struct, kw_only=True):
    congress_id: uuid.UUID
    unit_code: str
    unit_name: str
    organisation: Organisation
    held_on: date
    state: ResultState
    version: int
    submitted_at: datetime


class ApprovalPage(msgspec.Struct, kw_only=True):
    items: list[ApprovalItem]
    next_cursor: str | None


class StageTotals(msgspec.Struct, kw_only=True):
    """One milestone over the units counted. The counts partition `expected`:
    not_reported + not_started + in_progress + done; `overdue` are those not done past their deadline."""

    stage: Stage
    expected: int
    not_reported: int
    not_started: int
    in_progress: int
    done: int
    done_on_time: int
    done_late: int
    overdue: int
    # done_on_time / (milestones done or past their deadline); null when none is due yet.
    on_time_share: float | None


class ChildTotals(msgspec.Struct, kw_only=True):
    """The units counted below one child of the dashboard's unit (the drill-down)."""

    unit_code: str
    unit_name: str
    units: int
    milestones: int
    done: int
    not_reported: int
    overdue: int
    on_time_share: float | None


class LateUnit(msgspec.Struct, kw_only=True):
    unit_code: str
    unit_name: str
    unit_path: str
    stage: Stage
    due_on: date
    status: MilestoneStatus
    days_late: int


class Dashboard(msgspec.Struct, kw_only=True):
    unit_code: str
    unit_name: str
    term: str
    level: Level | None
    organisation: Organisation
    as_of: date
    units: int
    stages: list[StageTotals]
    on_time_share: float | None
    children: list[ChildTotals]
    late_units: list[LateUnit]
    late_units_total: int
