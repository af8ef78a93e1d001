"""Accounts, role assignments, and the OpenID provider's clients, keys, codes, grants and sessions.

Secrets (passwords, client secrets, codes, refresh tokens, session ids) are stored only as hashes.
"""

from enum import StrEnum

from piccolo.columns import (
    JSONB,
    UUID,
    Array,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.defaults.uuid import UUID4
from piccolo.table import Table

from backend.features.units.tables import Unit


class AccountStatus(StrEnum):
    active = "active"
    disabled = "disabled"
    locked = "locked"


class Account(Table, tablename="accounts"):
    id = UUID(primary_key=True)
    # Unique case-insensitively (index on lower(username) in the migration).
    username = Varchar(length=64)
    password_hash = Text()
    display_name = Varchar(length=200)
    phone = Varchar(length=32, null=True, default=None)
    email = Varchar(length=254, null=True, default=None)
    status = Varchar(length=16, choices=AccountStatus, default=AccountStatus.active)
    password_changed_at = Timestamptz(default=TimestamptzNow())
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class RoleAssignment(Table, tablename="role_assignments"):
    id = UUID(primary_key=True)
    account = ForeignKey(Account, on_delete=OnDelete.cascade)
    role = Varchar(length=32)
    unit = ForeignKey(Unit, on_delete=OnDelete.restrict)
    valid_from = Date(null=True, default=None)
    valid_to = Date(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class OidcClient(Table, tablename="oidc_clients"):
    client_id = Varchar(length=100, primary_key=True)
    # sha256 of the secret (secrets are 256-bit random, so a fast hash is enough); NULL for public clients.
    secret_hash = Varchar(length=64, null=True, default=None)
    name = Varchar(length=200)
    kind = Varchar(length=16)  # confidential | public | service
    first_party = Boolean(default=False)
    redirect_uris = Array(base_column=Text())
    post_logout_redirect_uris = Array(base_column=Text())
    backchannel_logout_uri = Text(null=True, default=None)
    grant_types = Array(base_column=Varchar(length=40))
    scopes = Array(base_column=Varchar(length=40))
    created_at = Timestamptz(default=TimestamptzNow())


class SigningKey(Table, tablename="oidc_signing_keys"):
    kid = Varchar(length=64, primary_key=True)
    alg = Varchar(length=10, default="RS256")
    private_pem = Text()
    public_jwk = JSONB()
    state = Varchar(length=10)  # next | active | retired
    created_at = Timestamptz(default=TimestamptzNow())
    activated_at = Timestamptz(null=True, default=None)
    retired_at = Timestamptz(null=True, default=None)


class BrowserSession(Table, tablename="browser_sessions"):
    """A sign-in at the provider (the SSO session) or in the web app (backend-for-frontend)."""

    id_hash = Varchar(length=64, primary_key=True)
    kind = Varchar(length=8)  # op | app
    account = ForeignKey(Account, on_delete=OnDelete.cascade)
    auth_time = Timestamptz()
    created_at = Timestamptz(default=TimestamptzNow())
    last_seen_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)
    # For the app session: the CSRF token (compared in constant time) and the grant behind it.
    csrf_token = Varchar(length=64, null=True, default=None)
    grant_id = UUID(null=True, default=None)
    user_agent = Varchar(length=300, default="")
    ip = Varchar(length=64, default="")


class Grant(Table, tablename="oidc_grants"):
    """What one authorization gave one client; its access and refresh tokens live and die with it."""

    id = UUID(primary_key=True)
    client = ForeignKey(OidcClient, on_delete=OnDelete.cascade)
    account = ForeignKey(Account, null=True, default=None, on_delete=OnDelete.cascade)
    scope = Text()
    auth_time = Timestamptz(null=True, default=None)
    op_session_hash = Varchar(length=64, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)
    revoked_reason = Varchar(length=40, null=True, default=None)


class AuthorizationCode(Table, tablename="oidc_codes"):
    code_hash = Varchar(length=64, primary_key=True)
    client = ForeignKey(OidcClient, on_delete=OnDelete.cascade)
    account = ForeignKey(Account, on_delete=OnDelete.cascade)
    redirect_uri = Text()
    scope = Text()
    nonce = Text(null=True, default=None)
    code_challenge = Varchar(length=128, null=True, default=None)
    auth_time = Timestamptz()
    op_session_hash = Varchar(length=64)
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    # The grant the exchange created: revoked if the code is presented again.
    grant_id = UUID(null=True, default=None)


class RefreshToken(Table, tablename="oidc_refresh_tokens"):
    token_hash = Varchar(length=64, primary_key=True)
    grant_id = ForeignKey(Grant, on_delete=OnDelete.cascade)
    created_at = Timestamptz(default=TimestamptzNow())
    used_at = Timestamptz(null=True, default=None)


class Consent(Table, tablename="oidc_consents"):
    account = ForeignKey(Account, on_delete=OnDelete.cascade)
    client = ForeignKey(OidcClient, on_delete=OnDelete.cascade)
    scope = Text()
    granted_at = Timestamptz(default=TimestamptzNow())


class LoginThrottle(Table, tablename="login_throttle"):
    """Failed sign-ins per account or per client IP, for growing back-off."""

    key = Varchar(length=120, primary_key=True)  # "account:<id>" | "ip:<address>"
    failures = Integer(default=0)
    last_failure_at = Timestamptz()
    locked_until = Timestamptz(null=True, default=None)


class UpstreamLink(Table, tablename="upstream_links"):
    """An account linked to an upstream identity (VNeID or another OIDC provider) by its `sub`."""

    issuer = Text()
    subject = Varchar(length=255)
    account = ForeignKey(Account, on_delete=OnDelete.cascade)
    created_at = Timestamptz(default=TimestamptzNow())


class LogoutNotice(Table, tablename="oidc_logout_notices"):
    """A back-channel logout token still to be delivered to a client (OIDC Back-Channel Logout 1.0).

    Written in the transaction that ends the sign-in, sent by a job after commit and retried while the
    client is unreachable, so a logout is never lost to a crash or a client's bad minute. The token
    itself is signed at send time (iat/exp fresh); `id` is its jti, so a client can drop a repeat.
    """

    id = UUID(primary_key=True, default=UUID4())
    client = Varchar(length=100)
    uri = Text()
    subject = Text()
    sid = Text()
    created_at = Timestamptz(default=TimestamptzNow())
    due_at = Timestamptz(default=TimestamptzNow())
    attempts = Integer(default=0)
    sent_at = Timestamptz(null=True, default=None)
    given_up_at = Timestamptz(null=True, default=None)
    last_error = Text(null=True, default=None)
