"""/system: the platform's health at a glance for central administrators (the same figures as
GET /api/v1/system/health). Signed out: a sign-in link; signed in without the right: 404, as the API."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from reactpy import component, html

from backend.features.system.service import SystemService
from backend.lib.clock import VIETNAM
from pwa.session import PageSession
from schemas.system import SystemHealth

PATH = "/system"
GIB = 1024**3


async def load(session: PageSession, query: dict[str, str]) -> dict[str, Any]:
    if session.principal is None:
        return {"health": None}
    state = session.app.state
    return {"health": await SystemService(state.settings, state.clock).health(session.principal)}


def _row(session: PageSession, key: str, value: Any) -> Any:
    return html.tr({"key": key}, html.th({"scope": "row"}, session.t(f"pwa.system.{key}")), html.td(value))


def _database(session: PageSession, health: SystemHealth) -> str:
    if not health.database_ok:
        return session.t("pwa.system.database_down")
    return session.t("pwa.system.database_ok", ms=health.database_latency_ms)


def _migrations(session: PageSession, health: SystemHealth) -> Any:
    summary = session.t(
        "pwa.system.migrations_value", applied=health.migrations_applied, pending=len(health.migrations_pending)
    )
    if not health.migrations_pending:
        return summary
    return html.div(summary, html.ul(*[html.li({"key": name}, name) for name in health.migrations_pending]))


def _jobs(session: PageSession, health: SystemHealth) -> Any:
    if not health.job_counts:
        return session.t("pwa.system.none")
    ages = {age.queue: age.oldest_todo_seconds for age in health.job_ages}
    return html.table(
        {"class_name": "figures"},
        html.thead(
            html.tr(
                *[
                    html.th({"key": c}, session.t(f"pwa.system.jobs.{c}"))
                    for c in ("queue", "status", "count", "oldest")
                ]
            )
        ),
        html.tbody(
            *[
                html.tr(
                    {"key": f"{row.queue}/{row.status}"},
                    html.td(row.queue),
                    html.td(row.status),
                    html.td(str(row.jobs)),
                    html.td(
                        session.t("pwa.system.seconds", seconds=round(ages[row.queue]))
                        if row.status == "todo" and row.queue in ages
                        else "—"
                    ),
                )
                for row in health.job_counts
            ]
        ),
    )


def _push(session: PageSession, health: SystemHealth) -> str:
    if not health.push_last_hour:
        return session.t("pwa.system.none")
    return " · ".join(
        f"{session.t(f'pwa.system.push.{outcome}')}: {count}"
        for outcome, count in sorted(health.push_last_hour.items())
    )


@component
def SystemPage(session: PageSession, data: dict[str, Any]) -> Any:
    title = html.h1(session.t("pwa.system.title"))
    health: SystemHealth | None = data["health"]
    if health is None:
        return html.section(
            title,
            html.p(session.t("pwa.system.sign_in_needed")),
            html.a({"class_name": "button", "href": f"/auth/login?next={quote(PATH)}"}, session.t("pwa.sign_in")),
        )
    vapid_age = (
        "—" if health.vapid_key_age_days is None else session.t("pwa.system.days", days=health.vapid_key_age_days)
    )
    disk = session.t(
        "pwa.system.disk_value",
        free=round(health.data_dir_free_bytes / GIB, 1),
        total=round(health.data_dir_total_bytes / GIB, 1),
        percent=round(100 * health.data_dir_free_bytes / max(health.data_dir_total_bytes, 1)),
    )
    return html.section(
        title,
        html.p(
            {"class_name": "muted"},
            session.t("pwa.system.checked_at", at=f"{health.checked_at.astimezone(VIETNAM):%H:%M:%S %d/%m/%Y}"),
        ),
        html.table(
            {"class_name": "figures"},
            html.tbody(
                _row(session, "database", _database(session, health)),
                _row(session, "migrations", _migrations(session, health)),
                _row(session, "jobs_failed", str(health.jobs_failed_last_day)),
                _row(session, "push_last_hour", _push(session, health)),
                _row(session, "vapid_age", vapid_age),
                _row(session, "disk", disk),
                _row(session, "version", health.version),
            ),
        ),
        html.h2(session.t("pwa.system.jobs")),
        _jobs(session, health),
    )
