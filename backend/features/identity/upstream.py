"""Sign-in through an upstream OpenID provider (VNeID when it is available, or a province's own).

As a relying party: code flow with PKCE, state and nonce; the `iss` of the authorization response checked
against the provider it was sent to (RFC 9207, against mix-up attacks); the ID token's `aud` must be our
client id, its keys come only from the provider's own `jwks_uri`, its algorithm is pinned. An upstream
identity is linked to an account by (issuer, sub), never by e-mail or phone.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import asyncpg
import httpx

from backend import db
from backend.features.audit.service import AuditEvent, record
from backend.features.identity import jose, passwords, repo
from backend.features.identity.service import CITIZEN_HOME_UNIT, Caller
from backend.lib.access import Role
from backend.lib.clock import Clock
from backend.settings import Settings, UpstreamProvider

DISCOVERY_CACHE_SECONDS = 3600.0
HTTP_TIMEOUT_SECONDS = 10.0


class UpstreamError(Exception):
    """The upstream sign-in cannot be trusted or completed; the user starts again."""


@dataclass(frozen=True)
class PendingUpstream:
    """What the browser keeps (HttpOnly cookie) between leaving for the provider and coming back."""

    provider_id: str
    state: str
    nonce: str
    verifier: str
    link_to: str | None  # account id when a signed-in user links this identity to their account
    flow: dict[str, str]  # the authorization request to continue afterwards


_discovery_cache: dict[str, tuple[float, dict[str, Any]]] = {}


def provider(settings: Settings, provider_id: str) -> UpstreamProvider | None:
    return next((p for p in settings.upstreams if p.id == provider_id), None)


def callback_uri(settings: Settings, upstream: UpstreamProvider) -> str:
    return f"{settings.issuer}/oauth/upstream/{upstream.id}/callback"


async def discovery(upstream: UpstreamProvider) -> dict[str, Any]:
    cached = _discovery_cache.get(upstream.issuer)
    if cached and time.monotonic() - cached[0] < DISCOVERY_CACHE_SECONDS:
        return cached[1]
    async with httpx.AsyncClient(timeout=HTTP_TIMEOUT_SECONDS) as http:
        response = await http.get(f"{upstream.issuer.rstrip('/')}/.well-known/openid-configuration")
    document = response.json() if response.status_code == 200 else {}
    if document.get("issuer") != upstream.issuer:
        raise UpstreamError("discovery document missing or for another issuer")
    _discovery_cache[upstream.issuer] = (time.monotonic(), document)
    return dict(document)


async def authorization_url(
    settings: Settings, upstream: UpstreamProvider, flow: dict[str, str], link_to: str | None
) -> tuple[str, PendingUpstream]:
    document = await discovery(upstream)
    pending = PendingUpstream(
        upstream.id, secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(48), link_to, flow
    )
    challenge = base64.urlsafe_b64encode(hashlib.sha256(pending.verifier.encode()).digest()).decode().rstrip("=")
    query = {
        "response_type": "code",
        "client_id": upstream.client_id,
        "redirect_uri": callback_uri(settings, upstream),
        "scope": upstream.scope,
        "state": pending.state,
        "nonce": pending.nonce,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    return f"{document['authorization_endpoint']}?{urlencode(query)}", pending


def _pinned_algorithm(document: dict[str, Any]) -> str:
    offered = document.get("id_token_signing_alg_values_supported") or ["RS256"]
    usable = [alg for alg in offered if alg in jose.ASYMMETRIC_ALGORITHMS]
    if not usable:
        raise UpstreamError("the provider offers no acceptable signing algorithm")
    return str(usable[0])


async def verified_identity(
    settings: Settings,
    clock: Clock,
    upstream: UpstreamProvider,
    pending: PendingUpstream,
    code: str,
    returned_iss: str | None,
) -> dict[str, Any]:
    """The upstream ID token's claims after every check, or UpstreamError."""
    document = await discovery(upstream)
    if returned_iss is not None and returned_iss != upstream.issuer:
        raise UpstreamError("authorization response from another issuer (mix-up)")
    if returned_iss is None and document.get("authorization_response_iss_parameter_supported"):
        raise UpstreamError("the provider promised an iss parameter and sent none")
    async with httpx.AsyncClient(timeout=HTTP_TIMEOUT_SECONDS) as http:
        token_response = await http.post(
            document["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": callback_uri(settings, upstream),
                "code_verifier": pending.verifier,
                "client_id": upstream.client_id,
                "client_secret": upstream.client_secret,
            },
        )
        if token_response.status_code != 200 or "id_token" not in token_response.json():
            raise UpstreamError(f"token endpoint answered {token_response.status_code}")
        jwks = (await http.get(document["jwks_uri"])).json()
    id_token = str(token_response.json()["id_token"])
    keys_by_kid = {str(key.get("kid")): key for key in jwks.get("keys", [])}
    try:
        claims = jose.verify(
            id_token,
            public_jwks=keys_by_kid,
            audience=upstream.client_id,
            issuer=upstream.issuer,
            typ=None,
            now=clock.now(),
            algorithm=_pinned_algorithm(document),
        )
    except jose.InvalidToken as error:
        raise UpstreamError(f"ID token rejected: {error}") from error
    if claims.get("nonce") != pending.nonce:
        raise UpstreamError("nonce does not match")
    return claims


async def account_for_identity(
    settings: Settings,
    clock: Clock,
    upstream: UpstreamProvider,
    claims: dict[str, Any],
    link_to: str | None,
    caller: Caller,
) -> uuid.UUID:
    """The account linked to (issuer, sub); linking it now to the signed-in user who asked, or to a new
    citizen account (an upstream identity is a person the Front serves, not yet staff)."""
    subject, now = str(claims["sub"]), clock.now()
    async with db.transaction(), db.connection() as conn:
        linked = await conn.fetchval(
            "SELECT account FROM upstream_links WHERE issuer = $1 AND subject = $2", upstream.issuer, subject
        )
        if linked is not None:
            return uuid.UUID(str(linked))
        account_id = uuid.UUID(link_to) if link_to else await _new_citizen(settings, upstream, claims, now)
        try:
            await conn.execute(
                "INSERT INTO upstream_links (issuer, subject, account, created_at) VALUES ($1, $2, $3, $4)",
                upstream.issuer,
                subject,
                account_id,
                now,
            )
        except asyncpg.UniqueViolationError as error:
            raise UpstreamError("identity linked concurrently; sign in again") from error
        await record(
            AuditEvent(
                action="upstream.linked",
                actor=str(account_id),
                subject_type="account",
                subject_id=str(account_id),
                ip=caller.ip,
                details={"issuer": upstream.issuer, "provider": upstream.id},
            ),
            now,
        )
    return account_id


async def _new_citizen(
    settings: Settings, upstream: UpstreamProvider, claims: dict[str, Any], now: datetime
) -> uuid.UUID:
    account_id = uuid.uuid4()
    digest = hashlib.sha256(f"{upstream.issuer}|{claims['sub']}".encode()).hexdigest()[:12]
    # No password: this person signs in through the provider (a random one nobody knows keeps the column set).
    unusable = passwords.hash_password(settings, secrets.token_urlsafe(32))
    name = str(claims.get("name") or claims.get("preferred_username") or upstream.name)[:200]
    await repo.insert_account(account_id, f"{upstream.id}.{digest}", unusable, name, None, None, now)
    await repo.insert_role(account_id, Role.citizen, CITIZEN_HOME_UNIT, now)
    return account_id
