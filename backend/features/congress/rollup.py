"""The roll-up dashboard of any unit: per milestone, how the congresses below it stand, at any depth; per
child unit (the drill-down); the late units; the on-time share; and its XLSX export.

The counts come from `congress_rollup`, a summary kept in step with congress_milestones by statement-level
triggers inside the writing transaction (raw-SQL migration): for every unit above a milestone it counts the
milestones by child unit, level, stage, deadline, status and lateness. The national dashboard then sums
about 2,000 summary rows with one GROUPING SETS query instead of scanning 33,550 milestones; "overdue"
stays exact because the deadline is part of the key and "today" is applied at read time. The late list
reads the milestones not done (a partial index) directly.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from backend.db import connection
from backend.features.congress.repo import below
from backend.features.congress.rules import shown_status
from backend.features.congress.service import CongressService
from backend.features.units import repo as units_repo
from backend.lib.access import Permission, Principal
from backend.lib.errors import NotFoundError
from backend.lib.i18n import Language, translate
from schemas.congress import ChildTotals, Dashboard, LateUnit, StageTotals

LATE_LISTED = 100

_ROLLUP_SQL = """
    SELECT r.*, u.name AS child_name FROM (
        SELECT stage, position, child_code, GROUPING(stage, position) > 0 AS by_child,
            GROUPING(child_code) > 0 AS by_stage,
            sum(n) AS expected,
            sum(n) FILTER (WHERE status = 'not_reported') AS not_reported,
            sum(n) FILTER (WHERE status = 'not_started') AS not_started,
            sum(n) FILTER (WHERE status = 'in_progress') AS in_progress,
            sum(n) FILTER (WHERE status = 'done') AS done,
            sum(n) FILTER (WHERE status = 'done' AND NOT done_late) AS done_on_time,
            sum(n) FILTER (WHERE status = 'done' AND done_late) AS done_late,
            sum(n) FILTER (WHERE status <> 'done' AND due_on < $1) AS overdue,
            sum(n) FILTER (WHERE status = 'done' OR due_on < $1) AS due,
            sum(n) FILTER (WHERE position = 1) AS units
        FROM congress_rollup
        WHERE term = $2 AND organisation = $3 AND ancestor_path = $4 AND ($5::text IS NULL OR level = $5)
        GROUP BY GROUPING SETS ((stage, position), (child_code), ())
    ) r LEFT JOIN units u ON u.code = r.child_code
