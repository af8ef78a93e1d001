"""Live figures as typed, scope-checked queries: each has a stable id, takes (unit, period) and answers a
Figure that carries its id, parameters and the link that re-runs it (`GET /api/v1/assistant/queries/{id}`).

Every query first resolves the unit and requires the asker's read permission on it (outside scope: 404);
the SQL of this module also restricts rows to the asker's read scope (`scope_sql`), so a unit code can
never widen what is counted. Petition and congress figures come from those features' own services.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from backend.db import connection
from backend.features.congress.rollup import RollupService
from backend.features.congress.service import CongressService
from backend.features.petitions import repo as petitions_repo
from backend.features.petitions.states import OPEN_STATES
from backend.features.petitions.stats import StatsService
from backend.features.units import repo as units_repo
from backend.lib.access import Permission, Principal, scope_sql
from backend.lib.clock import VIETNAM, Clock
from backend.lib.errors import InvalidInputError, NotFoundError
from backend.lib.i18n import translate
from backend.settings import Settings
from schemas.assistant import Figure, FigureRow
from schemas.common import FieldError

QUERY_PATH = "/api/v1/assistant/queries"
OVERDUE_LISTED = 20
CONCERNS_LISTED = 10
CONCERN_CHARS = 200


@dataclass(frozen=True)
class QueryParams:
    unit_code: str
    since: date
    until: date

    def as_dict(self) -> dict[str, str]:
        return {"unit_code": self.unit_code, "since": self.since.isoformat(), "until": self.until.isoformat()}


@dataclass(frozen=True)
class Context:
    principal: Principal
    settings: Settings
    clock: Clock
    unit: Any


def _vn(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=VIETNAM)


def _scope(context: Context, column: str, args: list[Any]) -> str:
    """Rows of the unit and below, and within the asker's read scope (both, so neither can widen the other)."""
    unit_clause, unit_args = scope_sql(column, [context.unit["path"]], len(args) + 1)
    args.extend(unit_args)
    asker_clause, asker_args = scope_sql(column, context.principal.scope_paths(Permission.read), len(args) + 1)
    args.extend(asker_args)
    return f"{unit_clause} AND {asker_clause}"


def _figure(
    query_id: str, params: QueryParams, total: int, rows: list[FigureRow], text: str | None = None, **values: Any
) -> Figure:
    """The figure of a query; `text` names other messages than the query's own (e.g. "nothing to count")."""
    names = {"since": params.since.strftime("%d/%m/%Y"), "until": params.until.strftime("%d/%m/%Y"), **values}
    key = f"assistant.query.{text or query_id}"
    return Figure(
        ref="",
        query_id=query_id,
        params=params.as_dict(),
        title=translate(f"{key}.title", **names),
        summary=translate(f"{key}.summary", total=total, **names),
        total=total,
        rows=rows,
        link=f"{QUERY_PATH}/{query_id}?{urlencode(params.as_dict())}",
    )


async def petitions_stats(context: Context, params: QueryParams) -> Figure:
    stats = await StatsService(context.clock).figures(context.principal, params.unit_code, params.since, params.until)
    total = stats.total
    rows = [
        FigureRow(
            key=r.key,
            label=r.name or translate("assistant.uncategorised"),
            value=r.received,
            extra={
                "answered": r.answered_on_time + r.answered_late,
                "late": r.answered_late,
                "overdue": r.open_overdue,
            },
        )
        for r in stats.by_category
        if r.received
    ]
    return _figure(
        "petitions.stats",
        params,
        total.received,
        rows,
        unit=context.unit["name"],
        answered=total.answered_on_time + total.answered_late,
        late=total.answered_late,
        overdue=total.open_overdue,
        open=total.open,
    )


async def petitions_by_unit(context: Context, params: QueryParams) -> Figure:
    stats = await StatsService(context.clock).figures(context.principal, params.unit_code, params.since, params.until)
    rows = sorted(
        (FigureRow(key=r.key, label=r.name, value=r.received) for r in stats.by_unit if r.received),
        key=lambda row: (-row.value, row.key),
    )
    top = rows[0].label if rows else "—"
    return _figure("petitions.by_unit", params, stats.total.received, rows, unit=context.unit["name"], top=top)


