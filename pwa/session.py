"""Who is looking at a page and in which language: resolved once per page load and per live connection."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection

from backend.features.identity.auth import SESSION_COOKIE, resolve_principal
from backend.features.identity.opaque import secret_hash
from backend.features.identity.service import AccountService
from backend.lib.access import Principal
from backend.lib.i18n import Language, negotiate_language, translate

LANGUAGE_COOKIE = "mattran_lang"


@dataclass(frozen=True)
class PageSession:
    language: Language
    principal: Principal | None
    display_name: str | None
    app: Any  # the Litestar app, for services (settings, clock)
    session_hash: str | None = None  # the web-app session of this browser, to mark it in lists

    def t(self, key: str, **params: object) -> str:
        return translate(key, self.language, **params)

    @property
    def signed_in(self) -> bool:
        return self.principal is not None and self.principal.account_id is not None


def page_language(connection: ASGIConnection[Any, Any, Any, Any]) -> Language:
    chosen = connection.cookies.get(LANGUAGE_COOKIE)
    if chosen in ("vi", "en"):
        return chosen  # type: ignore[return-value]
    default: Language = connection.app.state.settings.default_language
    return negotiate_language(connection.headers.get("accept-language"), default)


async def page_session(connection: ASGIConnection[Any, Any, Any, Any]) -> PageSession:
    principal = await resolve_principal(connection)
    name = None
    if principal is not None and principal.account_id is not None:
        state = connection.app.state
        name = (await AccountService(state.settings, state.clock).account(principal.account_id)).display_name
    raw = connection.cookies.get(SESSION_COOKIE)
    return PageSession(page_language(connection), principal, name, connection.app, secret_hash(raw) if raw else None)
