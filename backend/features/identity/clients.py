"""The OpenID provider's registered clients (`mattran clients create`), and client authentication."""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from backend.db import connection
from backend.features.identity.oauth_errors import OAuthError
from backend.features.identity.opaque import new_secret, same_secret

WEB_CLIENT_ID = "mattran-web"
SUPPORTED_SCOPES = ("openid", "profile", "email", "phone", "offline_access", "roles")
CLIENT_KINDS = ("confidential", "public", "service")
_CLIENT_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{2,99}$")


@dataclass(frozen=True)
class Client:
    client_id: str
    kind: str
    name: str
    first_party: bool
    redirect_uris: tuple[str, ...]
    post_logout_redirect_uris: tuple[str, ...]
    backchannel_logout_uri: str | None
    grant_types: tuple[str, ...]
    scopes: tuple[str, ...]
    secret_hash: str | None

    @property
    def is_public(self) -> bool:
        return self.kind == "public"


def _client(row: object) -> Client:
    r = dict(row)  # type: ignore[call-overload]
    return Client(
        client_id=r["client_id"],
        kind=r["kind"],
        name=r["name"],
        first_party=r["first_party"],
        redirect_uris=tuple(r["redirect_uris"]),
        post_logout_redirect_uris=tuple(r["post_logout_redirect_uris"]),
        backchannel_logout_uri=r["backchannel_logout_uri"],
        grant_types=tuple(r["grant_types"]),
        scopes=tuple(r["scopes"]),
        secret_hash=r["secret_hash"],
    )


async def find_client(client_id: str) -> Client | None:
    async with connection() as conn:
        row = await conn.fetchrow("SELECT * FROM oidc_clients WHERE client_id = $1", client_id)
    return _client(row) if row else None


def _check_redirect_uri(uri: str) -> None:
    parts = urlsplit(uri)
    local = parts.hostname in ("localhost", "127.0.0.1", "::1")
    if parts.fragment or not parts.netloc or not (parts.scheme == "https" or (parts.scheme == "http" and local)):
        raise ValueError(f"redirect URI must be https (http only on localhost), without fragment: {uri}")


async def create_client(
    *,
    client_id: str | None,
    name: str,
    kind: str,
    redirect_uris: list[str],
    post_logout_redirect_uris: list[str],
    backchannel_logout_uri: str | None = None,
    first_party: bool = False,
    scopes: list[str] | None = None,
    upsert: bool = False,
) -> tuple[Client, str | None]:
    """Register a client; returns it and its secret (shown once; only its hash is kept)."""
    client_id = client_id or f"client-{uuid.uuid4().hex[:12]}"
    if kind not in CLIENT_KINDS or not _CLIENT_ID.match(client_id):
        raise ValueError("kind must be confidential, public or service; client id: lowercase letters, digits, .-_")
    for uri in [
        *redirect_uris,
        *post_logout_redirect_uris,
        *([backchannel_logout_uri] if backchannel_logout_uri else []),
    ]:
        _check_redirect_uri(uri)
    if kind != "service" and not redirect_uris:
        raise ValueError("a confidential or public client needs at least one redirect URI")
    grant_types = ["client_credentials"] if kind == "service" else ["authorization_code", "refresh_token"]
    secret, secret_hash = new_secret() if kind != "public" else (None, None)
    unknown = set(scopes or []) - set(SUPPORTED_SCOPES)
    if unknown:
        raise ValueError(f"unknown scopes: {sorted(unknown)}")
    on_conflict = (
        " ON CONFLICT (client_id) DO UPDATE SET name = excluded.name, redirect_uris = excluded.redirect_uris,"
        " post_logout_redirect_uris = excluded.post_logout_redirect_uris, first_party = excluded.first_party"
        if upsert
        else ""
    )
    async with connection() as conn:
        row = await conn.fetchrow(
            "INSERT INTO oidc_clients (client_id, secret_hash, name, kind, first_party, redirect_uris,"
            " post_logout_redirect_uris, backchannel_logout_uri, grant_types, scopes)"
            f" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10){on_conflict} RETURNING *",
            client_id,
            secret_hash,
            name,
            kind,
            first_party,
            redirect_uris,
            post_logout_redirect_uris,
            backchannel_logout_uri,
            grant_types,
            scopes or list(SUPPORTED_SCOPES),
        )
    return _client(row), secret


def basic_credentials(authorization: str | None) -> tuple[str, str] | None:
    """(client_id, secret) from `Authorization: Basic`, form-url-decoded as RFC 6749 §2.3.1 says."""
    if not authorization or not authorization.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as error:
        raise OAuthError("invalid_client", "malformed Basic credentials", status=401) from error
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise OAuthError("invalid_client", "malformed Basic credentials", status=401)
    return unquote(client_id.replace("+", " ")), unquote(secret.replace("+", " "))


async def authenticate_client(authorization: str | None, form: dict[str, str]) -> Client:
    """The calling client, by client_secret_basic, client_secret_post, or (public clients) client_id alone."""
    basic = basic_credentials(authorization)
    if basic and ("client_secret" in form):
        raise OAuthError("invalid_request", "use one client authentication method")
    client_id, secret = basic if basic else (form.get("client_id", ""), form.get("client_secret"))
    if basic and form.get("client_id") not in (None, client_id):
        raise OAuthError("invalid_client", "client_id does not match the credentials", status=401)
    client = await find_client(client_id) if client_id else None
    if client is None:
        raise OAuthError("invalid_client", "unknown client", status=401)
    if client.is_public:
        if secret:
            raise OAuthError("invalid_client", "public clients have no secret", status=401)
        return client
    if secret is None or not same_secret(secret, client.secret_hash):
        raise OAuthError("invalid_client", "client authentication failed", status=401)
    return client