async def petitions_by_state(context: Context, params: QueryParams) -> Figure:
    args: list[Any] = [_vn(params.since), _vn(params.until + timedelta(days=1))]
    scope = _scope(context, "p.origin_unit_path", args)
    async with connection() as conn:
        counted = await conn.fetch(
            "SELECT p.state, count(*) AS n FROM petitions p"
            f" WHERE p.created_at >= $1 AND p.created_at < $2 AND {scope} GROUP BY p.state ORDER BY p.state",
            *args,
        )
    rows = [FigureRow(key=r["state"], label=translate(f"petitions.status.{r['state']}"), value=r["n"]) for r in counted]
    return _figure("petitions.by_state", params, sum(r.value for r in rows), rows, unit=context.unit["name"])


async def petitions_overdue(context: Context, params: QueryParams) -> Figure:
    """Open petitions past their deadline now (whatever the period: overdue is a state of today)."""
    now = context.clock.now()
    args: list[Any] = [now, sorted(state.value for state in OPEN_STATES)]
    scope = _scope(context, "p.origin_unit_path", args)
    where = f"p.due_at < $1 AND p.state = ANY($2::text[]) AND {scope}"
    names = {row["code"]: row["name_vi"] for row in await petitions_repo.categories(active_only=False)}
    async with connection() as conn:
        total = await conn.fetchval(f"SELECT count(*) FROM petitions p WHERE {where}", *args)
        listed = await conn.fetch(
            f"SELECT p.tracking_code, p.category_code, p.due_at FROM petitions p WHERE {where}"
            f" ORDER BY p.due_at, p.tracking_code LIMIT {OVERDUE_LISTED}",
            *args,
        )
    rows = [
        FigureRow(
            key=r["tracking_code"],
            label=translate(
                "assistant.overdue_row",
                category=names.get(r["category_code"] or "", "—"),
                due=r["due_at"].astimezone(VIETNAM).strftime("%d/%m/%Y"),
            ),
            value=(now - r["due_at"]).days,
        )
        for r in listed
    ]
    return _figure("petitions.overdue", params, int(total), rows, unit=context.unit["name"])


async def visits_coverage(context: Context, params: QueryParams) -> Figure:
    """Per residential area (or the area itself): live households, and those visited in the period."""
    args: list[Any] = [params.since, params.until]
    scope = _scope(context, "a.path", args)
    async with connection() as conn:
        counted = await conn.fetch(
            f"""
            SELECT a.code, a.name,
                   (SELECT count(*) FROM households h WHERE h.unit_path = a.path AND h.deleted_at IS NULL
                      AND h.status = 'active') AS households,
                   (SELECT count(DISTINCT v.household_id) FROM visits v JOIN households h ON h.id = v.household_id
                    WHERE v.unit_path = a.path AND v.deleted_at IS NULL AND h.deleted_at IS NULL
                      AND h.status = 'active' AND v.visited_on BETWEEN $1 AND $2) AS visited
            FROM units a
            WHERE a.level = 'residential_area' AND a.valid_to IS NULL AND {scope}
            ORDER BY a.code
            """,
            *args,
        )
    rows = [FigureRow(key=r["code"], label=r["name"], value=r["visited"], of=r["households"]) for r in counted]
    visited, households = sum(r.value for r in rows), sum(r.of or 0 for r in rows)
    share = round(100 * visited / households) if households else 0
    return _figure(
        "visits.coverage", params, visited, rows, unit=context.unit["name"], households=households, share=share
    )


async def visits_concerns(context: Context, params: QueryParams) -> Figure:
    """Concerns residents raised at the door in the period (the newest, with their area): free text, so
    never sent to an external model unless allowed (see model.PERSONAL_QUERIES)."""
    args: list[Any] = [params.since, params.until]
    scope = _scope(context, "v.unit_path", args)
    where = f"v.visited_on BETWEEN $1 AND $2 AND v.deleted_at IS NULL AND v.concerns <> '' AND {scope}"
    async with connection() as conn:
        total = await conn.fetchval(f"SELECT count(*) FROM visits v WHERE {where}", *args)
        listed = await conn.fetch(
            f"SELECT v.visited_on, v.concerns, u.code, u.name FROM visits v"
            f" JOIN households h ON h.id = v.household_id JOIN units u ON u.code = h.unit_code"
            f" WHERE {where} ORDER BY v.visited_on DESC, v.id LIMIT {CONCERNS_LISTED}",
            *args,
        )
    rows = [
        FigureRow(key=r["visited_on"].isoformat(), label=f"{r['name']}: {r['concerns'][:CONCERN_CHARS]}", value=1)
        for r in listed
    ]
    return _figure("visits.concerns", params, int(total), rows, unit=context.unit["name"])


