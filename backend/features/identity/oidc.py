"""The OpenID provider's protocol logic: authorization requests, codes, grants and tokens.

Grants: every code exchange (or client_credentials call) creates a grant; its access tokens carry the
grant id (`gid`) and its refresh tokens belong to it (the refresh "family"). Revoking the grant revokes
everything it issued, which is what code reuse, refresh-token reuse, revocation and logout do.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from backend import db
from backend.features.audit.service import AuditEvent, record
from backend.features.identity import jose, keys
from backend.features.identity import repo as identity_repo
from backend.features.identity.clients import SUPPORTED_SCOPES, Client, find_client
from backend.features.identity.oauth_errors import OAuthError
from backend.features.identity.opaque import new_secret, secret_hash
from backend.lib.clock import Clock, today_in_vietnam
from backend.settings import Settings

ACCESS_TOKEN_TYP = "at+jwt"
ID_TOKEN_TYP = "JWT"
LOGOUT_TOKEN_TYP = "logout+jwt"
BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"


def api_audience(settings: Settings) -> str:
    """The audience of access tokens: the platform's API."""
    return f"{settings.issuer}/api"


class ErrorPage(Exception):
    """An authorization request so wrong (unknown client, unregistered redirect URI) that redirecting
    back would be unsafe: the user sees an error page instead."""

    def __init__(self, message_key: str) -> None:
        super().__init__(message_key)
        self.message_key = message_key


class RedirectError(Exception):
    """An authorization error reported to the client by redirect (RFC 6749 §4.1.2.1)."""

    def __init__(self, redirect_uri: str, error: str, description: str, state: str | None, issuer: str) -> None:
        super().__init__(error)
        query = {"error": error, "error_description": description, "iss": issuer}
        if state is not None:
            query["state"] = state
        self.location = f"{redirect_uri}{'&' if '?' in redirect_uri else '?'}{urlencode(query)}"


class ReplayDetected(Exception):
    """A code or refresh token presented a second time: everything its grant issued must be revoked."""

    def __init__(self, grant_id: uuid.UUID | None, action: str, description: str) -> None:
        super().__init__(description)
        self.grant_id = grant_id
        self.action = action
        self.description = description


@dataclass(frozen=True)
class AuthorizationRequest:
    client: Client
    redirect_uri: str
    scope: tuple[str, ...]
    state: str | None
    nonce: str | None
    code_challenge: str | None
    prompt: frozenset[str]
    max_age: int | None
    login_hint: str | None
    params: dict[str, str]  # as received, to carry through the login and consent forms


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).decode().rstrip("=")


