"""Rows as the API shows them, with sensitive fields masked for readers who may not see them."""

from __future__ import annotations

import json
from typing import Any

import msgspec

from backend.features.registry.rules import masked_view
from schemas.registry import (
    ConsentRead,
    DuplicateCandidate,
    DuplicateReason,
    HouseholdRead,
    Membership,
    ResidentRead,
    VisitRead,
)


def household_read(row: Any) -> HouseholdRead:
    return HouseholdRead(
        id=row["id"],
        unit_code=row["unit_code"],
        unit_path=row["unit_path"],
        house_number=row["house_number"],
        street=row["street"],
        latitude=row["latitude"],
        longitude=row["longitude"],
        head_resident_id=row["head_resident_id"],
        head_name=row["head_name"],
        circumstances=list(row["circumstances"]),
        notes=row["notes"],
        status=row["status"],
        merged_into=row["merged_into"],
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def memberships_of(row: Any) -> list[Membership]:
    return msgspec.json.decode(row["memberships"], type=list[Membership])


def resident_read(row: Any, may_read_sensitive: bool) -> ResidentRead:
    sensitive, withheld = masked_view(row, may_read_sensitive)
    return ResidentRead(
        id=row["id"],
        household_id=row["household_id"],
        unit_path=row["unit_path"],
        full_name=row["full_name"],
        gender=row["gender"],
        birth_date=row["birth_date"],
        birth_year=row["birth_year"],
        relation_to_head=row["relation_to_head"],
        phone=row["phone"],
        memberships=memberships_of(row),
        moved_in_on=row["moved_in_on"],
        moved_out_on=row["moved_out_on"],
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        masked=bool(withheld),
        masked_fields=withheld,  # type: ignore[arg-type]  # names from SENSITIVE_FIELDS
        **sensitive,
    )


def visit_read(row: Any) -> VisitRead:
    return VisitRead(
        id=row["id"],
        household_id=row["household_id"],
        unit_path=row["unit_path"],
        visited_on=row["visited_on"],
        cadre_id=row["cadre"],
        purpose=row["purpose"],
        needs=row["needs"],
        concerns=row["concerns"],
        feedback=row["feedback"],
        follow_up=row["follow_up"],
        version=row["version"],
        created_at=row["created_at"],
    )


def consent_read(row: Any) -> ConsentRead:
    return ConsentRead(
        id=row["id"],
        resident_id=row["resident_id"],
        purpose=row["purpose"],
        given_by=row["given_by"],
        given_at=row["given_at"],
        method=row["method"],
        recorded_by=row["recorded_by"],
        withdrawn_at=row["withdrawn_at"],
    )


def household_candidate(row: Any) -> DuplicateCandidate:
    label = ", ".join(part for part in (row["house_number"], row["street"]) if part)
    return DuplicateCandidate(kind="household", id=row["id"], household_id=row["id"], label=label, reasons=["address"])


def resident_candidate(row: Any) -> DuplicateCandidate:
    flags: list[tuple[str, DuplicateReason]] = [
        ("same_person", "name_birth_year_area"),
        ("same_id", "id_number"),
        ("same_phone", "phone"),
    ]
    return DuplicateCandidate(
        kind="resident",
        id=row["id"],
        household_id=row["household_id"],
        label=row["full_name"],
        reasons=[reason for flag, reason in flags if row[flag]],
    )


def field_versions_of(row: Any) -> dict[str, int]:
    value = json.loads(row["field_versions"])
    return {str(name): int(version) for name, version in value.items()}
