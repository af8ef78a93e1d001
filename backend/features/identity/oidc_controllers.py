"""The OpenID provider's HTTP endpoints. They speak the protocol's formats (redirects, HTML forms,
RFC 6749 JSON errors), so they are left out of the OpenAPI document; discovery describes them."""

from __future__ import annotations

import base64
import dataclasses
import json
import logging
import secrets
import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

import httpx
from litestar import Request, Response, get, post, route
from litestar.datastructures import Cookie, State
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect

from backend.features.audit.service import AuditEvent, record
from backend.features.identity import jose, keys, upstream
from backend.features.identity.clients import Client, authenticate_client, find_client
from backend.features.identity.oauth_errors import OAuthError
from backend.features.identity.oidc import (
    ID_TOKEN_TYP,
    AuthorizationRequest,
    ErrorPage,
    OidcService,
    RedirectError,
)
from backend.features.identity.opaque import secret_hash
from backend.features.identity.pages import (
    consent_page,
    error_page,
    login_page,
    logout_confirm_page,
    signed_out_page,
)
from backend.features.identity.service import AccountService, Caller, SignInFailed
from backend.lib import metrics
from backend.lib.errors import request_language
from backend.lib.i18n import LANGUAGES, Language

logger = logging.getLogger("mattran.oidc")

OP_COOKIE = "__Host-mattran_op"
FORM_COOKIE = "__Host-mattran_form"
FORM_FIELDS = ("username", "password", "csrf", "decision")
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def caller_of(request: Request[Any, Any, Any]) -> Caller:
    return Caller(ip=request.client.host if request.client else "", user_agent=request.headers.get("user-agent", ""))


def services(state: State) -> tuple[OidcService, AccountService]:
    return OidcService(state.settings, state.clock), AccountService(state.settings, state.clock)


async def single_valued(request: Request[Any, Any, Any]) -> dict[str, str]:
    """Query (GET) or form (POST) parameters; a repeated parameter is a malformed request (RFC 6749 §3.1)."""
    items = list(request.query_params.multi_items())
    if request.method == "POST":
        items += list((await request.form()).multi_items())
    params: dict[str, str] = {}
    for name, value in items:
        if name in params:
            raise OAuthError("invalid_request", f"parameter {name} repeated")
        params[name] = str(value)
    return params


def form_cookie(value: str) -> Cookie:
    return Cookie(key=FORM_COOKIE, value=value, httponly=True, secure=True, samesite="strict", path="/", max_age=1800)


def op_cookie(value: str, max_age: int) -> Cookie:
    return Cookie(key=OP_COOKIE, value=value, httponly=True, secure=True, samesite="lax", path="/", max_age=max_age)


def form_token(request: Request[Any, Any, Any]) -> str:
    return request.cookies.get(FORM_COOKIE) or secrets.token_urlsafe(24)


def valid_form(request: Request[Any, Any, Any], params: dict[str, str]) -> bool:
    expected = request.cookies.get(FORM_COOKIE)
    return bool(expected) and secrets.compare_digest(params.get("csrf", ""), expected or "")


def sign_in_form(
    request: Request[Any, Any, Any], auth: AuthorizationRequest, csrf: str, *, failed: bool, username: str
) -> Response[str]:
    return login_page(
        page_language(request, auth.params),
        auth.client.name,
        {k: v for k, v in auth.params.items() if k not in FORM_FIELDS},
        csrf,
        failed=failed,
        username=username,
        upstreams=[(p.id, p.name) for p in request.app.state.settings.upstreams],
    )


async def continue_authorization(
    request: Request[Any, Any, Any], auth: AuthorizationRequest, session: Any | None, *, just_signed_in: bool = False
) -> Response[Any]:
    """After the request was validated: sign in if needed, consent if needed, then the code."""
    oidc, _ = services(request.app.state)
    language = page_language(request, auth.params)
    flow_params = {k: v for k, v in auth.params.items() if k not in FORM_FIELDS}
    if session is None or (not just_signed_in and oidc.needs_login(auth, session["auth_time"])):
        if "none" in auth.prompt:
            return Redirect(
                RedirectError(auth.redirect_uri, "login_required", "sign-in needed", auth.state, oidc.issuer).location
            )
        token = form_token(request)
        response = sign_in_form(request, auth, token, failed=False, username=auth.login_hint or "")
        response.set_cookie(form_cookie(token))
        return response
    if await oidc.needs_consent(auth, session["account"]):
        if "none" in auth.prompt:
            return Redirect(
                RedirectError(auth.redirect_uri, "consent_required", "consent needed", auth.state, oidc.issuer).location
            )
        token = form_token(request)
        response = consent_page(language, auth.client.name, auth.scope, flow_params, token)
        response.set_cookie(form_cookie(token))
        return response
    location = await oidc.issue_code(auth, session["account"], session["auth_time"], session["id_hash"])
    return Redirect(location, headers=NO_STORE)