class OidcService:
    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock

    @property
    def issuer(self) -> str:
        return self.settings.issuer

    # Authorization requests ------------------------------------------------------------------------

    async def parse_authorization_request(self, params: dict[str, str]) -> AuthorizationRequest:
        client = await find_client(params.get("client_id", "")) if params.get("client_id") else None
        if client is None or client.kind == "service":
            raise ErrorPage("oidc.error.unknown_client")
        redirect_uri = params.get("redirect_uri", "")
        if redirect_uri not in client.redirect_uris:
            raise ErrorPage("oidc.error.redirect_uri")
        state = params.get("state")

        def error(code: str, description: str) -> RedirectError:
            return RedirectError(redirect_uri, code, description, state, self.issuer)

        if "request" in params:
            raise error("request_not_supported", "request objects are not supported")
        if "request_uri" in params:
            raise error("request_uri_not_supported", "request_uri is not supported")
        response_type = params.get("response_type")
        if not response_type:
            raise error("invalid_request", "response_type is required")
        if response_type != "code":
            raise error("unsupported_response_type", "only the code flow is supported")
        scope = tuple(s for s in dict.fromkeys(params.get("scope", "").split()) if s in client.scopes)
        challenge, method = params.get("code_challenge"), params.get("code_challenge_method")
        if challenge is not None and method != "S256":
            raise error("invalid_request", "code_challenge_method must be S256")
        if challenge is None and (method is not None or client.is_public):
            raise error("invalid_request", "PKCE with S256 is required")
        if challenge is not None and not (43 <= len(challenge) <= 128):
            raise error("invalid_request", "code_challenge must be 43 to 128 characters")
        prompt = frozenset(params.get("prompt", "").split())
        if "none" in prompt and len(prompt) > 1:
            raise error("invalid_request", "prompt=none cannot be combined")
        max_age = params.get("max_age")
        if max_age is not None and not max_age.isdigit():
            raise error("invalid_request", "max_age must be a non-negative integer")
        return AuthorizationRequest(
            client=client,
            redirect_uri=redirect_uri,
            scope=scope,
            state=state,
            nonce=params.get("nonce"),
            code_challenge=challenge,
            prompt=prompt,
            max_age=int(max_age) if max_age is not None else None,
            login_hint=params.get("login_hint"),
            params=params,
        )

    def needs_login(self, request: AuthorizationRequest, auth_time: datetime | None) -> bool:
        if auth_time is None or "login" in request.prompt:
            return True
        return request.max_age is not None and self.clock.now() - auth_time > timedelta(seconds=request.max_age)

    async def needs_consent(self, request: AuthorizationRequest, account_id: uuid.UUID) -> bool:
        """First-party clients are trusted by the platform and never ask; third parties ask once per scope set."""
        if request.client.first_party:
            return False
        async with db.connection() as conn:
            granted = await conn.fetchval(
                "SELECT scope FROM oidc_consents WHERE account = $1 AND client = $2",
                account_id,
                request.client.client_id,
            )
        return "consent" in request.prompt or not set(request.scope) <= set((granted or "").split())

    async def remember_consent(self, request: AuthorizationRequest, account_id: uuid.UUID) -> None:
        async with db.transaction(), db.connection() as conn:
            await conn.execute(
                "INSERT INTO oidc_consents (account, client, scope, granted_at) VALUES ($1, $2, $3, $4)"
                " ON CONFLICT (account, client) DO UPDATE SET scope = excluded.scope, granted_at = excluded.granted_at",
                account_id,
                request.client.client_id,
                " ".join(request.scope),
                self.clock.now(),
            )
            await record(
                AuditEvent(
                    action="consent.granted",
                    actor=str(account_id),
                    subject_type="client",
                    subject_id=request.client.client_id,
                    details={"scope": " ".join(request.scope)},
                ),
                self.clock.now(),
            )

    async def issue_code(
        self, request: AuthorizationRequest, account_id: uuid.UUID, auth_time: datetime, op_session_hash: str
    ) -> str:
        """The redirect carrying a fresh authorization code (single use, short-lived)."""
        raw, code_hash = new_secret()
        now = self.clock.now()
        async with db.connection() as conn:
            await conn.execute(
                "INSERT INTO oidc_codes (code_hash, client, account, redirect_uri, scope, nonce, code_challenge,"
                " auth_time, op_session_hash, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                code_hash,
                request.client.client_id,
                account_id,
                request.redirect_uri,
                " ".join(request.scope),
                request.nonce,
                request.code_challenge,
                auth_time,
                op_session_hash,
                now + timedelta(seconds=self.settings.authorization_code_seconds),
            )
        query = {"code": raw, "iss": self.issuer} | ({"state": request.state} if request.state is not None else {})
        separator = "&" if "?" in request.redirect_uri else "?"
        return f"{request.redirect_uri}{separator}{urlencode(query)}"

    # Token endpoint --------------------------------------------------------------------------------

    async def token(self, client: Client, form: dict[str, str]) -> dict[str, Any]:
        grant_type = form.get("grant_type")
        if grant_type not in client.grant_types:
            if grant_type in ("authorization_code", "refresh_token", "client_credentials"):
                raise OAuthError("unauthorized_client", f"{grant_type} is not allowed for this client")
            raise OAuthError("unsupported_grant_type", "grant_type not supported")
        try:
            if grant_type == "authorization_code":
                return await self._exchange_code(client, form)
            if grant_type == "refresh_token":
                return await self._refresh(client, form)
        except ReplayDetected as replay:
            # The exchange rolled back; the revocation is committed on its own, then the client is refused.
            await self._revoke_replayed(client, replay)
            raise OAuthError("invalid_grant", replay.description) from replay
        return await self._client_credentials(client, form)

    async def _revoke_replayed(self, client: Client, replay: ReplayDetected) -> None:
        now = self.clock.now()
        async with db.transaction(), db.connection() as conn:
            await self._revoke_grant(conn, replay.grant_id, replay.action.removeprefix("token."))
            event = AuditEvent(
                action=replay.action,
                actor=f"client:{client.client_id}",
                subject_type="grant",
                subject_id=str(replay.grant_id),
            )
            await record(event, now)

    async def _exchange_code(self, client: Client, form: dict[str, str]) -> dict[str, Any]:
        now = self.clock.now()
        code, verifier = form.get("code", ""), form.get("code_verifier")
        async with db.transaction(), db.connection() as conn:
            row = await conn.fetchrow("SELECT * FROM oidc_codes WHERE code_hash = $1 FOR UPDATE", secret_hash(code))
            if row is None or row["client"] != client.client_id:
                raise OAuthError("invalid_grant", "unknown authorization code")
            if row["used_at"] is not None:
                raise ReplayDetected(row["grant_id"], "token.code_reused", "authorization code already used")
            if row["expires_at"] <= now:
                raise OAuthError("invalid_grant", "authorization code expired")
            if form.get("redirect_uri") != row["redirect_uri"]:
                raise OAuthError("invalid_grant", "redirect_uri does not match the authorization request")
            self._check_pkce(row["code_challenge"], verifier)
            grant_id = uuid.uuid4()
            await conn.execute(
                "INSERT INTO oidc_grants (id, client, account, scope, auth_time, op_session_hash, created_at,"
                " expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                grant_id,
                client.client_id,
                row["account"],
                row["scope"],
                row["auth_time"],
                row["op_session_hash"],
                now,
                now + timedelta(seconds=self.settings.refresh_token_seconds),
            )
            await conn.execute(
                "UPDATE oidc_codes SET used_at = $2, grant_id = $3 WHERE code_hash = $1",
                row["code_hash"],
                now,
                grant_id,
            )
            return await self._tokens(
                conn,
                client,
                grant_id,
                row["account"],
                row["scope"].split(),
                row["auth_time"],
                row["nonce"],
                row["op_session_hash"],
            )

    @staticmethod
    def _check_pkce(challenge: str | None, verifier: str | None) -> None:
        if challenge is None:
            if verifier is not None:
                raise OAuthError("invalid_grant", "code_verifier sent but no code_challenge was")
            return
        if verifier is None or not (43 <= len(verifier) <= 128):
            raise OAuthError("invalid_grant", "a valid code_verifier is required")
        if not hmac.compare_digest(s256(verifier), challenge):
            raise OAuthError("invalid_grant", "code_verifier does not match code_challenge")

    async def _refresh(self, client: Client, form: dict[str, str]) -> dict[str, Any]:
        now = self.clock.now()
        async with db.transaction(), db.connection() as conn:
            row = await conn.fetchrow(
                "SELECT t.token_hash, t.used_at, g.* FROM oidc_refresh_tokens t JOIN oidc_grants g ON g.id = t.grant_id"
                " WHERE t.token_hash = $1 FOR UPDATE OF t, g",
                secret_hash(form.get("refresh_token", "")),
            )
            if row is None or row["client"] != client.client_id:
                raise OAuthError("invalid_grant", "unknown refresh token")
            if row["used_at"] is not None:
                # A used token presented again: stolen or replayed. The whole family goes (RFC 9700 §4.14.2).
                raise ReplayDetected(row["id"], "token.refresh_reused", "refresh token already used")
            if row["revoked_at"] is not None or row["expires_at"] <= now:
                raise OAuthError("invalid_grant", "refresh token revoked or expired")
            scope = row["scope"].split()
            requested = form.get("scope")
            if requested is not None:
                if not set(requested.split()) <= set(scope):
                    raise OAuthError("invalid_scope", "a refresh cannot widen the scope")
                scope = requested.split()
            await conn.execute(
                "UPDATE oidc_refresh_tokens SET used_at = $2 WHERE token_hash = $1", row["token_hash"], now
            )
            return await self._tokens(
                conn, client, row["id"], row["account"], scope, row["auth_time"], None, row["op_session_hash"]
            )

    async def _client_credentials(self, client: Client, form: dict[str, str]) -> dict[str, Any]:
        now = self.clock.now()
        scope = [s for s in form.get("scope", "").split() if s in client.scopes and s != "openid"]
        grant_id = uuid.uuid4()
        async with db.transaction(), db.connection() as conn:
            await conn.execute(
                "INSERT INTO oidc_grants (id, client, account, scope, created_at, expires_at)"
                " VALUES ($1, $2, NULL, $3, $4, $5)",
                grant_id,
                client.client_id,
                " ".join(scope),
                now,
                now + timedelta(seconds=self.settings.access_token_seconds),
            )
            return await self._tokens(conn, client, grant_id, None, scope, None, None, None)

    async def _tokens(
        self,
        conn: Any,
        client: Client,
        grant_id: uuid.UUID,
        account_id: uuid.UUID | None,
        scope: list[str],
        auth_time: datetime | None,
        nonce: str | None,
        op_session_hash: str | None,
    ) -> dict[str, Any]:
        now = self.clock.now()
        key_set = await keys.key_set()
        signing_pem = key_set.signing_pem(self.settings.sealer)
        subject = str(account_id) if account_id else client.client_id
        access_claims = {
            "iss": self.issuer,
            "sub": subject,
            "aud": api_audience(self.settings),
            "client_id": client.client_id,
            "scope": " ".join(scope),
            "iat": int(now.timestamp()),
            "nbf": int(now.timestamp()),
            "exp": int(now.timestamp()) + self.settings.access_token_seconds,
            "jti": uuid.uuid4().hex,
            "gid": str(grant_id),
        } | ({"auth_time": int(auth_time.timestamp())} if auth_time else {})
        access_token = jose.sign(access_claims, private_pem=signing_pem, kid=key_set.active_kid, typ=ACCESS_TOKEN_TYP)
        response: dict[str, Any] = {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": self.settings.access_token_seconds,
            "scope": " ".join(scope),
        }
        if account_id is not None and "openid" in scope:
            id_claims = (
                {
                    "iss": self.issuer,
                    "sub": subject,
                    "aud": client.client_id,
                    "azp": client.client_id,
                    "iat": int(now.timestamp()),
                    "exp": int(now.timestamp()) + self.settings.id_token_seconds,
                    "auth_time": int(auth_time.timestamp()) if auth_time else int(now.timestamp()),
                    "at_hash": jose.half_hash(access_token),
                }
                | ({"nonce": nonce} if nonce else {})
                | ({"sid": op_session_hash[:32]} if op_session_hash else {})
            )
            response["id_token"] = jose.sign(
                id_claims, private_pem=signing_pem, kid=key_set.active_kid, typ=ID_TOKEN_TYP
            )
        if account_id is not None and "refresh_token" in client.grant_types:
            raw, token_hash = new_secret()
            await conn.execute(
                "INSERT INTO oidc_refresh_tokens (token_hash, grant_id, created_at) VALUES ($1, $2, $3)",
                token_hash,
                grant_id,
                now,
            )
            response["refresh_token"] = raw
        return response

    async def _revoke_grant(self, conn: Any, grant_id: uuid.UUID | None, reason: str) -> None:
        if grant_id is None:
            return
        await conn.execute(
            "UPDATE oidc_grants SET revoked_at = $2, revoked_reason = $3 WHERE id = $1 AND revoked_at IS NULL",
            grant_id,
            self.clock.now(),
            reason,
        )

    # Access tokens, userinfo, revocation -----------------------------------------------------------

    async def verify_access_token(self, token: str) -> dict[str, Any]:
        """Claims of a valid access token whose grant is still alive; jose.InvalidToken otherwise."""
        claims, _ = await self._verify_access_token(token, with_roles=False)
        return claims

    async def verify_access_token_and_roles(self, token: str) -> tuple[dict[str, Any], list[Any]]:
        """As verify_access_token, with the role assignments in force today (role, unit_code, unit_path) of
        the account the token was issued to (none for a client's own token): every API request needs both,
        so they are read in the same query as the grant."""
        return await self._verify_access_token(token, with_roles=True)

    async def _verify_access_token(self, token: str, *, with_roles: bool) -> tuple[dict[str, Any], list[Any]]:
        public_jwks = await keys.public_jwks_with(jose.header_kid(token))
        claims = jose.verify(
            token,
            public_jwks=public_jwks,
            audience=api_audience(self.settings),
            issuer=self.issuer,
            typ=ACCESS_TOKEN_TYP,
            now=self.clock.now(),
        )
        subject = str(claims["sub"])
        account_id = uuid.UUID(subject) if with_roles and subject != claims.get("client_id") else None
        async with db.connection() as conn:
            # No row when the grant is revoked or unknown; one row of NULLs when it is alive without roles.
            rows = await conn.fetch(
                "SELECT r.role, r.unit AS unit_code, u.path AS unit_path FROM oidc_grants g"
                " LEFT JOIN (role_assignments r JOIN units u ON u.code = r.unit)"
                f" ON r.account = $2 AND {identity_repo.role_in_force('$3')}"
                " WHERE g.id = $1 AND g.revoked_at IS NULL ORDER BY u.path, r.role",
                uuid.UUID(str(claims.get("gid"))),
                account_id,
                today_in_vietnam(self.clock),
            )
        if not rows:
            raise jose.InvalidToken("grant revoked")
        return claims, [row for row in rows if row["role"] is not None]

    async def revoke(self, client: Client, token: str, hint: str | None) -> None:
        """RFC 7009: revoke the grant behind a refresh or access token of this client; unknown tokens are fine."""
        now = self.clock.now()
        async with db.transaction(), db.connection() as conn:
            grant_id = await conn.fetchval(
                "SELECT g.id FROM oidc_refresh_tokens t JOIN oidc_grants g ON g.id = t.grant_id"
                " WHERE t.token_hash = $1 AND g.client = $2",
                secret_hash(token),
                client.client_id,
            )
            if grant_id is None:
                try:
                    claims = await self.verify_access_token(token)
                except jose.InvalidToken:
                    return
                if claims.get("client_id") != client.client_id:
                    return
                grant_id = uuid.UUID(str(claims["gid"]))
            await self._revoke_grant(conn, grant_id, "revoked_by_client")
            await record(
                AuditEvent(
                    action="token.revoked",
                    actor=f"client:{client.client_id}",
                    subject_type="grant",
                    subject_id=str(grant_id),
                ),
                now,
            )

    def discovery(self) -> dict[str, Any]:
        base = self.issuer
        return {
            "issuer": base,
            "authorization_endpoint": f"{base}/oauth/authorize",
            "token_endpoint": f"{base}/oauth/token",
            "userinfo_endpoint": f"{base}/oauth/userinfo",
            "jwks_uri": f"{base}/oauth/jwks",
            "end_session_endpoint": f"{base}/oauth/logout",
            "revocation_endpoint": f"{base}/oauth/revoke",
            "scopes_supported": list(SUPPORTED_SCOPES),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": [jose.ALGORITHM],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
            "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": [
                "sub",
                "iss",
                "aud",
                "exp",
                "iat",
                "auth_time",
                "nonce",
                "azp",
                "at_hash",
                "sid",
                "name",
                "preferred_username",
                "updated_at",
                "email",
                "email_verified",
                "phone_number",
                "phone_number_verified",
                "roles",
            ],
            "prompt_values_supported": ["none", "login", "consent"],
            "request_parameter_supported": False,
            "request_uri_parameter_supported": False,
            "require_request_uri_registration": True,
            "claims_parameter_supported": False,
            "authorization_response_iss_parameter_supported": True,
            "backchannel_logout_supported": True,
            "backchannel_logout_session_supported": True,
            "frontchannel_logout_supported": False,
            "ui_locales_supported": ["vi", "en"],
        }
