"""Unit reports in the web app: my unit's weekly report (the form: save a draft, submit, open a correction)
and the roll-up of the units below (totals per level, who has not reported, difficulties and
recommendations, an Excel download). The form acts over the live connection: a report is written by an
officer at a desk, not at a door, so it needs no offline outbox."""

from __future__ import annotations

from typing import Any

import msgspec
from reactpy import component, html, use_state

from backend.features.reports import rules
from backend.features.reports.service import ReportService, officer_units
from backend.features.units.service import unit_choices
from backend.lib.clock import VIETNAM, today_in_vietnam
from backend.lib.errors import AppError, NotFoundError
from pwa.session import PageSession
from schemas.reports import ReportCorrection, ReportDraftWrite, ReportRead, ReportSubmit

FIGURES = ("members", "cadres", "households_visited", "activities", "petitions")
TEXTS = ("difficulties", "recommendations")


def _service(session: PageSession) -> ReportService:
    return ReportService(session.app.state.settings, session.app.state.clock)


def _own_units(session: PageSession) -> list[str]:
    return officer_units(session.principal) if session.principal is not None else []


def _chosen(session: PageSession, query: dict[str, str]) -> tuple[str | None, str]:
    units = _own_units(session)
    unit = query.get("unit") or (units[0] if units else None)
    week = query.get("week") or rules.week_label(today_in_vietnam(session.app.state.clock))
    return unit, week


def _enabled(enabled: bool) -> dict[str, Any]:
    # An attribute `disabled` disables whatever its value, so it is left out rather than set to false.
    return {} if enabled else {"disabled": True}


def _problem(session: PageSession, error: AppError) -> str:
    return session.t(error.detail_key or error.title_key, **error.params)


async def load_report(session: PageSession, query: dict[str, str]) -> dict[str, Any]:
    unit, week = _chosen(session, query)
    units = await unit_choices(_own_units(session))
    data: dict[str, Any] = {"units": units, "unit": unit, "week": week, "report": None}
    if session.principal is None or unit is None:
        return data
    service = _service(session)
    try:
        data["prefill"] = await service.prefill(session.principal, unit, week)
        data["report"] = await service.get_report(session.principal, unit, week)
    except NotFoundError as missing:
        if "prefill" not in data:
            data["error"] = _problem(session, missing)
    except AppError as error:
        data["error"] = _problem(session, error)
    return data


def _values_of(report: ReportRead | None, visited: int) -> dict[str, str]:
    """The form's fields as text (inputs hold text); a new report starts from the registry's count."""
    if report is None:
        return {**dict.fromkeys((*FIGURES, *TEXTS), ""), "households_visited": str(visited)}
    values = msgspec.structs.asdict(report)
    return {name: "" if values[name] is None else str(values[name]) for name in (*FIGURES, *TEXTS)}


def _draft_of(values: dict[str, str], version: int | None) -> ReportDraftWrite:
    """The form as the API's draft; a number that is not one is refused like any bad input (400)."""
    figures = {name: values[name].strip() for name in FIGURES if values[name].strip()}
    texts = {name: values[name] for name in TEXTS}
    return msgspec.convert({**figures, **texts, "version": version}, ReportDraftWrite, strict=False)


def _week_form(session: PageSession, action: str, units: list[tuple[str, str]], unit: str | None, week: str) -> Any:
    return html.form(
        {"method": "get", "action": action, "class_name": "inline"},
        html.label({"html_for": "report-unit"}, session.t("pwa.reports.unit")),
        html.select(
            {"id": "report-unit", "name": "unit", "value": unit or ""},
            *[html.option({"value": code, "key": code}, name) for code, name in units],
        ),
        html.label({"html_for": "report-week"}, session.t("pwa.reports.week")),
        html.input({"id": "report-week", "name": "week", "type": "week", "value": week}),
        html.button({"class_name": "button small", "type": "submit"}, session.t("pwa.reports.show")),
    )


