"""Congress pages: my unit's congress (the milestones as a checklist with due dates, reporting progress with
evidence, the results form), the roll-up dashboard with drill-down, and the approvals inbox of the level
above. Every action goes through CongressService over the live connection; refusals show the service's
own message."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any
from urllib.parse import quote

import msgspec
from reactpy import component, html, use_ref, use_state

from backend.features.congress.rollup import RollupService
from backend.features.congress.service import CongressService
from backend.lib.errors import AppError
from pwa.components.chart import share_bar
from pwa.session import PageSession
from schemas.congress import (
    ApprovalItem,
    CongressRead,
    Dashboard,
    Evidence,
    Leader,
    MilestoneRead,
    MilestoneUpdate,
    ResultDecision,
    ResultSave,
)

LISTED_APPROVALS = 50
# Share fields of the results form, in the order shown.
SHARES = ("women_pct", "non_party_pct", "ethnic_minority_pct", "religious_pct", "youth_pct")


def _service(session: PageSession) -> CongressService:
    return CongressService(session.app.state.settings, session.app.state.clock)


def _own_unit(session: PageSession) -> str | None:
    """The unit the caller works for (the first staff role's); the dashboard and the congress start there."""
    if session.principal is None:
        return None
    return next((role.unit_code for role in session.principal.roles if role.role != "citizen"), None)


def _problem(session: PageSession, error: AppError) -> str:
    return session.t(error.detail_key or error.title_key, **error.params)


def on_click(act: Callable[[str], Awaitable[None]], action: str) -> Callable[[Any], Awaitable[None]]:
    """An event handler running act(action). It must itself be a coroutine function: reactpy awaits the
    handler's own coroutine, not one a plain lambda would return."""

    async def handle(event: Any) -> None:
        await act(action)

    return handle


def _sign_in(session: PageSession, title_key: str, path: str) -> Any:
    return html.section(
        html.h1(session.t(title_key)),
        html.a({"class_name": "button", "href": f"/auth/login?next={quote(path)}"}, session.t("pwa.sign_in")),
    )


# --- my unit's congress ----------------------------------------------------------------------------------


async def load_congress(session: PageSession, query: dict[str, str]) -> dict[str, Any]:
    unit = query.get("unit") or _own_unit(session)
    if session.principal is None or unit is None:
        return {"congress": None}
    try:
        if query.get("id"):
            congress = await _service(session).congress(session.principal, uuid.UUID(query["id"]))
        else:
            congress = await _service(session).congress_of_unit(session.principal, unit, None, "front")
    except (ValueError, AppError):
        return {"congress": None, "unit": unit}
    return {"congress": congress, "today": _service(session).today()}


@component
def CongressPage(session: PageSession, data: dict[str, Any]) -> Any:
    congress: CongressRead | None = data["congress"]
    if not session.signed_in:
        return _sign_in(session, "pwa.congress.title", "/congress")
    if congress is None:
        return html.section(html.h1(session.t("pwa.congress.title")), html.p(session.t("pwa.congress.none")))
    return html.section(
        html.h1(session.t("pwa.congress.title")),
        html.p({"class_name": "muted"}, f"{congress.unit_name} · {congress.term}"),
        html.h2(session.t("pwa.congress.milestones")),
        html.ul(
            {"class_name": "results"},
            *[MilestoneItem(session, congress.id, m, data["today"], key=m.stage) for m in congress.milestones],
        ),
        ResultForm(session, congress, data["today"]),
    )


@component
def MilestoneItem(session: PageSession, congress_id: uuid.UUID, initial: MilestoneRead, today: date) -> Any:
    milestone, set_milestone = use_state(initial)
    problem, set_problem = use_state("")
    typed = use_ref(
        {
            "status": milestone.status if milestone.status != "late" else "in_progress",
            "done_on": today.isoformat(),
            "evidence": "",
        }
    )

    async def save(event: Any) -> None:
        if session.principal is None:
            return
        status = typed.current["status"]
        evidence = list(milestone.evidence)
        if typed.current["evidence"].strip():
            ref = typed.current["evidence"].strip()
            evidence.append(Evidence(kind="document", title=ref[:200], ref=ref[:1000]))
        try:
            update = MilestoneUpdate(
                version=milestone.version,
                status=status,  # type: ignore[arg-type]
                done_on=date.fromisoformat(typed.current["done_on"]) if status == "done" else None,
                evidence=evidence,
                note=milestone.note,
            )
            set_milestone(
                await _service(session).report_progress(session.principal, congress_id, milestone.stage, update)
            )
            set_problem("")
        except AppError as error:
            set_problem(_problem(session, error))
        except ValueError:
            set_problem(session.t("problem.congress.done_on_required"))

    def keep(name: str) -> Any:
        def remember(event: Any) -> None:
            typed.current[name] = event["target"]["value"]

        return remember

    stage = session.t(f"congress.stage.{milestone.stage}")
    due = session.t("pwa.congress.due", due_on=milestone.due_on.strftime("%d/%m/%Y"))
    return html.li(
        html.strong(f"{'✔ ' if milestone.status == 'done' else ''}{stage}"),
        html.div(
            {"class_name": "muted"},
            f"{due} · {session.t(f'pwa.congress.status.{milestone.status}')}",
            f" · {session.t('pwa.congress.days_left', days=milestone.days_left)}"
            if milestone.days_left is not None and milestone.days_left >= 0
            else "",
        ),
        html.div(
            {"class_name": "stack"},
            html.select(
                {
                    "aria_label": session.t("pwa.congress.status"),
                    "on_change": keep("status"),
                    "default_value": typed.current["status"],
                },
                *[
                    html.option({"value": s, "key": s}, session.t(f"pwa.congress.status.{s}"))
                    for s in ("not_started", "in_progress", "done")
                ],
            ),
            html.input(
                {
                    "type": "date",
                    "aria_label": session.t("pwa.congress.done_on"),
                    "max": today.isoformat(),
                    "default_value": typed.current["done_on"],
                    "on_change": keep("done_on"),
                }
            ),
            html.input(
                {
                    "aria_label": session.t("pwa.congress.evidence"),
                    "placeholder": session.t("pwa.congress.evidence"),
                    "maxlength": 1000,
                    "on_change": keep("evidence"),
                }
            ),
            html.button(
                {"class_name": "button small", "type": "button", "on_click": save}, session.t("pwa.congress.save")
            ),
        ),
        html.ul(*[html.li({"key": e.ref}, html.a({"href": e.ref}, e.title)) for e in milestone.evidence]),
        html.p({"class_name": "field-error", "role": "alert"}, problem) if problem else "",
    )


@component
def ResultForm(session: PageSession, congress: CongressRead, today: date) -> Any:
    result, set_result = use_state(congress.result)
    problem, set_problem = use_state("")
    initial = {
        "held_on": result.held_on.isoformat() if result else today.isoformat(),
        "delegates_count": str(result.delegates_count) if result else "",
        "committee_size": str(result.committee_size) if result else "",
        "chair": next((leader.name for leader in result.leaders if leader.role == "chair"), "") if result else "",
        "vice_chairs": ", ".join(v.name for v in result.leaders if v.role == "vice_chair") if result else "",
        **{name: str(getattr(result, name) or "") if result else "" for name in SHARES},
    }
    typed = use_ref(initial)

    def fields() -> ResultSave:
        values = typed.current
        leaders = (
            [Leader(name=values["chair"].strip(), role="chair", full_time=True)] if values["chair"].strip() else []
        )
        leaders += [
            Leader(name=name.strip(), role="vice_chair", full_time=True)
            for name in values["vice_chairs"].split(",")
            if name.strip()
        ]
        return msgspec.convert(
            {
                "held_on": values["held_on"],
                "delegates_count": int(values["delegates_count"] or 0),
                "committee_size": int(values["committee_size"] or 0),
                **{name: float(values[name]) if values[name].strip() else None for name in SHARES},
                "leaders": [msgspec.to_builtins(leader) for leader in leaders],
                "version": result.version if result else None,
            },
            ResultSave,
        )

    async def act(action: str) -> None:
        if session.principal is None:
            return
        service = _service(session)
        try:
            saved = await service.save_result(session.principal, congress.id, fields())
            if action == "submitted":
                saved = await service.decide(
                    session.principal, congress.id, "submitted", ResultDecision(version=saved.version)
                )
            set_result(saved)
            set_problem("")
        except AppError as error:
            set_problem(_problem(session, error))
        except (ValueError, msgspec.ValidationError) as error:
            set_problem(session.t("problem.validation.field", field="", reason=str(error)))

    def keep(name: str) -> Any:
        def remember(event: Any) -> None:
            typed.current[name] = event["target"]["value"]

        return remember

    def field(name: str, kind: str = "text") -> Any:
        return html.div(
            {"key": name},
            html.label({"html_for": f"result-{name}"}, session.t(f"pwa.congress.result.{name}")),
            html.input({"id": f"result-{name}", "type": kind, "default_value": initial[name], "on_change": keep(name)}),
        )

    state = session.t(f"pwa.congress.result_state.{result.state}") if result else session.t("pwa.congress.no_result")
    editable = result is None or result.state in ("draft", "returned", "reopened")
    return html.div(
        {"class_name": "stack"},
        html.h2(session.t("pwa.congress.results")),
        html.p({"class_name": "muted"}, state),
        *[
            field(name, "date" if name == "held_on" else "number" if name not in ("chair", "vice_chairs") else "text")
            for name in ("held_on", "delegates_count", "committee_size", "chair", "vice_chairs", *SHARES)
        ],
        html.div(
            html.button(
                {"class_name": "button secondary", "type": "button", "on_click": on_click(act, "saved")},
                session.t("pwa.congress.save"),
            ),
            html.button(
                {"class_name": "button", "type": "button", "on_click": on_click(act, "submitted")},
                session.t("pwa.congress.submit"),
            ),
        )
        if editable
        else "",
        html.p({"class_name": "field-error", "role": "alert"}, problem) if problem else "",
        # The trace of the result (who submitted, returned, approved, reopened it, and why).
        html.h3(session.t("pwa.congress.history")),
        html.ul(
            {"class_name": "results"},
            *[
                html.li(
                    {"key": f"{e.at.isoformat()}-{e.action}"},
                    f"{e.at.strftime('%d/%m/%Y')} · {session.t(f'pwa.congress.result_state.{e.state_after}')}"
                    + (f" · {e.reason}" if e.reason else ""),
                )
                for e in result.events
            ],
        )
        if result and result.events
        else html.p({"class_name": "muted"}, session.t("pwa.congress.no_history")),
    )


# --- the dashboard ---------------------------------------------------------------------------------------


async def load_dashboard(session: PageSession, query: dict[str, str]) -> dict[str, Any]:
    unit = query.get("unit") or _own_unit(session)
    if session.principal is None or unit is None:
        return {"dashboard": None}
    try:
        dashboard = await RollupService(_service(session)).dashboard(session.principal, unit, None, None, "front")
    except AppError:
        return {"dashboard": None}
    return {"dashboard": dashboard}


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %"


@component
def DashboardPage(session: PageSession, data: dict[str, Any]) -> Any:
    if not session.signed_in:
        return _sign_in(session, "pwa.congress.dashboard", "/congress/dashboard")
    dashboard: Dashboard | None = data["dashboard"]
    if dashboard is None:
        return html.section(html.h1(session.t("pwa.congress.dashboard")), html.p(session.t("pwa.congress.none")))
    title = html.h1(f"{session.t('pwa.congress.dashboard')} · {dashboard.unit_name}")
    if dashboard.units == 0:  # a commune: its residential areas hold no congresses
        return html.section(
            title,
            html.p({"class_name": "muted"}, session.t("pwa.congress.no_units_below")),
            html.a({"class_name": "button secondary", "href": "/congress"}, session.t("pwa.congress.title")),
        )
    export = f"/api/v1/congress-dashboard/export?unit={quote(dashboard.unit_code)}"
    return html.section(
        title,
        html.p(
            {"class_name": "muted"},
            session.t(
                "pwa.congress.summary",
                units=dashboard.units,
                share=_percent(dashboard.on_time_share),
                late=dashboard.late_units_total,
            ),
        ),
        html.ul(
            {"class_name": "results"},
            *[
                html.li(
                    {"key": s.stage},
                    html.strong(session.t(f"congress.stage.{s.stage}")),
                    html.div(
                        {"class_name": "muted"},
                        session.t(
                            "pwa.congress.stage_line",
                            done=s.done,
                            expected=s.expected,
                            on_time=s.done_on_time,
                            overdue=s.overdue,
                            not_reported=s.not_reported,
                        ),
                    ),
                    # The chart: the share done of each milestone as a bar.
                    share_bar(s.done, s.expected, f"{s.done}/{s.expected}"),
                )
                for s in dashboard.stages
            ],
        ),
        html.h2(session.t("pwa.congress.children")),
        html.ul(
            {"class_name": "results"},
            *[
                html.li(
                    {"key": c.unit_code},
                    html.a({"href": f"/congress/dashboard?unit={quote(c.unit_code)}"}, html.strong(c.unit_name)),
                    html.div(
                        {"class_name": "muted"},
                        session.t(
                            "pwa.congress.child_line",
                            units=c.units,
                            overdue=c.overdue,
                            not_reported=c.not_reported,
                            share=_percent(c.on_time_share),
                        ),
                    ),
                )
                for c in dashboard.children
            ],
        ),
        html.h2(session.t("pwa.congress.late_units")),
        html.ul(
            {"class_name": "results"},
            *[
                html.li(
                    {"key": f"{u.unit_code}-{u.stage}"},
                    html.a({"href": f"/congress?unit={quote(u.unit_code)}"}, html.strong(u.unit_name)),
                    html.div(
                        {"class_name": "muted"},
                        f"{session.t(f'congress.stage.{u.stage}')} · "
                        f"{session.t('pwa.congress.days_late', days=u.days_late)}",
                    ),
                )
                for u in dashboard.late_units
            ],
        ),
        html.a({"class_name": "button secondary", "href": export}, session.t("pwa.congress.export")),
    )


# --- approvals -------------------------------------------------------------------------------------------


async def load_approvals(session: PageSession, query: dict[str, str]) -> dict[str, Any]:
    if session.principal is None:
        return {"items": None}
    page = await _service(session).approvals(session.principal, None, LISTED_APPROVALS)
    return {"items": page.items}


@component
def ApprovalsPage(session: PageSession, data: dict[str, Any]) -> Any:
    if not session.signed_in or data["items"] is None:
        return _sign_in(session, "pwa.congress.approvals", "/congress/approvals")
    items: list[ApprovalItem] = data["items"]
    return html.section(
        html.h1(session.t("pwa.congress.approvals")),
        html.ul({"class_name": "results"}, *[ApprovalRow(session, item, key=str(item.congress_id)) for item in items])
        if items
        else html.p({"class_name": "muted"}, session.t("pwa.congress.no_approvals")),
    )


@component
def ApprovalRow(session: PageSession, item: ApprovalItem) -> Any:
    outcome, set_outcome = use_state("")
    reason = use_ref("")

    async def decide(action: str) -> None:
        if session.principal is None:
            return
        try:
            decided = await _service(session).decide(
                session.principal, item.congress_id, action, ResultDecision(version=item.version, reason=reason.current)
            )
            set_outcome(session.t(f"pwa.congress.result_state.{decided.state}"))
        except AppError as error:
            set_outcome(_problem(session, error))

    def remember(event: Any) -> None:
        reason.current = event["target"]["value"]

    return html.li(
        html.a({"href": f"/congress?id={item.congress_id}"}, html.strong(item.unit_name)),
        html.div({"class_name": "muted"}, session.t("pwa.congress.held_on", held_on=item.held_on.strftime("%d/%m/%Y"))),
        html.p({"role": "status"}, outcome)
        if outcome
        else html.div(
            {"class_name": "stack"},
            html.input(
                {
                    "aria_label": session.t("pwa.congress.reason"),
                    "placeholder": session.t("pwa.congress.reason"),
                    "maxlength": 2000,
                    "on_change": remember,
                }
            ),
            html.button(
                {"class_name": "button", "type": "button", "on_click": on_click(decide, "approved")},
                session.t("pwa.congress.approve"),
            ),
            html.button(
                {"class_name": "button secondary", "type": "button", "on_click": on_click(decide, "returned")},
                session.t("pwa.congress.return"),
            ),
        ),
    )
