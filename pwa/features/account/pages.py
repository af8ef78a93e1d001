from __future__ import annotations

from typing import Any

from reactpy import component, html

from backend.features.identity.service import AccountService
from pwa.session import PageSession


async def load(session: PageSession, query: dict[str, str]) -> dict[str, Any]:
    if not session.signed_in or session.principal is None or session.principal.account_id is None:
        return {}
    accounts = AccountService(session.app.state.settings, session.app.state.clock)
    account_id = session.principal.account_id
    return {
        "account": await accounts.account(account_id),
        "sessions": await accounts.sessions(account_id, session.session_hash),
    }


@component
def AccountPage(session: PageSession, data: dict[str, Any]) -> Any:
    if "account" not in data:
        return html.section(
            html.h1(session.t("pwa.account.title")),
            html.a({"class_name": "button", "href": "/auth/login?next=/account"}, session.t("pwa.sign_in")),
        )
    account = data["account"]
    return html.section(
        html.h1(account.display_name),
        html.p({"class_name": "muted"}, account.username),
        html.h2(session.t("pwa.account.roles")),
        html.ul(
            *[
                html.li({"key": f"{r.role}-{r.unit_code}"}, f"{session.t(f'pwa.role.{r.role}')} · {r.unit_name}")
                for r in account.roles
            ]
        ),
        html.h2(session.t("pwa.account.sessions")),
        html.ul(
            {"class_name": "sessions"},
            *[
                html.li(
                    {"key": s.id},
                    f"{s.user_agent[:60] or s.kind} · {s.ip}",
                    html.strong(f" · {session.t('pwa.account.current')}") if s.current else "",
                )
                for s in data["sessions"]
            ],
        ),
        html.button({"class_name": "button danger", "type": "button", "data_signout": ""}, session.t("pwa.sign_out")),
    )
