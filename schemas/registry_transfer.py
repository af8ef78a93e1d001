"""Moving registry data in and out: file imports (dry run, then load), exports, and the data subject's
rights (everything held about one resident; erasure by anonymisation)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

import msgspec

from schemas.registry import ConsentRead, HouseholdRead, ResidentRead, VisitRead

ImportStatus = Literal["validated", "invalid", "loading", "loaded", "failed"]
FileFormat = Literal["csv", "xlsx"]


class ImportProblem(msgspec.Struct, kw_only=True):
    """One problem of the file: `line` is the spreadsheet row (1 = the first line of the file; 0 = the file
    as a whole), `column` the header as written in the file, `message` in the reader's language."""

    line: int
    column: str
    field: str
    value: str
    message: str


class ImportJob(msgspec.Struct, kw_only=True):
    """An uploaded file: what the dry run found, then the load's progress and outcome."""

    id: uuid.UUID
    unit_code: str
    filename: str
    file_format: FileFormat
    file_sha256: str
    status: ImportStatus
    rows_total: int
    rows_invalid: int
    rows_done: int
    households_new: int
    households_existing: int
    residents_new: int
    residents_existing: int
    # The first problems (at most MAX_REPORTED_PROBLEMS); problems_total counts all of them.
    problems: list[ImportProblem]
    problems_total: int
    created_at: datetime
    updated_at: datetime
    loaded_at: datetime | None


class AuditItem(msgspec.Struct, kw_only=True):
    at: datetime
    actor: str
    action: str
    unit_path: str
    details: dict[str, Any]


class VisitAbout(VisitRead, kw_only=True):
    # True when the visit's text names the resident (their full name appears in it).
    mentions_resident: bool


class PersonalData(msgspec.Struct, kw_only=True):
    """Everything the registry holds about one resident (Law 91/2025: the data subject's access)."""

    resident: ResidentRead
    household: HouseholdRead
    visits: list[VisitAbout]
    consents: list[ConsentRead]
    audit: list[AuditItem]
    exported_at: datetime


class Erasure(msgspec.Struct, kw_only=True):
    """The outcome of erasing a resident: the record stays (so counts stay right), anonymised."""

    resident_id: uuid.UUID
    # False when the resident had already been erased (nothing changed).
    erased: bool
    fields: list[str]
    version: int
