"""Queries on org units. Reads are raw asyncpg (hot paths: pickers, search); the catalogue sync uses COPY."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, NamedTuple

from backend.db import connection
from backend.features.units.catalog import CatalogUnit

UNIT_COLUMNS = "code, parent, path, level, kind, name, source, valid_from, valid_to"
# Order of levels from the root, used to rank search hits (a province before a commune of the same name).
LEVEL_RANK_SQL = "array_position(ARRAY['central','province','commune','residential_area']::varchar[], level)"


class UnitFilter(NamedTuple):
    level: str | None
    parent: str | None
    include_retired: bool
    today: date


def _filter_sql(unit_filter: UnitFilter, args: list[Any]) -> list[str]:
    clauses = []
    if unit_filter.level is not None:
        args.append(unit_filter.level)
        clauses.append(f"level = ${len(args)}")
    if unit_filter.parent is not None:
        args.append(unit_filter.parent)
        clauses.append(f"parent = ${len(args)}")
    if not unit_filter.include_retired:
        args.append(unit_filter.today)
        clauses.append(f"(valid_to IS NULL OR valid_to > ${len(args)})")
    return clauses


async def list_units(unit_filter: UnitFilter, after_code: str | None, limit: int) -> list[Any]:
    """Units in official code order (codes are assigned geographically), keyset-paged on code."""
    args: list[Any] = []
    clauses = _filter_sql(unit_filter, args)
    if after_code is not None:
        args.append(after_code)
        clauses.append(f"code > ${len(args)}")
    args.append(limit)
    where = " AND ".join(clauses) or "TRUE"
    sql = f"SELECT {UNIT_COLUMNS} FROM units WHERE {where} ORDER BY code LIMIT ${len(args)}"
    async with connection() as conn:
        return list(await conn.fetch(sql, *args))


async def search_units(
    unit_filter: UnitFilter,
    folded_query: str,
    tsquery: str,
    after: tuple[int, int, str, str] | None,
    limit: int,
) -> list[Any]:
    """Units whose folded name has every query word as a word prefix, best first:
    exact name, then name starting with the query, then the rest; higher levels first; then by name
    without its kind word ("Hà Nội" before "Hà Tĩnh", though one is a "Thành phố").
    Each row also carries its sort key (match, level_rank) for the next page's cursor."""
    args: list[Any] = [tsquery, folded_query, folded_query + "%"]
    clauses = ["to_tsvector('simple', name_folded) @@ to_tsquery('simple', $1)", *_filter_sql(unit_filter, args)]
    keyset = ""
    if after is not None:
        args.extend(after)
        n = len(args)
        keyset = f"WHERE (match, level_rank, short_name_folded, code) > (${n - 3}, ${n - 2}, ${n - 1}, ${n})"
    args.append(limit)
    sql = f"""
        SELECT * FROM (
            SELECT {UNIT_COLUMNS}, short_name_folded,
                   CASE WHEN short_name_folded = $2 OR name_folded = $2 THEN 0
                        WHEN short_name_folded LIKE $3 OR name_folded LIKE $3 THEN 1
                        ELSE 2 END AS match,
                   {LEVEL_RANK_SQL} AS level_rank
            FROM units WHERE {" AND ".join(clauses)}
        ) hits {keyset}
        ORDER BY match, level_rank, short_name_folded, code
        LIMIT ${len(args)}"""
    async with connection() as conn:
        return list(await conn.fetch(sql, *args))


async def get_unit(code: str) -> Any | None:
    async with connection() as conn:
        return await conn.fetchrow(f"SELECT {UNIT_COLUMNS} FROM units WHERE code = $1", code)


async def get_units(codes: Sequence[str]) -> list[Any]:
    async with connection() as conn:
        return list(await conn.fetch(f"SELECT {UNIT_COLUMNS} FROM units WHERE code = ANY($1::text[])", codes))


async def count_children(code: str, today: date) -> int:
    async with connection() as conn:
        count = await conn.fetchval(
            "SELECT count(*) FROM units WHERE parent = $1 AND (valid_to IS NULL OR valid_to > $2)", code, today
        )
    return int(count)


async def lineage(code: str) -> tuple[list[Any], list[Any]]:
    """(predecessors, successors) of a unit: what it was formed from and what it became."""
    async with connection() as conn:
        predecessors = await conn.fetch(
            f"SELECT {UNIT_COLUMNS} FROM units WHERE code IN"
            " (SELECT predecessor FROM unit_predecessors WHERE unit = $1) ORDER BY code",
            code,
        )
        successors = await conn.fetch(
            f"SELECT {UNIT_COLUMNS} FROM units WHERE code IN"
            " (SELECT unit FROM unit_predecessors WHERE predecessor = $1) ORDER BY code",
            code,
        )
    return list(predecessors), list(successors)


async def count_by_level(today: date) -> dict[str, int]:
    async with connection() as conn:
        rows = await conn.fetch(
            "SELECT level, count(*) AS n FROM units WHERE valid_to IS NULL OR valid_to > $1 GROUP BY level", today
        )
    return {row["level"]: row["n"] for row in rows}