async def authorization_or_error(
    request: Request[Any, Any, Any], params: dict[str, str]
) -> AuthorizationRequest | Response[Any]:
    oidc, _ = services(request.app.state)
    try:
        return await oidc.parse_authorization_request({k: v for k, v in params.items() if k not in FORM_FIELDS})
    except ErrorPage as error:
        return error_page(request_language(request), error.message_key)
    except RedirectError as error:
        return Redirect(error.location)


@route("/oauth/authorize", http_method=["GET", "POST"], include_in_schema=False)
async def authorize(request: Request[Any, Any, Any]) -> Response[Any]:
    try:
        params = await single_valued(request)
    except OAuthError:
        return error_page(request_language(request), "oidc.error.bad_form")
    auth = await authorization_or_error(request, params)
    if isinstance(auth, Response):
        return auth
    _, accounts = services(request.app.state)
    session = await accounts.live_session("op", request.cookies.get(OP_COOKIE))
    return await continue_authorization(request, auth, session)


def page_language(request: Request[Any, Any, Any], params: dict[str, str]) -> Language:
    """The client's `ui_locales` (OIDC Core 3.1.2.1) when it names vi or en, else the browser's languages."""
    for tag in params.get("ui_locales", "").split():
        primary = tag.lower().split("-")[0]
        if primary in LANGUAGES:
            return primary
    return request_language(request)


@post("/oauth/login", include_in_schema=False, status_code=200)
async def login(request: Request[Any, Any, Any]) -> Response[Any]:
    params = await single_valued(request)
    language = page_language(request, params)
    if not valid_form(request, params):
        return error_page(language, "oidc.error.bad_form")
    auth = await authorization_or_error(request, params)
    if isinstance(auth, Response):
        return auth
    state: State = request.app.state
    _, accounts = services(state)
    caller = caller_of(request)
    try:
        account_id = await accounts.authenticate(params.get("username", ""), params.get("password", ""), caller)
    except SignInFailed:
        return sign_in_form(request, auth, params["csrf"], failed=True, username=params.get("username", ""))
    previous = request.cookies.get(OP_COOKIE)
    if previous:
        await end_op_session(state, secret_hash(previous))
    auth_time = state.clock.now()
    raw = await accounts.open_session("op", account_id, auth_time, caller)
    session = await accounts.live_session("op", raw)
    response = await continue_authorization(request, auth, session, just_signed_in=True)
    response.set_cookie(op_cookie(raw, state.settings.session_seconds))
    return response


@post("/oauth/consent", include_in_schema=False, status_code=200)
async def consent(request: Request[Any, Any, Any]) -> Response[Any]:
    params = await single_valued(request)
    if not valid_form(request, params):
        return error_page(request_language(request), "oidc.error.bad_form")
    auth = await authorization_or_error(request, params)
    if isinstance(auth, Response):
        return auth
    oidc, accounts = services(request.app.state)
    session = await accounts.live_session("op", request.cookies.get(OP_COOKIE))
    if session is None:
        return await continue_authorization(request, auth, None)
    if params.get("decision") != "allow":
        return Redirect(
            RedirectError(auth.redirect_uri, "access_denied", "the user refused", auth.state, oidc.issuer).location
        )
    await oidc.remember_consent(auth, session["account"])
    return await continue_authorization(request, auth, session, just_signed_in=True)