@component
def ReportPage(session: PageSession, data: dict[str, Any]) -> Any:
    report, set_report = use_state(data["report"])
    prefill = data.get("prefill")
    values, set_values = use_state(_values_of(data["report"], prefill.households_visited if prefill else 0))
    message, set_message = use_state(data.get("error", ""))
    reason, set_reason = use_state("")
    title = html.h1(session.t("pwa.reports.title"))
    principal = session.principal
    if principal is None or not data["units"] or data["unit"] is None:
        return html.section(title, html.p(session.t("pwa.reports.no_unit")))
    if prefill is None:
        return html.section(title, _week_form(session, "/report", data["units"], data["unit"], data["week"]),
                            html.p({"class_name": "error", "role": "alert"}, message))  # fmt: skip
    service, unit, week = _service(session), data["unit"], data["week"]

    async def act(step: str) -> None:
        try:
            if step == "save":
                saved, _ = await service.save_draft(principal, unit, week, _draft_of(values, report and report.version))
            elif step == "submit":
                saved = await service.submit(principal, unit, week, ReportSubmit(version=report.version))
            else:
                saved = await service.correct(
                    principal, unit, week, ReportCorrection(version=report.version, reason=reason)
                )
        except AppError as error:
            set_message(_problem(session, error))
            return
        except msgspec.ValidationError as error:
            set_message(str(error))
            return
        set_report(saved)
        set_values(_values_of(saved, saved.households_visited_registry))
        set_message(session.t("pwa.reports.saved"))

    status = report.status if report else "none"
    editable = status in ("none", "draft")

    def field(name: str) -> Any:
        attributes = {
            "id": f"report-{name}",
            "name": name,
            "value": values[name],
            **_enabled(editable),
            "on_change": lambda event: set_values({**values, name: event["target"]["value"]}),
        }
        label = html.label({"html_for": f"report-{name}"}, session.t(f"reports.column.{name}"))
        if name in TEXTS:
            return html.div({"key": name}, label, html.textarea({**attributes, "rows": 3, "maxlength": 4000}))
        return html.div(
            {"key": name}, label, html.input({**attributes, "type": "number", "min": 0, "inputmode": "numeric"})
        )

    return html.section(
        title,
        _week_form(session, "/report", data["units"], unit, week),
        html.p(
            {"class_name": "muted"},
            f"{prefill.unit_name} · {week} · ",
            session.t("pwa.reports.deadline", deadline=prefill.deadline.astimezone(VIETNAM).strftime("%H:%M %d/%m/%Y")),
        ),
        html.p(
            html.strong(session.t(f"pwa.reports.status.{status}")),
            f" · {session.t('pwa.reports.revision', revision=report.revision)}" if report else "",
            html.span({"class_name": "error"}, f" · {session.t('pwa.reports.late')}") if report and report.late else "",
        ),
        html.p({"class_name": "muted"}, session.t("pwa.reports.registry_count", count=prefill.households_visited)),
        html.div(
            {"class_name": "stack"},
            *[field(name) for name in (*FIGURES, *TEXTS)],
        ),
        html.div(
            {"class_name": "actions"},
            html.button(
                {
                    "class_name": "button",
                    "type": "button",
                    **_enabled(editable),
                    "on_click": lambda event: act("save"),
                },
                session.t("pwa.reports.save"),
            ),
            html.button(
                {
                    "class_name": "button",
                    "type": "button",
                    **_enabled(status == "draft"),
                    "on_click": lambda event: act("submit"),
                },
                session.t("pwa.reports.submit"),
            ),
        ),
        html.div(
            {"class_name": "stack"},
            html.label({"html_for": "report-reason"}, session.t("pwa.reports.correction_reason")),
            html.input(
                {
                    "id": "report-reason",
                    "value": reason,
                    "maxlength": 500,
                    "on_change": lambda event: set_reason(event["target"]["value"]),
                }
            ),
            html.button(
                {"class_name": "button", "type": "button", "on_click": lambda event: act("correct")},
                session.t("pwa.reports.correct"),
            ),
        )
        if status == "submitted"
        else "",
        html.p({"class_name": "muted", "role": "status"}, message),
        html.a({"href": f"/reports?unit={unit}&week={week}"}, session.t("pwa.reports.rollup_link")),
    )


async def load_rollup(session: PageSession, query: dict[str, str]) -> dict[str, Any]:
    unit, week = _chosen(session, query)
    units = await unit_choices(_own_units(session))
    data: dict[str, Any] = {"units": units, "unit": unit, "week": week, "rollup": None}
    if session.principal is None or unit is None:
        return data
    try:
        data["rollup"] = await _service(session).roll_up(session.principal, unit, week)
    except AppError as error:
        data["error"] = _problem(session, error)
    return data


def _levels_table(session: PageSession, levels: list[Any]) -> Any:
    """A figure a row, a level a column: the one to three levels below a unit fit a 360 px phone, where
    ten figure columns did not."""
    figures = ("units", "reported", "not_reported", "late", *FIGURES[:-1], "petitions")
    return html.table(
        {"class_name": "figures"},
        html.thead(
            html.tr(
                html.th(session.t("reports.column.level")),
                *[
                    html.th({"key": level.level, "scope": "col"}, session.t(f"unit.level.{level.level}"))
                    for level in levels
                ],
            )
        ),
        html.tbody(
            *[
                html.tr(
                    {"key": figure},
                    html.th({"scope": "row"}, session.t(f"reports.column.{figure}")),
                    *[html.td({"key": level.level}, str(getattr(level, figure))) for level in levels],
                )
                for figure in figures
            ]
        ),
    )


@component
def RollUpPage(session: PageSession, data: dict[str, Any]) -> Any:
    title = html.h1(session.t("pwa.reports.rollup_title"))
    if data["unit"] is None:
        return html.section(title, html.p(session.t("pwa.reports.no_unit")))
    rollup = data["rollup"]
    choose = _week_form(session, "/reports", data["units"], data["unit"], data["week"])
    if rollup is None:
        return html.section(title, choose, html.p({"class_name": "error", "role": "alert"}, data.get("error", "")))
    return html.section(
        title,
        choose,
        html.p({"class_name": "muted"}, f"{rollup.unit_name} · {rollup.week}"),
        _levels_table(session, rollup.levels),
        html.h2(session.t("reports.column.not_reported_units")),
        html.ul(
            {"class_name": "results"}, *[html.li({"key": m.code}, f"{m.name} ({m.code})") for m in rollup.not_reported]
        ),
        html.h2(f"{session.t('reports.column.difficulties')} · {session.t('reports.column.recommendations')}"),
        html.ul(
            {"class_name": "results"},
            *[
                html.li(
                    {"key": n.unit_code},
                    html.strong(n.unit_name),
                    html.div(n.difficulties),
                    html.div({"class_name": "muted"}, n.recommendations),
                )
                for n in rollup.notes
            ],
        )
        if rollup.notes
        else html.p({"class_name": "muted"}, session.t("pwa.reports.no_notes")),
        html.a(
            {
                "class_name": "button",
                "href": f"/api/v1/reports/{rollup.unit_code}/{rollup.week}/rollup.xlsx",
                "download": "",
            },
            session.t("pwa.reports.export"),
        ),
    )