async def congress_late(context: Context, params: QueryParams) -> Figure:
    """Milestones of the Front's congresses below the unit past their deadline (the latest term)."""
    rollup = RollupService(CongressService(context.settings, context.clock))
    try:
        dashboard = await rollup.dashboard(context.principal, params.unit_code, None, None, "front")
    except NotFoundError as error:
        if error.detail_key != "problem.congress.term_not_found":
            raise
        return _figure("congress.late", params, 0, [], unit=context.unit["name"], term="—")
    rows = [
        FigureRow(
            key=late.unit_code,
            label=translate(
                "assistant.congress_row",
                unit=late.unit_name,
                stage=translate(f"congress.stage.{late.stage}"),
                due=late.due_on.strftime("%d/%m/%Y"),
            ),
            value=late.days_late,
        )
        for late in dashboard.late_units
    ]
    return _figure(
        "congress.late", params, dashboard.late_units_total, rows, unit=context.unit["name"], term=dashboard.term
    )


async def congress_progress(context: Context, params: QueryParams) -> Figure:
    """The milestones of the unit's own Front congress (latest term): done, and late ones."""
    congresses = CongressService(context.settings, context.clock)
    try:
        congress = await congresses.congress_of_unit(context.principal, params.unit_code, None, "front")
    except NotFoundError as error:
        if error.detail_key not in ("problem.congress.term_not_found", "problem.congress.not_found"):
            raise
        return _figure("congress.progress", params, 0, [], "congress.progress.none", unit=context.unit["name"])
    today = congresses.today()
    rows = [
        FigureRow(
            key=m.stage,
            label=translate(
                "assistant.milestone_row",
                stage=translate(f"congress.stage.{m.stage}"),
                status=translate(f"pwa.congress.status.{m.status}"),
                due=m.due_on.strftime("%d/%m/%Y"),
            ),
            value=max((today - m.due_on).days, 0) if m.status != "done" else 0,
        )
        for m in congress.milestones
    ]
    done = sum(m.status == "done" for m in congress.milestones)
    late = sum(row.value > 0 for row in rows)
    return _figure(
        "congress.progress",
        params,
        done,
        rows,
        unit=context.unit["name"],
        term=congress.term,
        milestones=len(rows),
        late=late,
    )


QUERIES: dict[str, Callable[[Context, QueryParams], Awaitable[Figure]]] = {
    "petitions.stats": petitions_stats,
    "petitions.by_state": petitions_by_state,
    "petitions.by_unit": petitions_by_unit,
    "petitions.overdue": petitions_overdue,
    "visits.coverage": visits_coverage,
    "visits.concerns": visits_concerns,
    "congress.progress": congress_progress,
    "congress.late": congress_late,
}
MAX_PERIOD_DAYS = 366


async def run_query(
    query_id: str, params: QueryParams, principal: Principal, settings: Settings, clock: Clock
) -> Figure:
    """Run one query for the asker: unknown ids and bad periods are 400, a unit outside scope 404."""
    query = QUERIES.get(query_id)
    if query is None:
        raise InvalidInputError(
            "problem.assistant.unknown_query",
            errors=[FieldError(field="query_id", message="unknown query", source="path")],
            query_id=query_id,
        )
    if params.until < params.since or (params.until - params.since).days > MAX_PERIOD_DAYS:
        raise InvalidInputError(
            "problem.validation.detail",
            errors=[FieldError(field="until", message=f"after since, at most {MAX_PERIOD_DAYS} days", source="query")],
        )
    unit = await units_repo.get_unit(params.unit_code)
    if unit is None or not principal.may(Permission.read, unit["path"]):
        raise NotFoundError("problem.unit_not_found.detail", code=params.unit_code)
    return await query(Context(principal, settings, clock, unit), params)
