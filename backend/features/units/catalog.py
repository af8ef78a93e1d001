"""The official catalogue of provinces and communes (package vietnam-provinces), as unit rows.

Codes are the official ones, zero-padded as the General Statistics Office writes them: provinces two
digits ("01"), communes five ("00070").
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import NamedTuple

import vietnam_provinces

from backend.lib.text import fold
from schemas.units import UnitLevel

CENTRAL_CODE = "TW"
CENTRAL_NAME = "Trung ương"
# The two-tier local government (34 provinces, 3,321 communes) took effect on this date.
REFORM_DATE = date(2025, 7, 1)
PATH_SEPARATOR = "/"

_KIND_BY_DIVISION_TYPE = {
    "tỉnh": "tinh",
    "thành phố trung ương": "thanh_pho_trung_uong",
    "xã": "xa",
    "phường": "phuong",
    "đặc khu": "dac_khu",
}
# The words a name starts with that say its kind ("Thành phố Hà Nội" -> "Hà Nội").
_KIND_PREFIXES = ("thanh pho ", "tinh ", "phuong ", "xa ", "dac khu ", "thon ", "to dan pho ", "khu pho ")


class CatalogUnit(NamedTuple):
    code: str
    parent: str | None
    path: str
    level: str
    kind: str
    name: str
    name_folded: str
    short_name_folded: str


def short_name_folded(name: str) -> str:
    folded = fold(name)
    for prefix in _KIND_PREFIXES:
        if folded.startswith(prefix) and len(folded) > len(prefix):
            return folded[len(prefix) :]
    return folded


def child_path(parent_path: str, code: str) -> str:
    return f"{parent_path}{PATH_SEPARATOR}{code}"


def catalog_unit(code: str, parent: str | None, path: str, level: UnitLevel, kind: str, name: str) -> CatalogUnit:
    return CatalogUnit(code, parent, path, level.value, kind, name, fold(name), short_name_folded(name))


def official_units() -> Iterator[CatalogUnit]:
    """The central level, then every province followed by its communes."""
    yield catalog_unit(CENTRAL_CODE, None, CENTRAL_CODE, UnitLevel.central, "trung_uong", CENTRAL_NAME)
    for province in sorted(vietnam_provinces.Province.iter_all(), key=lambda p: p.code):
        province_code = f"{province.code:02d}"
        province_path = child_path(CENTRAL_CODE, province_code)
        yield catalog_unit(
            province_code,
            CENTRAL_CODE,
            province_path,
            UnitLevel.province,
            _KIND_BY_DIVISION_TYPE[province.division_type.value],
            province.name,
        )
        for ward in sorted(vietnam_provinces.Ward.iter_by_province(province.code), key=lambda w: w.code):
            ward_code = f"{ward.code:05d}"
            yield catalog_unit(
                ward_code,
                province_code,
                child_path(province_path, ward_code),
                UnitLevel.commune,
                _KIND_BY_DIVISION_TYPE[ward.division_type.value],
                ward.name,
            )
