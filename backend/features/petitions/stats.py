"""Petition figures for a period: received, answered on time, answered late, overdue and still open, by
category and by the units directly below the chosen one (each rolled up over its whole subtree by path
prefix), with CSV/XLSX export.

The cohort is the petitions received in the period (Viet Nam dates, both ends included), counted where
they came from (`origin_unit_path`). An answer is late when any of its answer steps was done after its
deadline (a reopened petition answered late the second time is late).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from backend.db import connection
from backend.features.petitions import repo
from backend.features.registry.exports import ExportFormat, encode
from backend.features.units import repo as units_repo
from backend.lib.access import Permission, Principal
from backend.lib.clock import VIETNAM, Clock
from backend.lib.errors import InvalidInputError, NotFoundError
from backend.lib.i18n import Language, translate
from schemas.common import FieldError
from schemas.petitions import PetitionStats, StatsRow

MAX_PERIOD_DAYS = 366

_FIGURES = """
    count(*) AS received,
    count(*) FILTER (WHERE p.answered_at IS NOT NULL AND NOT late.any) AS answered_on_time,
    count(*) FILTER (WHERE p.answered_at IS NOT NULL AND late.any) AS answered_late,
    count(*) FILTER (WHERE p.answered_at IS NULL AND p.due_at < $4
                     AND p.state IN ('received', 'classified', 'assigned', 'forwarded', 'reopened')) AS open_overdue,
    count(*) FILTER (WHERE p.state IN ('received', 'classified', 'assigned', 'forwarded', 'reopened')) AS open
"""
_LATE = """
    CROSS JOIN LATERAL (
        SELECT coalesce(bool_or(s.done_at > s.due_at), false) AS any
        FROM petition_steps s WHERE s.petition_id = p.id AND s.step = 'answer'
    ) late
"""
_COHORT = f"""
    FROM petitions p {_LATE}
    WHERE (p.origin_unit_path = $1 OR p.origin_unit_path LIKE $1 || '/%') AND p.created_at >= $2 AND p.created_at < $3
"""


def _row(key: str, name: str, values: Any) -> StatsRow:
    figures = {name: int(values[name]) if values else 0 for name in _FIGURE_NAMES}
    return StatsRow(key=key, name=name, **figures)


_FIGURE_NAMES = ("received", "answered_on_time", "answered_late", "open_overdue", "open")


class StatsService:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    async def figures(self, principal: Principal, unit_code: str, since: date, until: date) -> PetitionStats:
        if until < since or (until - since).days > MAX_PERIOD_DAYS:
            raise InvalidInputError(
                "problem.validation.detail",
                errors=[
                    FieldError(field="until", message=f"after since, at most {MAX_PERIOD_DAYS} days", source="query")
                ],
            )
        unit = await units_repo.get_unit(unit_code)
        if unit is None or not principal.may(Permission.read, unit["path"]):
            raise NotFoundError("problem.unit_not_found.detail", code=unit_code)
        start = datetime.combine(since, time.min, tzinfo=VIETNAM)
        end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=VIETNAM)
        args = (unit["path"], start, end, self.clock.now())
        names = {row["code"]: row["name_vi"] for row in await repo.categories(active_only=False)}
        async with connection() as conn:
            total = await conn.fetchrow(f"SELECT {_FIGURES} {_COHORT}", *args)
            by_category = await conn.fetch(
                f"SELECT coalesce(p.category_code, '') AS key, {_FIGURES} {_COHORT} GROUP BY 1 ORDER BY 1", *args
            )
            # Each child's figures over its whole subtree: one prefix match per child.
            counted = {
                row["key"]: row
                for row in await conn.fetch(
                    f"""
                    SELECT child.code AS key, {_FIGURES}
                    FROM units child
                    JOIN petitions p ON (p.origin_unit_path = child.path OR p.origin_unit_path LIKE child.path || '/%')
                    {_LATE}
                    WHERE child.parent = $5 AND p.origin_unit_path LIKE $1 || '/%'
                      AND p.created_at >= $2 AND p.created_at < $3
                    GROUP BY child.code
                    """,
                    *args,
                    unit["code"],
                )
            }
            children = await conn.fetch(
                "SELECT code, name FROM units WHERE parent = $1 AND valid_to IS NULL ORDER BY code", unit["code"]
            )
        return PetitionStats(
            since=since,
            until=until,
            unit_code=unit["code"],
            total=_row(unit["code"], unit["name"], total),
            by_category=[_row(r["key"], names.get(r["key"], ""), r) for r in by_category],
            by_unit=[_row(c["code"], c["name"], counted.get(c["code"])) for c in children],
        )

    async def export(
        self, principal: Principal, unit_code: str, since: date, until: date, fmt: ExportFormat, language: Language
    ) -> bytes:
        stats = await self.figures(principal, unit_code, since, until)
        header = [translate(f"petitions.stats.{name}", language) for name in ("group", "key", "name", *_FIGURE_NAMES)]
        lines: list[list[Any]] = [header]
        for group, rows in (("total", [stats.total]), ("category", stats.by_category), ("unit", stats.by_unit)):
            group_name = translate(f"petitions.stats.by_{group}", language)
            lines.extend(
                [group_name, r.key, r.name, r.received, r.answered_on_time, r.answered_late, r.open_overdue, r.open]
                for r in rows
            )
        return encode(lines, fmt, title=translate("petitions.stats.sheet", language))
