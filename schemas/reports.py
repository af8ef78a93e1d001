"""Unit reports (báo cáo tuần): the weekly figures a unit reports upward, and their roll-up.

One report per unit per ISO week. A draft is edited with the `version` last read; submitting locks it.
A submitted report is corrected by opening a new revision (a draft copy): the earlier revision stays as
it was (the trace), and the correction replaces it in the roll-up once submitted.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

ReportStatus = Literal["draft", "submitted", "superseded"]
# ISO 8601 week, as in the paths: 2026-W10.
IsoWeek = Annotated[str, msgspec.Meta(pattern=r"^[0-9]{4}-W[0-9]{2}$")]
Count = Annotated[int, msgspec.Meta(ge=0, le=100_000_000)]
ReportText = Annotated[str, msgspec.Meta(max_length=4000)]
Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
Version = Annotated[int, msgspec.Meta(ge=1)]


class ReportFigures(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The figures and texts of a report as the unit writes them."""

    members: Count = 0
    cadres: Count = 0
    # Unset: the number of distinct households the registry has visits of in this unit that week.
    households_visited: Count | msgspec.UnsetType = msgspec.UNSET
    activities: Count = 0
    # Null when the unit does not know it (distinct from 0 in the roll-up).
    petitions: Count | None = None
    difficulties: ReportText = ""
    recommendations: ReportText = ""


class ReportDraftWrite(ReportFigures, kw_only=True, forbid_unknown_fields=True):
    """Create the week's draft (no version) or change it (`version` last read, else 409)."""

    version: Version | None = None


class ReportSubmit(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    version: Version


class ReportCorrection(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Open a new revision of a submitted report: `version` of the submitted one, and why."""

    version: Version
    reason: Reason


class ReportRevision(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    revision: int
    status: ReportStatus
    submitted_at: datetime | None
    submitted_by: str | None
    correction_reason: str | None


class ReportRead(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    unit_code: str
    unit_name: str
    week: str
    week_start: date
    deadline: datetime
    revision: int
    status: ReportStatus
    members: int
    cadres: int
    households_visited: int
    # What the registry counted when the report was last saved (the figure may have been corrected by hand).
    households_visited_registry: int
    activities: int
    petitions: int | None
    difficulties: str
    recommendations: str
    version: int
    late: bool
    submitted_at: datetime | None
    submitted_by: str | None
    correction_reason: str | None
    updated_at: datetime
    revisions: list[ReportRevision]


class ReportPrefill(msgspec.Struct, kw_only=True):
    """What a new report of the week starts from: the registry's count of households visited."""

    unit_code: str
    unit_name: str
    week: str
    week_start: date
    deadline: datetime
    households_visited: int


class LevelTotals(msgspec.Struct, kw_only=True):
    """Submitted reports of the units of one level below the unit, summed."""

    level: str
    units: int
    reported: int
    not_reported: int
    late: int
    members: int
    cadres: int
    households_visited: int
    activities: int
    petitions: int
    # Reports that gave a petitions figure (the others did not know it).
    petitions_reported_by: int


class ReportNote(msgspec.Struct, kw_only=True):
    unit_code: str
    unit_name: str
    level: str
    difficulties: str
    recommendations: str


class UnitMissing(msgspec.Struct, kw_only=True):
    code: str
    name: str
    level: str


class ReportRollUp(msgspec.Struct, kw_only=True):
    unit_code: str
    unit_name: str
    week: str
    week_start: date
    deadline: datetime
    levels: list[LevelTotals]
    notes: list[ReportNote]
    notes_total: int
    not_reported: list[UnitMissing]
