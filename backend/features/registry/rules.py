"""Pure registry rules: checks, normal forms, hashing and masking (unit-tested without a database)."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import msgspec

from backend.lib.errors import InvalidInputError
from backend.lib.text import fold
from schemas.common import FieldError

SENSITIVE_FIELDS: tuple[str, ...] = ("id_number", "ethnicity", "religion", "health_note")
ID_NUMBER_SHOWN_DIGITS = 4
_NON_DIGITS = re.compile(r"[^0-9]")
_COUNTRY_CODE = "84"


def invalid(field: str, key: str, value: object = "", /, **params: object) -> InvalidInputError:
    """A 400 naming one field and the value refused; `key` is the i18n key of the detail."""
    return InvalidInputError(key, errors=[FieldError(field=field, message=str(value), source="body")], **params)


def phone_digits(phone: str | None) -> str | None:
    """The national form, digits only: "+84 912.345.678" -> "0912345678"."""
    if phone is None:
        return None
    digits = _NON_DIGITS.sub("", phone)
    if phone.strip().startswith("+") and digits.startswith(_COUNTRY_CODE):
        digits = "0" + digits[len(_COUNTRY_CODE) :]
    return digits


def id_number_hash(id_number: str | None, pepper: str) -> str | None:
    """HMAC-SHA256 under a secret pepper: equal numbers give equal hashes (exact search, duplicates),
    but a leaked table cannot be reversed by hashing all 10^12 numbers without the pepper."""
    if id_number is None:
        return None
    return hmac.new(pepper.encode(), id_number.encode(), hashlib.sha256).hexdigest()


def mask_id_number(id_number: str | None) -> str | None:
    if id_number is None:
        return None
    return "*" * (len(id_number) - ID_NUMBER_SHOWN_DIGITS) + id_number[-ID_NUMBER_SHOWN_DIGITS:]


def address_folded(house_number: str, street: str, area_name: str) -> str:
    """What an address search matches: "12 Phố Hàng Bài, Tổ dân phố số 5" -> "12 pho hang bai to dan pho so 5"."""
    return fold(f"{house_number} {street} {area_name}")


def fingerprint(payload: msgspec.Struct) -> str:
    """sha256 of a create request in canonical JSON: the same request replayed has the same one."""
    return hashlib.sha256(msgspec.json.encode(payload, order="sorted")).hexdigest()


def check_not_future(field: str, value: date | None, today: date) -> None:
    if value is not None and value > today:
        raise invalid(field, "problem.registry.future_date", value, field=field)


def birth_year_of(birth_date: date | None, birth_year: int | None, today: date) -> int | None:
    """The year to store: from the date when there is one (the year, if sent too, must agree)."""
    check_not_future("birth_date", birth_date, today)
    if birth_year is not None and birth_year > today.year:
        raise invalid("birth_year", "problem.registry.future_date", birth_year, field="birth_year")
    if birth_date is None:
        return birth_year
    if birth_year is not None and birth_year != birth_date.year:
        raise invalid("birth_year", "problem.registry.birth_mismatch", birth_year)
    return birth_date.year


def check_moves(moved_in_on: date | None, moved_out_on: date | None, today: date) -> None:
    check_not_future("moved_in_on", moved_in_on, today)
    check_not_future("moved_out_on", moved_out_on, today)
    if moved_in_on is not None and moved_out_on is not None and moved_out_on < moved_in_on:
        raise invalid("moved_out_on", "problem.registry.moves_order", moved_out_on)


def check_circumstances(codes: Iterable[str], allowed: frozenset[str]) -> list[str]:
    """The codes in a stable order without repeats; an unknown code names itself."""
    unique = list(dict.fromkeys(codes))
    for index, code in enumerate(unique):
        if code not in allowed:
            raise invalid(f"circumstances[{index}]", "problem.registry.unknown_circumstance", code, code=code)
    return unique


def check_coordinates(latitude: float | None, longitude: float | None) -> None:
    if (latitude is None) != (longitude is None):
        raise invalid("longitude" if longitude is None else "latitude", "problem.registry.coordinates_pair")


def masked_view(row: Mapping[str, Any], may_read_sensitive: bool) -> tuple[dict[str, Any], list[str]]:
    """The sensitive fields as the reader may see them, and which were withheld.

    A field without a value is not "withheld" (there is nothing to hide), so masked_fields only names
    fields that hold something."""
    values = {name: row[name] for name in SENSITIVE_FIELDS}
    if may_read_sensitive:
        return values, []
    withheld = [name for name in SENSITIVE_FIELDS if values[name] is not None]
    shown = dict.fromkeys(SENSITIVE_FIELDS)
    shown["id_number"] = mask_id_number(values["id_number"])
    return shown, withheld


def sensitive_present(row: Mapping[str, Any]) -> list[str]:
    return [name for name in SENSITIVE_FIELDS if row[name] is not None]


def common_path(paths: Iterable[str]) -> str:
    """The deepest unit path all paths are within ("TW/01/00070/00070-001", "TW/01/00070/00070-002" ->
    "TW/01/00070")."""
    split = [path.split("/") for path in paths]
    common: list[str] = []
    for parts in zip(*split, strict=False):
        if len(set(parts)) > 1:
            break
        common.append(parts[0])
    return "/".join(common)


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    return sorted(name for name, value in after.items() if before.get(name) != value)


def bump_field_versions(field_versions: Mapping[str, int], fields: Iterable[str], version: int) -> dict[str, int]:
    """Record that these fields changed at this version (what sync's field-by-field merge compares)."""
    return {**field_versions, **dict.fromkeys(fields, version)}
