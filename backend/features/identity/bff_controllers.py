"""The web app's sign-in as a first-party confidential client (backend-for-frontend).

The browser only ever holds HttpOnly cookies: the pending login (state, nonce, PKCE verifier) for ten
minutes, then the app session. Tokens never reach JavaScript. The code is exchanged in-process through
the same code path as the token endpoint (the web client is trusted by construction, so no secret is
sent over the loopback).
"""

from __future__ import annotations

import base64
import json
import secrets
from typing import Annotated, Any
from urllib.parse import urlencode
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.datastructures import Cookie, State
from litestar.params import FromQuery, QueryParameter
from litestar.response import Redirect

from backend.features.identity import jose, keys
from backend.features.identity.auth import CSRF_COOKIE, SESSION_COOKIE, resolve_principal
from backend.features.identity.clients import WEB_CLIENT_ID, find_client
from backend.features.identity.oauth_errors import OAuthError
from backend.features.identity.oidc import ID_TOKEN_TYP, OidcService, s256
from backend.features.identity.oidc_controllers import OP_COOKIE, caller_of, end_op_session
from backend.features.identity.opaque import secret_hash
from backend.features.identity.service import AccountService
from backend.lib.errors import NotFoundError

PENDING_COOKIE = "__Host-mattran_auth"
WEB_SCOPE = "openid profile email phone roles"
# What a signed-out browser must forget (the PWA's caches and storage hold personal data for offline work).
CLEAR_SITE_DATA = '"cache", "cookies", "storage"'


def safe_next(value: str | None) -> str:
    """Only a path on this site: never an absolute URL or a scheme-relative one (open redirect)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


def _cookie(key: str, value: str, max_age: int, httponly: bool = True) -> Cookie:
    return Cookie(key=key, value=value, httponly=httponly, secure=True, samesite="lax", path="/", max_age=max_age)


@get("/auth/login", include_in_schema=False)
async def web_login(
    request: Request[Any, Any, Any], next_path: Annotated[str | None, QueryParameter(name="next")] = None
) -> Response[Any]:
    state: State = request.app.state
    pending = {
        "state": secrets.token_urlsafe(24),
        "nonce": secrets.token_urlsafe(24),
        "verifier": secrets.token_urlsafe(48),
        "next": safe_next(next_path),
    }
    query = {
        "client_id": WEB_CLIENT_ID,
        "response_type": "code",
        "scope": WEB_SCOPE,
        "redirect_uri": f"{state.settings.issuer}/auth/callback",
        "state": pending["state"],
        "nonce": pending["nonce"],
        "code_challenge": s256(pending["verifier"]),
        "code_challenge_method": "S256",
    }
    response: Response[Any] = Redirect(f"/oauth/authorize?{urlencode(query)}")
    encoded = base64.urlsafe_b64encode(json.dumps(pending).encode()).decode()
    response.set_cookie(_cookie(PENDING_COOKIE, encoded, 600))
    return response


def _pending(request: Request[Any, Any, Any]) -> dict[str, str] | None:
    try:
        return dict(json.loads(base64.urlsafe_b64decode(request.cookies.get(PENDING_COOKIE, ""))))
    except (ValueError, TypeError):
        return None


@get("/auth/callback", include_in_schema=False)
async def web_callback(
    request: Request[Any, Any, Any],
    code: FromQuery[str | None] = None,
    returned_state: Annotated[str | None, QueryParameter(name="state")] = None,
    iss: FromQuery[str | None] = None,
) -> Response[Any]:
    app_state: State = request.app.state
    pending = _pending(request)
    if pending is None or not returned_state or not secrets.compare_digest(returned_state, pending["state"]):
        return Redirect("/auth/login")  # stale or forged callback: start again
    if iss != app_state.settings.issuer or not code:
        return Redirect("/auth/login")
    oidc = OidcService(app_state.settings, app_state.clock)
    client = await find_client(WEB_CLIENT_ID)
    if client is None:
        raise NotFoundError()
    try:
        tokens = await oidc.token(
            client,
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": f"{app_state.settings.issuer}/auth/callback",
                "code_verifier": pending["verifier"],
            },
        )
    except OAuthError:
        return Redirect("/auth/login")
    claims = jose.verify(
        tokens["id_token"],
        public_jwks=(await keys.key_set()).public_jwks,
        audience=WEB_CLIENT_ID,
        issuer=app_state.settings.issuer,
        typ=ID_TOKEN_TYP,
        now=app_state.clock.now(),
        access_token=tokens["access_token"],
    )
    if claims.get("nonce") != pending["nonce"]:
        return Redirect("/auth/login")
    access = await oidc.verify_access_token(tokens["access_token"])
    accounts = AccountService(app_state.settings, app_state.clock)
    csrf = secrets.token_urlsafe(24)
    raw = await accounts.open_session(
        "app",
        UUID(claims["sub"]),
        app_state.clock.now(),
        caller_of(request),
        csrf_token=csrf,
        grant_id=UUID(access["gid"]),
    )
    response: Response[Any] = Redirect(pending["next"])
    response.set_cookie(_cookie(SESSION_COOKIE, raw, app_state.settings.session_seconds))
    # Readable by the page's scripts, which echo it in X-CSRF-Token; the server compares it with its copy.
    response.set_cookie(_cookie(CSRF_COOKIE, csrf, app_state.settings.session_seconds, httponly=False))
    response.delete_cookie(PENDING_COOKIE, path="/")
    return response


@post("/auth/logout", include_in_schema=False, status_code=303)
async def web_logout(request: Request[Any, Any, Any]) -> Response[Any]:
    """Ends the app session (CSRF-checked like any unsafe request) and the provider session."""
    app_state: State = request.app.state
    principal = await resolve_principal(request)
    raw = request.cookies.get(SESSION_COOKIE)
    if principal is not None and principal.account_id is not None and raw:
        accounts = AccountService(app_state.settings, app_state.clock)
        await accounts.end_session(principal.account_id, secret_hash(raw), caller_of(request))
    # The provider runs in this process: end its session here too (and notify other apps) rather than
    # bouncing through its logout endpoint.
    raw_op = request.cookies.get(OP_COOKIE)
    if raw_op:
        await end_op_session(app_state, secret_hash(raw_op))
    response: Response[Any] = Redirect("/", status_code=303)
    response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    response.delete_cookie(OP_COOKIE, path="/")
    return response


BFF_ROUTES = [web_login, web_callback, web_logout]