async def sync_official(units: Iterable[CatalogUnit], valid_from: date, today: date) -> dict[str, int]:
    """Bring the official units in line with the catalogue; must run inside a transaction.

    New units are inserted, renamed or re-parented ones updated (their descendants' paths follow), and
    official units the catalogue no longer lists are retired (valid_to), never deleted: records still
    point at them. Rows already equal are not touched, so a second run changes nothing.
    """
    async with connection() as conn:
        await conn.execute("CREATE TEMP TABLE catalog_units (LIKE units INCLUDING DEFAULTS) ON COMMIT DROP")
        await conn.copy_records_to_table(
            "catalog_units",
            records=list(units),
            columns=["code", "parent", "path", "level", "kind", "name", "name_folded", "short_name_folded"],
        )
        moved = await conn.execute(
            """
            WITH moved AS (
                SELECT u.path AS old_path, c.path AS new_path
                FROM units u JOIN catalog_units c USING (code) WHERE u.path <> c.path
            )
            UPDATE units d SET path = m.new_path || substr(d.path, length(m.old_path) + 1), updated_at = now()
            FROM moved m WHERE d.path = m.old_path OR d.path LIKE m.old_path || '/%'
            """
        )
        written = await conn.fetchrow(
            """
            WITH written AS (
                INSERT INTO units AS u (code, parent, path, level, kind, name, name_folded, short_name_folded,
                                        source, valid_from)
                SELECT code, parent, path, level, kind, name, name_folded, short_name_folded, 'official', $1
                FROM catalog_units ORDER BY path
                ON CONFLICT (code) DO UPDATE SET
                    parent = excluded.parent, level = excluded.level, kind = excluded.kind,
                    name = excluded.name, name_folded = excluded.name_folded,
                    short_name_folded = excluded.short_name_folded, valid_to = NULL, updated_at = now()
                WHERE (u.parent, u.level, u.kind, u.name, u.name_folded, u.short_name_folded, u.valid_to)
                      IS DISTINCT FROM (excluded.parent, excluded.level, excluded.kind, excluded.name,
                                        excluded.name_folded, excluded.short_name_folded, NULL)
                RETURNING (xmax = 0) AS is_new
            )
            SELECT count(*) FILTER (WHERE is_new) AS inserted, count(*) FILTER (WHERE NOT is_new) AS updated
            FROM written
            """,
            valid_from,
        )
        retired = await conn.execute(
            """
            UPDATE units SET valid_to = $1, updated_at = now()
            WHERE source = 'official' AND valid_to IS NULL
              AND code NOT IN (SELECT code FROM catalog_units)
            """,
            today,
        )
    return {
        "inserted": written["inserted"],
        "updated": written["updated"],
        "moved": _affected(moved),
        "retired": _affected(retired),
    }


def _affected(status: str) -> int:
    """Row count from an asyncpg command status such as 'UPDATE 3'."""
    return int(status.rsplit(" ", 1)[-1])


async def current_communes() -> list[Any]:
    async with connection() as conn:
        return list(
            await conn.fetch(
                f"SELECT {UNIT_COLUMNS} FROM units WHERE level = 'commune' AND valid_to IS NULL ORDER BY code"
            )
        )


async def insert_local_units(units: Iterable[CatalogUnit], valid_from: date) -> None:
    """Insert units created locally (residential areas); ones whose code exists already are left alone."""
    async with connection() as conn:
        await conn.executemany(
            """
            INSERT INTO units (code, parent, path, level, kind, name, name_folded, short_name_folded,
                               source, valid_from)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'local', $9)
            ON CONFLICT (code) DO NOTHING
            """,
            [(*unit, valid_from) for unit in units],
        )


async def lock_unit(code: str) -> Any | None:
    """The unit's row, locked until the transaction ends (serialises creating children under it)."""
    async with connection() as conn:
        return await conn.fetchrow(f"SELECT {UNIT_COLUMNS} FROM units WHERE code = $1 FOR UPDATE", code)


async def child_named(parent: str, name_folded: str) -> str | None:
    async with connection() as conn:
        code = await conn.fetchval(
            "SELECT code FROM units WHERE parent = $1 AND name_folded = $2 AND valid_to IS NULL", parent, name_folded
        )
    return None if code is None else str(code)


async def next_area_number(commune: str) -> int:
    async with connection() as conn:
        highest = await conn.fetchval(
            "SELECT max(substr(code, length($1) + 2)::int) FROM units"
            " WHERE parent = $1 AND code ~ ('^' || $1 || '-[0-9]+$')",
            commune,
        )
    return int(highest or 0) + 1


async def rename_unit(code: str, name: str, name_folded: str, short_name_folded: str) -> None:
    async with connection() as conn:
        await conn.execute(
            "UPDATE units SET name = $2, name_folded = $3, short_name_folded = $4, updated_at = now() WHERE code = $1",
            code,
            name,
            name_folded,
            short_name_folded,
        )