@post("/oauth/token", include_in_schema=False, status_code=200)
async def token(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    params = await single_valued(request)
    client = await authenticate_client(request.headers.get("authorization"), params)
    oidc, _ = services(request.app.state)
    return Response(await oidc.token(client, params), headers=NO_STORE)


@route("/oauth/userinfo", http_method=["GET", "POST"], include_in_schema=False)
async def userinfo(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    params = await single_valued(request)
    header = request.headers.get("authorization", "")
    from_header = header[7:].strip() if header.lower().startswith("bearer ") else None
    if from_header and "access_token" in params:
        raise OAuthError("invalid_request", "send the token once", status=400)
    access_token = from_header or params.get("access_token")
    if not access_token:
        raise OAuthError("invalid_token", "an access token is required", status=401)
    oidc, accounts = services(request.app.state)
    try:
        claims = await oidc.verify_access_token(access_token)
    except (jose.InvalidToken, ValueError) as error:
        raise OAuthError("invalid_token", "the access token is invalid or expired", status=401) from error
    if claims["sub"] == claims.get("client_id"):
        raise OAuthError("invalid_token", "a client token has no user", status=401)
    return Response(await _userinfo_claims(accounts, claims), headers=NO_STORE)


async def _userinfo_claims(accounts: AccountService, claims: dict[str, Any]) -> dict[str, Any]:
    scope = set(str(claims.get("scope", "")).split())
    account = await accounts.account(uuid.UUID(str(claims["sub"])))
    info: dict[str, Any] = {"sub": str(account.id)}
    if "profile" in scope:
        info |= {
            "name": account.display_name,
            "preferred_username": account.username,
            "updated_at": int(account.created_at.timestamp()),
        }
    if "email" in scope and account.email:
        info |= {"email": account.email, "email_verified": False}
    if "phone" in scope and account.phone:
        info |= {"phone_number": account.phone, "phone_number_verified": False}
    if "roles" in scope:
        info["roles"] = [
            {"role": r.role, "unit_code": r.unit_code, "unit_name": r.unit_name, "unit_path": r.unit_path}
            for r in account.roles
        ]
    return info


@get("/oauth/jwks", include_in_schema=False, cache=False)
async def jwks() -> Response[dict[str, Any]]:
    key_set = await keys.key_set()
    return Response({"keys": list(key_set.public_jwks.values())}, headers={"Cache-Control": "public, max-age=60"})


@get("/.well-known/openid-configuration", include_in_schema=False, cache=False)
async def discovery(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    oidc, _ = services(request.app.state)
    return Response(oidc.discovery(), headers={"Cache-Control": "public, max-age=300"})


@post("/oauth/revoke", include_in_schema=False, status_code=200)
async def revoke(request: Request[Any, Any, Any]) -> Response[bytes]:
    params = await single_valued(request)
    client = await authenticate_client(request.headers.get("authorization"), params)
    if "token" not in params:
        raise OAuthError("invalid_request", "token is required")
    oidc, _ = services(request.app.state)
    await oidc.revoke(client, params["token"], params.get("token_type_hint"))
    return Response(b"", headers=NO_STORE)


@route("/oauth/logout", http_method=["GET", "POST"], include_in_schema=False)
async def end_session(request: Request[Any, Any, Any]) -> Response[Any]:
    """RP-initiated logout: ends the browser's sign-in at the provider, then back-channel notifies clients."""
    language = request_language(request)
    state: State = request.app.state
    try:
        params = await single_valued(request)
        client = await _logout_client(state, params)
    except (OAuthError, jose.InvalidToken):
        return error_page(language, "oidc.error.bad_form")
    target = params.get("post_logout_redirect_uri")
    if target is not None and (client is None or target not in client.post_logout_redirect_uris):
        return error_page(language, "oidc.error.redirect_uri")
    raw = request.cookies.get(OP_COOKIE)
    # Without an ID token naming the session, the user confirms: another site cannot sign them out.
    if raw and not params.get("id_token_hint") and not valid_form(request, params):
        token = form_token(request)
        response: Response[Any] = logout_confirm_page(
            language, {k: v for k, v in params.items() if k not in FORM_FIELDS}, token
        )
        response.set_cookie(form_cookie(token))
        return response
    if raw:
        await end_op_session(state, secret_hash(raw))
    if target is not None:
        query = urlencode({"state": params["state"]}) if "state" in params else ""
        response = Redirect(f"{target}{'&' if '?' in target else '?'}{query}" if query else target)
    else:
        response = signed_out_page(language)
    response.delete_cookie(OP_COOKIE, path="/")
    return response


async def _logout_client(state: State, params: dict[str, str]) -> Client | None:
    client_id = params.get("client_id")
    hint = params.get("id_token_hint")
    if hint:
        public_jwks = await keys.public_jwks_with(jose.header_kid(hint))
        claims = jose.verify(
            hint,
            public_jwks=public_jwks,
            audience=None,
            issuer=state.settings.issuer,
            typ=ID_TOKEN_TYP,
            now=state.clock.now(),
            allow_expired=True,
        )
        audience = claims["aud"] if isinstance(claims["aud"], str) else claims["aud"][0]
        if client_id is not None and client_id != audience:
            raise OAuthError("invalid_request", "client_id does not match id_token_hint")
        client_id = audience
    return await find_client(client_id) if client_id else None


async def end_op_session(state: State, op_session_hash: str) -> None:
    """Sign out at the provider; clients asking for back-channel logout are notified by a job after commit."""
    await AccountService(state.settings, state.clock).end_provider_session(op_session_hash)


UPSTREAM_COOKIE = "__Host-mattran_upstream"


@get("/oauth/upstream/{provider_id:str}/start", include_in_schema=False)
async def upstream_start(request: Request[Any, Any, Any], provider_id: FromPath[str]) -> Response[Any]:
    """Leave for the upstream provider, remembering (in an HttpOnly cookie) where to continue."""
    state: State = request.app.state
    language = request_language(request)
    chosen = upstream.provider(state.settings, provider_id)
    if chosen is None:
        return error_page(language, "oidc.error.unknown_client")
    flow = {k: v for k, v in request.query_params.items() if k != "link"}
    link_to = None
    if request.query_params.get("link") == "1":
        _, accounts = services(state)
        session = await accounts.live_session("op", request.cookies.get(OP_COOKIE))
        link_to = str(session["account"]) if session else None
    try:
        url, pending = await upstream.authorization_url(state.settings, chosen, flow, link_to)
    except (upstream.UpstreamError, httpx.HTTPError):
        return error_page(language, "oidc.error.upstream")
    response: Response[Any] = Redirect(url)
    encoded = base64.urlsafe_b64encode(json.dumps(dataclasses.asdict(pending)).encode()).decode()
    response.set_cookie(
        Cookie(key=UPSTREAM_COOKIE, value=encoded, httponly=True, secure=True, samesite="lax", path="/", max_age=600)
    )
    return response


@get("/oauth/upstream/{provider_id:str}/callback", include_in_schema=False)
async def upstream_callback(
    request: Request[Any, Any, Any],
    provider_id: FromPath[str],
    code: FromQuery[str | None] = None,
    returned_state: Annotated[str | None, QueryParameter(name="state")] = None,
    iss: FromQuery[str | None] = None,
) -> Response[Any]:
    state: State = request.app.state
    language = request_language(request)
    chosen = upstream.provider(state.settings, provider_id)
    pending = _pending_upstream(request)
    if (
        chosen is None
        or pending is None
        or pending.provider_id != provider_id
        or not code
        or not returned_state
        or not secrets.compare_digest(returned_state, pending.state)
    ):
        return error_page(language, "oidc.error.upstream")
    caller = caller_of(request)
    try:
        claims = await upstream.verified_identity(state.settings, state.clock, chosen, pending, code, iss)
        account_id = await upstream.account_for_identity(
            state.settings, state.clock, chosen, claims, pending.link_to, caller
        )
    except (upstream.UpstreamError, httpx.HTTPError, ValueError, KeyError) as error:
        logger.warning("upstream sign-in refused", extra={"provider": provider_id, "reason": str(error)})
        await record(
            AuditEvent(
                action="login.failed", ip=caller.ip, details={"provider": provider_id, "reason": str(error)[:200]}
            ),
            state.clock.now(),
        )
        metrics.count_login_failure("upstream")
        return error_page(language, "oidc.error.upstream")
    _, accounts = services(state)
    raw = await accounts.open_session("op", account_id, state.clock.now(), caller)
    session = await accounts.live_session("op", raw)
    if session is None:  # the account is disabled or locked
        return error_page(language, "oidc.error.upstream")
    await record(
        AuditEvent(
            action="login.succeeded",
            actor=str(account_id),
            subject_type="account",
            subject_id=str(account_id),
            ip=caller.ip,
            details={"provider": provider_id},
        ),
        state.clock.now(),
    )
    auth = await authorization_or_error(request, pending.flow) if pending.flow else None
    response = (
        await continue_authorization(request, auth, session, just_signed_in=True)
        if isinstance(auth, AuthorizationRequest)
        else auth or Redirect("/")
    )
    response.set_cookie(op_cookie(raw, state.settings.session_seconds))
    response.delete_cookie(UPSTREAM_COOKIE, path="/")
    return response


def _pending_upstream(request: Request[Any, Any, Any]) -> upstream.PendingUpstream | None:
    try:
        data = json.loads(base64.urlsafe_b64decode(request.cookies.get(UPSTREAM_COOKIE, "")))
        return upstream.PendingUpstream(**data)
    except (ValueError, TypeError):
        return None


OIDC_ROUTES = [
    authorize,
    login,
    consent,
    token,
    userinfo,
    jwks,
    discovery,
    revoke,
    end_session,
    upstream_start,
    upstream_callback,
]
