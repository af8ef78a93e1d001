"""Who is calling: a bearer access token (verified with a pinned algorithm and kid) or the web app's
HttpOnly session cookie (with a CSRF token for unsafe methods). Every protected route depends on this."""

from __future__ import annotations

import hmac
import uuid
from typing import Any, ClassVar

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import State

from backend.features.identity import jose
from backend.features.identity.clients import WEB_CLIENT_ID
from backend.features.identity.oidc import OidcService
from backend.features.identity.service import AccountService
from backend.lib.access import Principal
from backend.lib.errors import AppError

SESSION_COOKIE = "__Host-mattran_session"
CSRF_COOKIE = "__Host-mattran_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WEB_SCOPES = frozenset({"openid", "profile", "email", "phone", "roles"})


class Unauthorized(AppError):
    status = 401
    slug = "unauthorized"
    title_key = "problem.unauthorized.title"
    headers: ClassVar[dict[str, str]] = {"WWW-Authenticate": 'Bearer realm="mattran"'}


class CsrfFailed(AppError):
    status = 403
    slug = "csrf-failed"
    title_key = "problem.forbidden.title"


async def resolve_principal(request: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    """For HTTP requests and websockets alike (a websocket's Origin is checked where it is accepted)."""
    cached = request.scope.get("state", {}).get("principal")
    if cached is not None:
        return cached
    state: State = request.app.state
    accounts = AccountService(state.settings, state.clock)
    principal = await _from_bearer(request, accounts, state) or await _from_session(request, accounts)
    request.scope.setdefault("state", {})["principal"] = principal
    return principal


async def _from_bearer(
    request: ASGIConnection[Any, Any, Any, Any], accounts: AccountService, state: State
) -> Principal | None:
    authorization = request.headers.get("authorization", "")
    if not authorization.lower().startswith("bearer "):
        return None
    try:
        claims, roles = await OidcService(state.settings, state.clock).verify_access_token_and_roles(
            authorization[7:].strip()
        )
    except (jose.InvalidToken, ValueError) as error:
        raise Unauthorized("problem.unauthorized.detail") from error
    scopes = frozenset(str(claims.get("scope", "")).split())
    if claims["sub"] == claims.get("client_id"):
        return Principal(account_id=None, client_id=str(claims["client_id"]), scopes=scopes)
    return accounts.principal_of(uuid.UUID(str(claims["sub"])), str(claims.get("client_id")), scopes, roles)


async def _from_session(request: ASGIConnection[Any, Any, Any, Any], accounts: AccountService) -> Principal | None:
    session = await accounts.live_session("app", request.cookies.get(SESSION_COOKIE))
    if session is None:
        return None
    if request.scope.get("method", "GET") not in SAFE_METHODS:
        token = request.headers.get(CSRF_HEADER, "")
        if not token or not hmac.compare_digest(token, session["csrf_token"] or ""):
            raise CsrfFailed("problem.csrf.detail")
    return await accounts.principal(session["account"], WEB_CLIENT_ID, WEB_SCOPES)


async def require_principal(request: Request[Any, Any, Any]) -> Principal:
    principal = await resolve_principal(request)
    if principal is None:
        raise Unauthorized("problem.unauthorized.detail")
    return principal


async def optional_principal(request: Request[Any, Any, Any]) -> Principal | None:
    return await resolve_principal(request)
