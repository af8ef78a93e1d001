"""Typed settings read from the environment once per process.

Every variable is documented in docs/settings.md; a test keeps that table and this class in step.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

import msgspec

Environment = Literal["development", "test", "production"]
Language = Literal["vi", "en"]

ENV_PREFIX = "MATTRAN_"


class UpstreamProvider(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """An upstream OpenID provider users may sign in with (VNeID, or a province's own)."""

    # Short id used in URLs: /oauth/upstream/<id>/...
    id: str
    name: str
    issuer: str
    client_id: str
    client_secret: str
    scope: str = "openid profile"


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    # Where PostgreSQL is; empty means "start the embedded server under data_dir".
    database_url: str = ""
    data_dir: str = ".data"
    environment: Environment = "development"
    host: str = "127.0.0.1"
    port: int = 8000
    # Public origin of the platform: the OIDC issuer and the links in notifications.
    public_url: str = "http://127.0.0.1:8000"
    db_pool_min: int = 2
    db_pool_max: int = 10
    # Requests whose declared body is larger than this are refused with 413 before any reading.
    max_body_bytes: int = 10 * 1024 * 1024
    default_language: Language = "vi"
    log_level: str = "INFO"
    log_json: bool = True
    timezone: str = "Asia/Ho_Chi_Minh"
    # Identity: token and session lifetimes (seconds).
    access_token_seconds: int = 600
    id_token_seconds: int = 600
    authorization_code_seconds: int = 300
    refresh_token_seconds: int = 30 * 24 * 3600  # absolute, from sign-in; rotation never extends it
    session_seconds: int = 12 * 3600  # a browser's sign-in at the provider and in the web app
    # Argon2id cost (RFC 9106's second recommended option, with parallelism for 2 cores).
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    argon2_parallelism: int = 2
    # Sign-in throttling, after Keycloak's brute-force detection: after N failures, wait base * 2^k
    # (capped); failures are forgotten after a quiet period. Per account and per client IP.
    login_failures_per_account: int = 5
    login_failures_per_ip: int = 30
    login_wait_base_seconds: int = 60
    login_wait_max_seconds: int = 900
    login_failure_reset_seconds: int = 12 * 3600
    # Upstream OpenID providers as a JSON list of {"id", "name", "issuer", "client_id", "client_secret"}.
    upstream_providers: str = ""

    @property
    def uses_embedded_database(self) -> bool:
        return not self.database_url

    @property
    def issuer(self) -> str:
        """The OpenID issuer: exactly the public origin, without a trailing slash."""
        return self.public_url.rstrip("/")

    @property
    def upstreams(self) -> list[UpstreamProvider]:
        return upstream_list(self.upstream_providers)

    @property
    def embedded_pgdata(self) -> Path:
        return Path(self.data_dir).resolve() / "pg"


@lru_cache(maxsize=8)
def upstream_list(raw: str) -> list[UpstreamProvider]:
    return msgspec.json.decode(raw, type=list[UpstreamProvider]) if raw.strip() else []


def env_name(field: str) -> str:
    """DATABASE_URL keeps its conventional name; every other knob is MATTRAN_<FIELD>."""
    return "DATABASE_URL" if field == "database_url" else ENV_PREFIX + field.upper()


def settings_from_env(environ: dict[str, str] | None = None, **overrides: object) -> Settings:
    source = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for field in msgspec.structs.fields(Settings):
        raw = source.get(env_name(field.name))
        if raw is not None and raw != "":
            values[field.name] = raw
    values.update(overrides)
    try:
        settings = msgspec.convert(values, Settings, strict=False)
        settings.upstreams  # noqa: B018 - parse now, so a bad value stops the process at start
    except (msgspec.ValidationError, msgspec.DecodeError) as error:
        raise SystemExit(f"Invalid setting: {error}") from error
    return settings


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return settings_from_env()
