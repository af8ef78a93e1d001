"""Registry import throughput: a valid CSV of 100,000 resident rows, end to end (dry run: read, check
every row, match natural keys, keep the checked rows; then confirm: restore them under the lock, match
again, COPY, audit), against a raw COPY of the very rows the import wrote into the same tables (same
indexes, constraints and triggers), and into bare copies of the tables (primary keys only: no secondary
index, foreign key, check or trigger), the floor of the machine itself.

Target (issue 5): >= 50,000 rows/s. Median of 3 runs; run with `pytest -m bench tests/bench -s`.
"""

from __future__ import annotations

import csv
import io
import random
import statistics
import time
from typing import Any

import msgspec
import pytest

from backend import db
from backend.features.registry.imports import RESIDENT_COLUMNS, ImportService
from backend.features.registry.repo import HOUSEHOLD_COPY_COLUMNS as HOUSEHOLD_COLUMNS
from backend.lib.access import Principal, Role, ScopedRole
from backend.lib.clock import FrozenClock
from backend.settings import Settings

pytestmark = [pytest.mark.bench, pytest.mark.integration]

ROWS = 100_000
RUNS = 3
AREAS = 20
COMMUNE, COMMUNE_PATH = "00070", "TW/01/00070"
HEADER = ["Khu dân cư", "Mã hộ", "Số nhà", "Đường phố", "Quan hệ với chủ hộ", "Họ và tên", "Giới tính", "Ngày sinh",
          "Số điện thoại", "Dân tộc", "Tôn giáo", "Số CCCD"]  # fmt: skip
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ")
GIVEN = ("Văn An", "Thị Bình", "Hữu Cường", "Thị Dung", "Đức Hùng", "Thị Lan", "Minh Long", "Thu Hà", "Quang Sơn")
STREETS = ("Đường Lê Lợi", "Phố Hàng Bài", "Đường Trần Phú", "Ngõ Văn Chương", "Xóm Chùa")
RELATIONS = ("Chủ hộ", "Vợ", "Con", "Con", "Cháu", "Bố")


def generate_csv(rows: int, seed: int = 5) -> bytes:
    rng = random.Random(seed)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    written, household = 0, 0
    while written < rows:
        household += 1
        area = f"{COMMUNE}-{household % AREAS + 1:03d}"
        surname, street = rng.choice(SURNAMES), rng.choice(STREETS)
        for index in range(min(rng.randint(1, 6), rows - written)):
            year = rng.randint(1940, 1985) if index < 2 else rng.randint(1986, 2024)
            adult = year < 2008
            writer.writerow([
                area, f"H{household:06d}", str(household % 300 + 1), street, RELATIONS[index],
                f"{surname} {rng.choice(GIVEN)} {index}", rng.choice(("Nam", "Nữ")),
                f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{year}",
                f"09{rng.randint(10_000_000, 99_999_999)}" if adult and rng.random() < 0.6 else "",
                "Kinh", "Phật giáo" if rng.random() < 0.1 else "",
                f"001{rng.randint(0, 999_999_999):09d}" if adult else "",
            ])  # fmt: skip
            written += 1
    return buffer.getvalue().encode("utf-8-sig")


async def _areas() -> None:
    async with db.connection() as conn:
        await conn.executemany(
            "INSERT INTO units (code, parent, path, level, kind, name, name_folded, short_name_folded, source,"
            " valid_from) VALUES ($1, $2, $3, 'residential_area', 'to_dan_pho', $4, $5, $6, 'local', '2025-07-01')",
            [
                (
                    f"{COMMUNE}-{n:03d}",
                    COMMUNE,
                    f"{COMMUNE_PATH}/{COMMUNE}-{n:03d}",
                    f"Tổ dân phố số {n}",
                    f"to dan pho so {n}",
                    f"so {n}",
                )
                for n in range(1, AREAS + 1)
            ],
        )


async def _empty() -> None:
    async with db.connection() as conn:
        await conn.execute("TRUNCATE registry_import_keys, residents, households, registry_imports CASCADE")
        await conn.execute("VACUUM ANALYZE households")
        await conn.execute("VACUUM ANALYZE residents")


async def test_import_throughput(connected: str, settings: Settings, clock: FrozenClock) -> None:
    await _areas()
    content = generate_csv(ROWS)
    service = ImportService(msgspec.structs.replace(settings, registry_import_max_bytes=64 * 1024 * 1024), clock)
    principal = Principal(
        account_id=None, client_id="bench", roles=(ScopedRole(Role.commune_officer, COMMUNE, COMMUNE_PATH),)
    )
    import_rates, dry_runs, loads = [], [], []
    for _ in range(RUNS):
        await _empty()
        started = time.perf_counter()
        job = await service.dry_run(principal, COMMUNE, "bench.csv", content)
        checked = time.perf_counter()
        assert job.status == "validated", job.problems[:3]
        loaded = await service.confirm(principal, job.id)
        finished = time.perf_counter()
        assert loaded.status == "loaded" and loaded.residents_new == ROWS
        import_rates.append(ROWS / (finished - started))
        dry_runs.append(checked - started)
        loads.append(finished - checked)
    async with db.connection() as conn:
        households = [tuple(r) for r in await conn.fetch(f"SELECT {', '.join(HOUSEHOLD_COLUMNS)} FROM households")]
        residents = [tuple(r) for r in await conn.fetch(f"SELECT {', '.join(RESIDENT_COLUMNS)} FROM residents")]
    copy_rates, bare_rates = [], []
    for _ in range(RUNS):
        await _empty()
        copy_rates.append(await _copy_rate("households", "residents", households, residents))
        bare_rates.append(await _copy_rate("bare_households", "bare_residents", households, residents))
    rate, raw, bare = (statistics.median(rates) for rates in (import_rates, copy_rates, bare_rates))
    print(
        f"\nregistry import of {ROWS:,} rows ({len(content) / 1e6:.1f} MB CSV, {len(households):,} households): "
        f"median {rate:,.0f} rows/s end to end (dry run {statistics.median(dry_runs):.2f} s + load "
        f"{statistics.median(loads):.2f} s); raw COPY of the same rows {raw:,.0f} rows/s, into bare tables "
        f"{bare:,.0f} rows/s; import/COPY = {rate / raw:.2f}, import/bare COPY = {rate / bare:.2f}; "
        f"target 50,000 rows/s: {'met' if rate >= 50_000 else 'NOT met'}"
    )
    assert rate > 0


async def _copy_rate(households_table: str, residents_table: str, households: list[Any], residents: list[Any]) -> float:
    """Rows per second of COPYing the rows into these tables in one transaction (committed); the bare
    tables are made anew each time: LIKE the real ones (defaults, generated columns) with primary keys."""
    async with db.connection() as conn:
        for bare, real in (("bare_households", "households"), ("bare_residents", "residents")):
            await conn.execute(f"DROP TABLE IF EXISTS {bare}")
            await conn.execute(f"CREATE TABLE {bare} (LIKE {real} INCLUDING DEFAULTS INCLUDING GENERATED)")
            await conn.execute(f"ALTER TABLE {bare} ADD PRIMARY KEY (id)")
    started = time.perf_counter()
    async with db.transaction(), db.connection() as conn:
        await conn.copy_records_to_table(households_table, records=households, columns=list(HOUSEHOLD_COLUMNS))
        await conn.copy_records_to_table(residents_table, records=residents, columns=list(RESIDENT_COLUMNS))
    return ROWS / (time.perf_counter() - started)
