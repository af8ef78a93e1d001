"""Congress tracking tables: terms (with their years per level), milestone templates, a congress per unit per
term, deadlines set from above, progress per milestone, results with their approval trail, and sent alerts.

Milestone rows carry the term, level, organisation and unit path of their congress (denormalised): the
roll-up dashboard is then one prefix-matched aggregate over a single table. `due_on` on a milestone is the
effective deadline (template default tightened by every deadline set at or above its unit), maintained by
the service whenever a deadline changes. Constraints and indexes are in the raw-SQL migration.
"""

from piccolo.columns import (
    JSONB,
    UUID,
    Array,
    BigSerial,
    Date,
    DoublePrecision,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.features.units.tables import Unit


class CongressTerm(Table, tablename="congress_terms"):
    """One round of congresses (nhiệm kỳ), e.g. "2025-2030": each level has its own years in it."""

    code = Varchar(length=32, primary_key=True)
    name = Varchar(length=200)
    created_by = Varchar(length=100)
    created_at = Timestamptz(default=TimestamptzNow())


class CongressTermLevel(Table, tablename="congress_term_levels"):
    term = ForeignKey(CongressTerm, on_delete=OnDelete.cascade)
    level = Varchar(length=20)
    start_year = Integer()
    end_year = Integer()


class MilestoneTemplate(Table, tablename="congress_milestone_templates"):
    """A stage of the congresses of one level in one term, its default deadline and what it waits for."""

    id = BigSerial(primary_key=True)
    term = ForeignKey(CongressTerm, on_delete=OnDelete.cascade)
    level = Varchar(length=20)
    stage = Varchar(length=40)
    position = Integer()
    default_due = Date()
    depends_on = Array(Varchar(length=40), default=list)


class Congress(Table, tablename="congresses"):
    """The congress of one unit in one term: the Front's, or a member organisation's that follows it."""

    id = UUID(primary_key=True)
    term = ForeignKey(CongressTerm, on_delete=OnDelete.restrict)
    # RESTRICT: units are retired, never deleted, and their congress history stays.
    unit_code = ForeignKey(Unit, on_delete=OnDelete.restrict)
    unit_path = Varchar(length=255)
    level = Varchar(length=20)
    organisation = Varchar(length=20, default="front")
    # A member organisation's congress follows the Front congress of its level.
    follows = UUID(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class CongressDeadline(Table, tablename="congress_deadlines"):
    """A deadline set at a unit for a stage of the congresses of one level (a province sets its communes'),
    binding the congresses of that level at that unit and below it."""

    id = BigSerial(primary_key=True)
    term = ForeignKey(CongressTerm, on_delete=OnDelete.cascade)
    level = Varchar(length=20)
    stage = Varchar(length=40)
    unit_code = ForeignKey(Unit, on_delete=OnDelete.restrict)
    unit_path = Varchar(length=255)
    due_on = Date()
    set_by = Varchar(length=100)
    set_at = Timestamptz(default=TimestamptzNow())


class CongressMilestone(Table, tablename="congress_milestones"):
    id = UUID(primary_key=True)
    congress = ForeignKey(Congress, on_delete=OnDelete.cascade)
    term = Varchar(length=32)
    level = Varchar(length=20)
    organisation = Varchar(length=20)
    unit_path = Varchar(length=255)
    stage = Varchar(length=40)
    position = Integer()
    due_on = Date()
    # not_reported (never told, not the same as "not started"), not_started, in_progress, done.
    # "late" is not stored: it follows from due_on and the clock.
    status = Varchar(length=16, default="not_reported")
    done_on = Date(null=True, default=None)
    # [{"kind": "minutes", "title": "Biên bản", "ref": "https://…" or a library document id}]
    evidence = JSONB(default=[])
    note = Text(default="")
    version = Integer(default=1)
    reported_by = Varchar(length=100, null=True, default=None)
    reported_at = Timestamptz(null=True, default=None)


class CongressResult(Table, tablename="congress_results"):
    """What a congress decided, submitted by its unit and approved (locked) by the level above."""

    congress = ForeignKey(Congress, primary_key=True, on_delete=OnDelete.cascade)
    state = Varchar(length=16, default="draft")
    held_on = Date()
    delegates_count = Integer()
    # {"women": 120, "ethnic_minorities": 30, ...}: counts among the delegates
    delegates_structure = JSONB(default={})
    committee_size = Integer()
    # Shares of the committee, in per cent; NULL is "not reported", never zero.
    women_pct = DoublePrecision(null=True, default=None)
    non_party_pct = DoublePrecision(null=True, default=None)
    ethnic_minority_pct = DoublePrecision(null=True, default=None)
    religious_pct = DoublePrecision(null=True, default=None)
    youth_pct = DoublePrecision(null=True, default=None)
    # [{"name": "…", "role": "chair" | "vice_chair", "full_time": true}]
    leaders = JSONB(default=[])
    standing_committee = JSONB(default=[])
    delegation = JSONB(default=[])
    documents_adopted = JSONB(default=[])
    version = Integer(default=1)
    updated_by = Varchar(length=100)
    updated_at = Timestamptz(default=TimestamptzNow())


class CongressResultEvent(Table, tablename="congress_result_events"):
    """The timeline of a result: saved, submitted, returned, approved, reopened (with who, when and why)."""

    id = BigSerial(primary_key=True)
    congress = ForeignKey(Congress, on_delete=OnDelete.cascade)
    action = Varchar(length=16)
    state_after = Varchar(length=16)
    actor = Varchar(length=100)
    reason = Text(default="")
    at = Timestamptz(default=TimestamptzNow())


class CongressAlert(Table, tablename="congress_alerts"):
    """A deadline alert already sent: one per milestone and threshold (t7, t1, overdue)."""

    id = BigSerial(primary_key=True)
    milestone = ForeignKey(CongressMilestone, on_delete=OnDelete.cascade)
    threshold = Varchar(length=8)
    sent_on = Date()
