"""Org units as the API shows them."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

import msgspec


class UnitLevel(StrEnum):
    central = "central"
    province = "province"
    commune = "commune"
    residential_area = "residential_area"


class UnitRef(msgspec.Struct, kw_only=True):
    code: str
    name: str
    level: UnitLevel


class UnitRead(msgspec.Struct, kw_only=True):
    code: str
    name: str
    level: UnitLevel
    # tinh, thanh_pho_trung_uong, xa, phuong, dac_khu, thon, to_dan_pho, ...
    kind: str
    parent_code: str | None
    # Codes from the root joined by "/", e.g. "TW/01/00070".
    path: str
    # "official" (national catalogue) or "local" (created by Front staff).
    source: str
    valid_from: date | None
    valid_to: date | None


class UnitDetail(UnitRead, kw_only=True):
    ancestors: list[UnitRef]
    predecessors: list[UnitRef]
    successors: list[UnitRef]
    children_count: int


class UnitPage(msgspec.Struct, kw_only=True):
    items: list[UnitRead]
    next_cursor: str | None


AreaKind = Literal["thon", "to_dan_pho", "khu_pho", "ap", "ban", "lang", "khu_dan_cu"]
AreaName = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class ResidentialAreaCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: AreaName
    # thôn, tổ dân phố, khu phố, ấp, bản, làng, or khu dân cư when none fits
    kind: AreaKind


class ResidentialAreaRename(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: AreaName
