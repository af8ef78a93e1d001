"""The registry (households, residents, visits, consents) as the API shows them.

Records are created with a client-generated `id`, so a create can be replayed (offline outbox) without
making a second record. Updates carry the `version` the client last saw (optimistic concurrency).
Sensitive fields (ID number, ethnicity, religion, health) come back masked unless the reader may see
them; `masked_fields` names the ones withheld.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

HouseholdStatus = Literal["active", "moved", "merged"]
Gender = Literal["male", "female", "other"]
Relation = Literal[
    "head",
    "spouse",
    "child",
    "child_in_law",
    "parent",
    "grandparent",
    "grandchild",
    "sibling",
    "other_relative",
    "other",
]
# The five socio-political organisations inside the Front since 2025, or another mass association.
Organisation = Literal["cong_doan", "hoi_nong_dan", "hoi_lhpn", "doan_tn", "hoi_ccb", "other"]
ConsentPurpose = Literal["registry", "sensitive_data", "contact", "petitions"]
ConsentMethod = Literal["written", "verbal", "electronic"]
DuplicateReason = Literal["name_birth_year_area", "id_number", "phone", "address"]
SensitiveField = Literal["id_number", "ethnicity", "religion", "health_note"]

UnitCodeText = Annotated[str, msgspec.Meta(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9._-]+$")]
HouseNumber = Annotated[str, msgspec.Meta(max_length=50)]
Street = Annotated[str, msgspec.Meta(max_length=200)]
Notes = Annotated[str, msgspec.Meta(max_length=4000)]
Latitude = Annotated[float, msgspec.Meta(ge=-90, le=90)]
Longitude = Annotated[float, msgspec.Meta(ge=-180, le=180)]
# Codes of the configurable list MATTRAN_REGISTRY_CIRCUMSTANCES (checked by the service).
CircumstanceCode = Annotated[str, msgspec.Meta(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$")]
Version = Annotated[int, msgspec.Meta(ge=1)]
FullName = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
BirthYear = Annotated[int, msgspec.Meta(ge=1880, le=2200)]
# Digits with optional spaces, dots, dashes and a leading +; normalised to the national form "0…".
Phone = Annotated[str, msgspec.Meta(min_length=3, max_length=20, pattern=r"^\+?[0-9][0-9 .-]*[0-9]$")]
ShortText = Annotated[str, msgspec.Meta(min_length=1, max_length=50)]
# Citizen identity card (CCCD): exactly 12 digits.
IdNumber = Annotated[str, msgspec.Meta(pattern=r"^[0-9]{12}$")]
HealthNote = Annotated[str, msgspec.Meta(max_length=2000)]
LongText = Annotated[str, msgspec.Meta(max_length=4000)]
Purpose = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
GivenBy = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
RoleText = Annotated[str, msgspec.Meta(max_length=100)]


class HouseholdCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    id: uuid.UUID
    # A residential area (khu dân cư) within the caller's scope.
    unit_code: UnitCodeText
    house_number: HouseNumber = ""
    street: Street = ""
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    circumstances: list[CircumstanceCode] = msgspec.field(default_factory=list)
    notes: Notes = ""


class HouseholdUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Only the fields sent change; `version` must be the one last read (else 409)."""

    version: Version
    unit_code: UnitCodeText | msgspec.UnsetType = msgspec.UNSET
    house_number: HouseNumber | msgspec.UnsetType = msgspec.UNSET
    street: Street | msgspec.UnsetType = msgspec.UNSET
    latitude: Latitude | msgspec.UnsetType | None = msgspec.UNSET
    longitude: Longitude | msgspec.UnsetType | None = msgspec.UNSET
    head_resident_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET
    circumstances: list[CircumstanceCode] | msgspec.UnsetType = msgspec.UNSET
    notes: Notes | msgspec.UnsetType = msgspec.UNSET
    status: HouseholdStatus | msgspec.UnsetType = msgspec.UNSET
    merged_into: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET


class HouseholdRead(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    unit_code: str
    unit_path: str
    house_number: str
    street: str
    latitude: float | None
    longitude: float | None
    head_resident_id: uuid.UUID | None
    # The head's full name (not sensitive), for lists.
    head_name: str | None
    circumstances: list[str]
    notes: str
    status: HouseholdStatus
    merged_into: uuid.UUID | None
    version: int
    created_at: datetime
    updated_at: datetime


class Membership(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    organisation: Organisation
    role: RoleText = ""
    since: date | None = None


class ResidentCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    id: uuid.UUID
    household_id: uuid.UUID
    full_name: FullName
    gender: Gender | None = None
    # Either the date, or only the year (they must agree when both are sent); never in the future.
    birth_date: date | None = None
    birth_year: BirthYear | None = None
    relation_to_head: Relation = "other"
    phone: Phone | None = None
    ethnicity: ShortText | None = None
    religion: ShortText | None = None
    id_number: IdNumber | None = None
    health_note: HealthNote | None = None
    memberships: list[Membership] = msgspec.field(default_factory=list)
    moved_in_on: date | None = None
    moved_out_on: date | None = None


class ResidentUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    version: Version
    household_id: uuid.UUID | msgspec.UnsetType = msgspec.UNSET
    full_name: FullName | msgspec.UnsetType = msgspec.UNSET
    gender: Gender | msgspec.UnsetType | None = msgspec.UNSET
    birth_date: date | msgspec.UnsetType | None = msgspec.UNSET
    birth_year: BirthYear | msgspec.UnsetType | None = msgspec.UNSET
    relation_to_head: Relation | msgspec.UnsetType = msgspec.UNSET
    phone: Phone | msgspec.UnsetType | None = msgspec.UNSET
    ethnicity: ShortText | msgspec.UnsetType | None = msgspec.UNSET
    religion: ShortText | msgspec.UnsetType | None = msgspec.UNSET
    id_number: IdNumber | msgspec.UnsetType | None = msgspec.UNSET
    health_note: HealthNote | msgspec.UnsetType | None = msgspec.UNSET
    memberships: list[Membership] | msgspec.UnsetType = msgspec.UNSET
    moved_in_on: date | msgspec.UnsetType | None = msgspec.UNSET
    moved_out_on: date | msgspec.UnsetType | None = msgspec.UNSET


class ResidentRead(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    household_id: uuid.UUID
    unit_path: str
    full_name: str
    gender: Gender | None
    birth_date: date | None
    birth_year: int | None
    relation_to_head: Relation
    phone: str | None
    # Masked: "********1234"; ethnicity, religion and health_note are null and named in masked_fields.
    id_number: str | None
    ethnicity: str | None
    religion: str | None
    health_note: str | None
    memberships: list[Membership]
    moved_in_on: date | None
    moved_out_on: date | None
    version: int
    created_at: datetime
    updated_at: datetime
    masked: bool
    masked_fields: list[SensitiveField]


class HouseholdDetail(HouseholdRead, kw_only=True):
    # Members are listed masked; a member's own detail shows (and audits) their sensitive fields.
    members: list[ResidentRead]


class DuplicateCandidate(msgspec.Struct, kw_only=True):
    kind: Literal["household", "resident"]
    id: uuid.UUID
    household_id: uuid.UUID
    # The candidate's name (residents) or address (households).
    label: str
    reasons: list[DuplicateReason]


class HouseholdCreated(HouseholdRead, kw_only=True):
    """The new (or replayed) household, and records that may be the same one, for the cadre to review."""

    duplicates: list[DuplicateCandidate]


class ResidentCreated(ResidentRead, kw_only=True):
    duplicates: list[DuplicateCandidate]


class HouseholdPage(msgspec.Struct, kw_only=True):
    items: list[HouseholdRead]
    next_cursor: str | None


class ResidentPage(msgspec.Struct, kw_only=True):
    items: list[ResidentRead]
    next_cursor: str | None


class DuplicateList(msgspec.Struct, kw_only=True):
    items: list[DuplicateCandidate]


class VisitCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    id: uuid.UUID
    household_id: uuid.UUID
    visited_on: date
    purpose: Purpose
    needs: LongText = ""
    concerns: LongText = ""
    feedback: LongText = ""
    follow_up: LongText = ""


class VisitUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Only the fields sent change; `version` must be the one last read (else 409). A visit stays with its
    household."""

    version: Version
    visited_on: date | msgspec.UnsetType = msgspec.UNSET
    purpose: Purpose | msgspec.UnsetType = msgspec.UNSET
    needs: LongText | msgspec.UnsetType = msgspec.UNSET
    concerns: LongText | msgspec.UnsetType = msgspec.UNSET
    feedback: LongText | msgspec.UnsetType = msgspec.UNSET
    follow_up: LongText | msgspec.UnsetType = msgspec.UNSET


class VisitRead(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    household_id: uuid.UUID
    unit_path: str
    visited_on: date
    cadre_id: uuid.UUID
    purpose: str
    needs: str
    concerns: str
    feedback: str
    follow_up: str
    version: int
    created_at: datetime


class VisitPage(msgspec.Struct, kw_only=True):
    items: list[VisitRead]
    next_cursor: str | None


class ConsentCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    id: uuid.UUID
    purpose: ConsentPurpose
    # The resident, or who consented on their behalf (guardian, household head).
    given_by: GivenBy
    # When it was given (not in the future).
    given_at: datetime
    method: ConsentMethod


class ConsentRead(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    resident_id: uuid.UUID
    purpose: ConsentPurpose
    given_by: str
    given_at: datetime
    method: ConsentMethod
    recorded_by: str
    withdrawn_at: datetime | None
