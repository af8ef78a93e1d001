"""Demo residential areas (khu dân cư) under real communes: deterministic for a given seed."""

from __future__ import annotations

import random
from typing import Any

from backend.features.units.catalog import CatalogUnit, catalog_unit, child_path
from schemas.units import UnitLevel

VILLAGE_NAMES = (
    "Đông",
    "Đoài",
    "Thượng",
    "Hạ",
    "Trung",
    "Nam",
    "Bắc",
    "An Lạc",
    "Phú Mỹ",
    "Tân Hòa",
    "Hòa Bình",
    "Phước Lộc",
    "Bình An",
    "Mỹ Thạnh",
    "Yên Phú",
    "Xuân Đài",
    "Vĩnh Lợi",
    "Thanh Bình",
    "Đồng Tâm",
    "Tiền Phong",
    "Quyết Tiến",
    "Đoàn Kết",
    "Hưng Thịnh",
    "Phú Xuân",
    "Cẩm Giang",
    "Lạc Long",
)
# Where a commune's villages are called bản (northern mountains) or ấp (the south) rather than thôn.
BAN_PROVINCES = frozenset({"04", "08", "11", "12", "14", "15", "19", "20"})
AP_PROVINCES_FROM = "75"
COMMUNES_PER_PROVINCE = 3


def _area(commune: Any, number: int, rng: random.Random, used_names: set[str]) -> CatalogUnit:
    code = f"{commune['code']}-{number:03d}"
    province = commune["parent"]
    if commune["kind"] == "phuong":
        kind, name = "to_dan_pho", f"Tổ dân phố số {number}"
    elif commune["kind"] == "dac_khu":
        kind, name = "khu_pho", f"Khu phố {number}"
    else:
        kind, word = (
            ("ban", "Bản")
            if province in BAN_PROVINCES
            else ("ap", "Ấp")
            if province >= AP_PROVINCES_FROM
            else ("thon", "Thôn")
        )
        base = rng.choice([n for n in VILLAGE_NAMES if n not in used_names] or VILLAGE_NAMES)
        used_names.add(base)
        name = f"{word} {base}"
    return catalog_unit(
        code, commune["code"], child_path(commune["path"], code), UnitLevel.residential_area, kind, name
    )


def demo_areas(communes_by_province: dict[str, list[Any]], seed: int) -> list[CatalogUnit]:
    """A few communes per province, each with 4 to 10 residential areas."""
    rng = random.Random(seed)
    areas: list[CatalogUnit] = []
    for province in sorted(communes_by_province):
        communes = sorted(communes_by_province[province], key=lambda c: c["code"])
        for commune in rng.sample(communes, min(COMMUNES_PER_PROVINCE, len(communes))):
            used_names: set[str] = set()
            areas.extend(_area(commune, n, rng, used_names) for n in range(1, rng.randint(4, 10) + 1))
    return areas