"""
COUNTS = ("expected", "not_reported", "not_started", "in_progress", "done", "done_on_time", "done_late", "overdue")


def share(on_time: int, due: int) -> float | None:
    """On time among what is due; None (not zero) when nothing is due yet."""
    return round(on_time / due, 4) if due else None


def _counts(row: Any) -> dict[str, int]:
    """SUM over no rows is NULL: a filtered count with nothing in it is zero (the row itself exists)."""
    return {name: int(row[name] or 0) for name in (*COUNTS, "due", "units")}


async def rollup_rows(
    today: date, term: str, organisation: str, unit_path: str, level: str | None
) -> tuple[list[Any], list[Any], dict[str, int] | None]:
    """(per stage, per child, overall) counts of the milestones strictly below unit_path."""
    async with connection() as conn:
        rows = await conn.fetch(_ROLLUP_SQL, today, term, organisation, unit_path, level)
    by_stage = [r for r in rows if r["by_stage"] and not r["by_child"]]
    stages = [{"stage": r["stage"], **_counts(r)} for r in sorted(by_stage, key=lambda r: r["position"])]
    children = [
        {"child": r["child_code"], "name": r["child_name"], **_counts(r)}
        for r in rows
        if r["by_child"] and not r["by_stage"]
    ]
    overall = next((_counts(r) for r in rows if r["by_child"] and r["by_stage"]), None)
    return stages, children, overall


async def late_rows(
    today: date, term: str, organisation: str, unit_path: str, level: str | None
) -> tuple[list[Any], int]:
    """The first LATE_LISTED milestones past due below unit_path (oldest deadline first), and how many
    congresses have at least one."""
    condition, pattern = below("unit_path", unit_path, 4)
    where = (
        f"term = $2 AND organisation = $3 AND {condition} AND ($5::text IS NULL OR level = $5)"
        " AND status <> 'done' AND due_on < $1"
    )
    args = (today, term, organisation, pattern, level)
    async with connection() as conn:
        rows = await conn.fetch(
            f"""WITH open AS (SELECT congress, unit_path, stage, position, due_on, status FROM congress_milestones
                              WHERE {where})
                SELECT c.unit_code, u.name AS unit_name, m.unit_path, m.stage, m.due_on, m.status,
                       (SELECT count(DISTINCT congress) FROM open) AS total
                FROM (SELECT * FROM open ORDER BY due_on, unit_path COLLATE "C", position LIMIT {LATE_LISTED}) m
                JOIN congresses c ON c.id = m.congress JOIN units u ON u.code = c.unit_code
                ORDER BY m.due_on, m.unit_path COLLATE "C", m.position""",
            *args,
        )
    # Every row carries the total; no row means no congress is late.
    return list(rows), int(rows[0]["total"]) if rows else 0


class RollupService:
    def __init__(self, congresses: CongressService) -> None:
        self.congresses = congresses

    async def dashboard(
        self, principal: Principal, unit_code: str, term: str | None, level: str | None, organisation: str
    ) -> Dashboard:
        unit = await units_repo.get_unit(unit_code)
        if unit is None:
            raise NotFoundError("problem.unit_not_found.detail", code=unit_code)
        principal.require(Permission.read, unit["path"])
        code = await self.congresses.term_or_latest(term)
        today = self.congresses.today()
        stages, children, overall = await rollup_rows(today, code, organisation, unit["path"], level)
        late, late_total = await late_rows(today, code, organisation, unit["path"], level)
        return Dashboard(
            unit_code=unit["code"],
            unit_name=unit["name"],
            term=code,
            level=level,  # type: ignore[arg-type]
            organisation=organisation,  # type: ignore[arg-type]
            as_of=today,
            units=overall["units"] if overall else 0,
            stages=[
                StageTotals(
                    stage=r["stage"],
                    **{name: r[name] for name in COUNTS},
                    on_time_share=share(r["done_on_time"], r["due"]),
                )
                for r in stages
            ],
            on_time_share=share(overall["done_on_time"], overall["due"]) if overall else None,
            children=sorted(
                (
                    ChildTotals(
                        unit_code=r["child"],
                        unit_name=r["name"] or r["child"],
                        units=r["units"],
                        milestones=r["expected"],
                        done=r["done"],
                        not_reported=r["not_reported"],
                        overdue=r["overdue"],
                        on_time_share=share(r["done_on_time"], r["due"]),
                    )
                    for r in children
                ),
                key=lambda child: child.unit_code,
            ),
            late_units=[
                LateUnit(
                    unit_code=r["unit_code"],
                    unit_name=r["unit_name"],
                    unit_path=r["unit_path"],
                    stage=r["stage"],
                    due_on=r["due_on"],
                    status=shown_status(r["status"], r["due_on"], today),  # type: ignore[arg-type]
                    days_late=(today - r["due_on"]).days,
                )
                for r in late
            ],
            late_units_total=late_total,
        )


def dashboard_xlsx(dashboard: Dashboard, language: Language) -> bytes:
    """The dashboard as a workbook: milestones, the drill-down by child unit, and the late units."""
    import openpyxl  # heavy; only the export needs it

    def t(key: str) -> str:
        return translate(key, language)

    workbook = openpyxl.Workbook(write_only=True)
    stages = workbook.create_sheet(t("congress.export.stages"))
    stages.append([f"{dashboard.unit_name} · {dashboard.term} · {dashboard.as_of.isoformat()}"])
    counts = ("expected", "not_reported", "not_started", "in_progress", "done", "done_on_time", "done_late", "overdue")
    stages.append(
        [
            t("congress.export.stage"),
            *(t(f"congress.count.{name}") for name in counts),
            t("congress.count.on_time_share"),
        ]
    )
    for row in dashboard.stages:
        stages.append([t(f"congress.stage.{row.stage}"), *(getattr(row, name) for name in COUNTS), row.on_time_share])
    children = workbook.create_sheet(t("congress.export.children"))
    child_counts = ("units", "milestones", "done", "not_reported", "overdue")
    children.append(
        [
            t("congress.export.unit"),
            *(t(f"congress.count.{n}") for n in child_counts),
            t("congress.count.on_time_share"),
        ]
    )
    for child in dashboard.children:
        children.append([child.unit_name, *(getattr(child, n) for n in child_counts), child.on_time_share])
    late = workbook.create_sheet(t("congress.export.late"))
    late.append(
        [
            t("congress.export.unit"),
            t("congress.export.stage"),
            t("congress.export.due_on"),
            t("congress.export.days_late"),
        ]
    )
    for unit in dashboard.late_units:
        late.append([unit.unit_name, t(f"congress.stage.{unit.stage}"), unit.due_on, unit.days_late])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
