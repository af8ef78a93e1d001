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

from backend import db
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
    count(*) FILTER (WHERE answered_at IS NOT NULL AND NOT late) AS answered_on_time,
    count(*) FILTER (WHERE answered_at IS NOT NULL AND late) AS answered_late,
    count(*) FILTER (WHERE answered_at IS NULL AND due_at < $4
                     AND state IN ('received', 'classified', 'assigned', 'forwarded', 'reopened')) AS open_overdue,
    count(*) FILTER (WHERE state IN ('received', 'classified', 'assigned', 'forwarded', 'reopened')) AS open
"""
# One pass over the cohort gives the total, the categories and the children: a petition's child below the
# chosen unit is the next segment of its origin path (paths are the codes from the top, joined by '/'), so
# each child's figures cover its whole subtree without matching every child's prefix against every petition.
_ALL_FIGURES = f"""
    SELECT GROUPING(category) = 0 AS by_category, GROUPING(child) = 0 AS by_child, category, child, {_FIGURES}
    FROM (
        SELECT coalesce(p.category_code, '') AS category, split_part(p.origin_unit_path, '/', $5) AS child,
               p.answered_at, p.due_at, p.state,
               -- Probes the index of late answers (petition_steps_late_answers), which holds only those.
               EXISTS (
                   SELECT FROM petition_steps s
                   WHERE s.petition_id = p.id AND s.step = 'answer' AND s.done_at > s.due_at
               ) AS late
        FROM petitions p
        WHERE (p.origin_unit_path = $1 OR p.origin_unit_path LIKE $1 || '/%')
          AND p.created_at >= $2 AND p.created_at < $3
    ) cohort
    GROUP BY GROUPING SETS ((), (category), (child))
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
        child_segment = unit["path"].count("/") + 2
        async with db.transaction(), db.connection() as conn:
            await db.plan_for_each_query()
            rows = await conn.fetch(_ALL_FIGURES, *args, child_segment)
            children = await conn.fetch(
                "SELECT code, name FROM units WHERE parent = $1 AND valid_to IS NULL ORDER BY code", unit["code"]
            )
        total = next((r for r in rows if not r["by_category"] and not r["by_child"]), None)
        by_category = sorted((r for r in rows if r["by_category"]), key=lambda r: r["category"])
        counted = {r["child"]: r for r in rows if r["by_child"] and r["child"]}
        return PetitionStats(
            since=since,
            until=until,
            unit_code=unit["code"],
            total=_row(unit["code"], unit["name"], total),
            by_category=[_row(r["category"], names.get(r["category"], ""), r) for r in by_category],
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
