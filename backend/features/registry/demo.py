"""Demo households, residents and visits in the demo residential areas: deterministic for a seed, loaded
with COPY so that `--households 1000000` stays a matter of minutes."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from backend import db
from backend.features.registry import repo
from backend.features.registry.rules import address_folded, phone_digits
from backend.lib.clock import Clock
from backend.lib.text import fold

# Rows per COPY: large enough to amortise round trips, small enough to keep memory flat at a million.
BATCH = 10_000

SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô")
MIDDLE = {"male": ("Văn", "Hữu", "Đức", "Minh", "Quang"), "female": ("Thị", "Ngọc", "Thu", "Thanh", "Kim")}
GIVEN = {
    "male": ("An", "Bình", "Cường", "Dũng", "Hùng", "Khánh", "Long", "Nam", "Phúc", "Quân", "Sơn", "Tâm", "Tuấn"),
    "female": ("Anh", "Bích", "Chi", "Dung", "Hà", "Hoa", "Lan", "Mai", "Nga", "Oanh", "Phương", "Thảo", "Yến"),
}
STREETS = ("Đường Lê Lợi", "Phố Hàng Bài", "Đường Trần Phú", "Ngõ Văn Chương", "Đường Hùng Vương", "Xóm Chùa")
PURPOSES = ("Thăm hỏi hộ nghèo", "Nắm tình hình dân cư", "Vận động tham gia sinh hoạt khu dân cư")
RESIDENT_COLUMNS = (
    "id", "household_id", "unit_path", "full_name", "name_folded", "gender", "birth_year", "relation_to_head",
    "phone", "phone_digits", "memberships", "version", "field_versions", "create_fingerprint", "created_by",
    "created_at", "updated_by", "updated_at", "address_sort",
)  # fmt: skip
ACTOR = "demo"
# The demo accounts (backend/seed.py) work in the first area by code and in its commune. Spread evenly, the
# default 300 households over 700-odd areas left that cadre one household to look at; the first ones go
# to that commune's areas instead, so the demo shows a list worth searching.
SHOWCASE_HOUSEHOLDS = 150


def demo_id(seed: int, kind: str, number: int) -> uuid.UUID:
    """Stable ids: seeding again finds the same records (idempotence) instead of adding new ones."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"mattran-demo:{seed}:{kind}:{number}")


def _name(rng: random.Random, gender: str, surname: str) -> str:
    return f"{surname} {rng.choice(MIDDLE[gender])} {rng.choice(GIVEN[gender])}"


def _members(rng: random.Random, seed: int, number: int, area: Any, now: datetime) -> list[tuple[Any, ...]]:
    surname, rows = rng.choice(SURNAMES), []
    household_id = demo_id(seed, "household", number)
    for index in range(rng.choice((1, 2, 3, 3, 4, 4, 5, 6))):
        gender = "male" if (index == 0) == (rng.random() < 0.7) else "female"
        relation = "head" if index == 0 else ("spouse" if index == 1 else "child")
        year = rng.randint(1940, 1985) if index < 2 else rng.randint(1985, 2024)
        name = _name(rng, gender, surname if relation != "spouse" else rng.choice(SURNAMES))
        phone = f"09{rng.randint(10_000_000, 99_999_999)}" if year < 2008 and rng.random() < 0.7 else None
        rows.append(
            (demo_id(seed, f"resident-{number}", index), household_id, area["path"], name, fold(name), gender, year,
             relation, phone, phone_digits(phone), "[]", 1, "{}", "demo", ACTOR, now, ACTOR, now)
        )  # fmt: skip
    return rows


def demo_rows(
    areas: Sequence[Any], seed: int, count: int, now: datetime
) -> Iterator[tuple[tuple[Any, ...], list[tuple[Any, ...]]]]:
    """(household, its residents) for `count` households: up to half of them (SHOWCASE_HOUSEHOLDS at most) in
    the areas of the first area's commune, the others spread over all the areas in turn."""
    rng = random.Random(seed)
    commune = _commune_path(areas[0])
    showcase = [area for area in areas if _commune_path(area) == commune]
    showcased = min(SHOWCASE_HOUSEHOLDS, count // 2)
    for number in range(count):
        area = showcase[number % len(showcase)] if number < showcased else areas[(number - showcased) % len(areas)]
        members = _members(rng, seed, number, area, now)
        street, house = rng.choice(STREETS), str(rng.randint(1, 300))
        circumstances = [rng.choice(("ho_ngheo", "ho_can_ngheo", "gia_dinh_chinh_sach"))] if rng.random() < 0.1 else []
        household = (
            demo_id(seed, "household", number), area["code"], area["path"], house, street,
            address_folded(house, street, area["name"]), circumstances, "", "active", members[0][0], 1, "{}",
            "demo", ACTOR, now, ACTOR, now,
        )  # fmt: skip
        yield household, members


def _commune_path(area: Any) -> str:
    return str(area["path"]).rpartition("/")[0]


async def seed_demo_households(clock: Clock, seed: int, count: int) -> dict[str, int]:
    """Households and residents in the current residential areas, in COPY batches; idempotent per seed
    (the first demo household of this seed existing means this seed was loaded)."""
    async with db.transaction():
        areas = await repo.residential_areas()
        if not areas or count < 1 or await repo.fingerprint_of("households", demo_id(seed, "household", 0)):
            return {"households": 0, "residents": 0}
        totals = {"households": 0, "residents": 0}
        households: list[tuple[Any, ...]] = []
        residents: list[tuple[Any, ...]] = []
        for household, members in demo_rows(areas, seed, count, clock.now()):
            households.append(household)
            residents.extend(members)
            if len(households) == BATCH:
                await _load(households, residents, totals)
        await _load(households, residents, totals)
    await repo.settle_after_bulk_load()
    return totals


async def _load(households: list[tuple[Any, ...]], residents: list[tuple[Any, ...]], totals: dict[str, int]) -> None:
    await repo.copy_rows("households", repo.HOUSEHOLD_COPY_COLUMNS, households)
    sorts = await repo.address_sorts({row[1] for row in residents})
    await repo.copy_rows("residents", RESIDENT_COLUMNS, [(*row, sorts[row[1]]) for row in residents])
    totals["households"] += len(households)
    totals["residents"] += len(residents)
    households.clear()
    residents.clear()
