"""Typed settings read from the environment once per process.

Every variable is documented in docs/settings.md; a test keeps that table and this class in step.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import msgspec

from backend.lib.sealing import Sealer

Environment = Literal["development", "test", "production"]
Language = Literal["vi", "en"]

ENV_PREFIX = "MATTRAN_"
# The push services browsers hand out (Chrome/Edge via FCM, Firefox, Safari, legacy Edge); "*." matches
# subdomains. The same list as backend.features.notify.webpush.PUSH_SERVICE_HOSTS (a test keeps them equal).
PUSH_SERVICE_HOSTS = "fcm.googleapis.com,*.push.services.mozilla.com,*.push.apple.com,*.notify.windows.com"
# A lease must outlast one send (connect + read timeouts of the push client) with room to record it.
MIN_PUSH_LEASE_SECONDS = 30
# Household circumstances (hoàn cảnh) cadres record; poor and near-poor follow the official poverty lists.
REGISTRY_CIRCUMSTANCES = (
    "ho_ngheo,ho_can_ngheo,gia_dinh_chinh_sach,nguoi_cao_tuoi_neo_don,nguoi_khuyet_tat,tre_em_mo_coi,"
    "benh_hiem_ngheo,hoan_canh_kho_khan"
)
DEVELOPMENT_ID_PEPPER = "mattran-development-pepper"


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
    # PostgreSQL itself when database_url goes through a transaction-mode pooler (PgBouncer): migrations hold a
    # session advisory lock and the job worker LISTENs, neither of which survives such a pooler. Empty: database_url.
    direct_database_url: str = ""
    data_dir: str = ".data"
    environment: Environment = "development"
    host: str = "127.0.0.1"
    port: int = 8000
    # Public origin of the platform: the OIDC issuer and the links in notifications.
    public_url: str = "http://127.0.0.1:8000"
    db_pool_min: int = 2
    db_pool_max: int = 10
    # asyncpg's prepared statements kept per connection; 0 behind PgBouncer in transaction mode (older than 1.21
    # or without max_prepared_statements), where a statement prepared on one server connection is run on another.
    db_statement_cache_size: int = 100
    # Requests whose declared body is larger than this are refused with 413 before any reading.
    max_body_bytes: int = 10 * 1024 * 1024
    # Writes (POST/PUT/PATCH/DELETE under /api/ and /open311/) a caller who is not signed in may make per minute
    # from one address (petitions filed, photos attached, answers rated); 0 switches the limit off.
    anonymous_writes_per_minute: int = 20
    # Optional Redis (redis://host:6379/0) shared by every web process for such counts; empty keeps them in
    # each process's memory (then N processes allow N times the limit).
    redis_url: str = ""
    default_language: Language = "vi"
    log_level: str = "INFO"
    log_json: bool = True
    # Observability (docs/observability.md): GET /metrics in Prometheus's format, and the bearer token a scraper
    # must send for it (empty: no token asked; then keep /metrics off the public proxy). OpenTelemetry traces
    # are exported (OTLP, to OTEL_EXPORTER_OTLP_ENDPOINT) when otel_enabled and the `otel` extra is installed.
    metrics_enabled: bool = True
    metrics_token: str = ""
    otel_enabled: bool = False
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
    # Offline sync: operations one /api/v1/sync request may carry, and changes one response pulls at most.
    sync_max_operations: int = 1000
    sync_pull_limit: int = 500
    # Durable jobs (docs/notify.md). "auto": the web processes of `mattran serve` also run the job worker when
    # the database is the embedded one, so one command does everything; with DATABASE_URL run `mattran worker`.
    worker_in_process: Literal["auto", "on", "off"] = "auto"
    worker_concurrency: int = 4
    # Port where `mattran worker` serves its own Prometheus metrics (push deliveries); 0: none.
    worker_metrics_port: int = 0
    # Web Push. The VAPID contact (RFC 8292 `sub`) push services write to about problems; empty means
    # webmaster@<host of public_url>. Set a real mailbox in production: Apple refuses localhost/.invalid.
    push_contact_email: str = ""
    # Hosts a subscription's endpoint may point at (the browser chooses it: SSRF). "*" switches the list
    # off and push_allow_http admits http:// endpoints; both exist for local test stubs, refused in production.
    push_service_hosts: str = PUSH_SERVICE_HOSTS
    push_allow_http: bool = False
    # A claimed delivery belongs to one worker this long; after a crash another one takes it over then.
    push_lease_seconds: int = 120
    push_max_attempts: int = 8
    # First wait after a failed delivery the push service gave no Retry-After for; it doubles each time.
    push_retry_base_seconds: int = 30
    # Deliveries one worker has in flight at once (each also takes a database connection to record its outcome;
    # the throughput benchmark found more than 8 no faster over one client).
    push_concurrency: int = 8
    # Fernet keys (comma-separated; the first seals, any opens) sealing the private keys kept in the database
    # (token signing, VAPID): see backend/lib/sealing.py. Empty stores them plain; refused in production.
    key_encryption_keys: str = ""
    # Registry: the circumstance codes a household may carry (comma-separated; labels in backend/lib/i18n.py).
    registry_circumstances: str = REGISTRY_CIRCUMSTANCES
    # Secret mixed into the hash of ID numbers (exact search without reading them). Changing it orphans every
    # stored hash; the development default is refused in production.
    registry_id_pepper: str = DEVELOPMENT_ID_PEPPER
    # Largest spreadsheet (CSV or XLSX) a registry import accepts; keep it below max_body_bytes.
    registry_import_max_bytes: int = 8 * 1024 * 1024
    # An import still `loading` with no progress for this long was left by a crashed process: it is reset.
    registry_import_lease_seconds: int = 15 * 60
    # Uploaded files of imports never confirmed (or failed) are removed after this long.
    registry_import_retention_hours: int = 72
    # Unit reports: a week's report is due this many hours after the week ends (Sunday midnight, Vietnam time);
    # the officers of a unit that has not submitted it are reminded this many hours before the deadline.
    reports_deadline_hours: int = 12
    reports_reminder_hours: int = 24
    # Petitions: where attachments are stored on disk (empty: <data_dir>/petitions), the largest one accepted,
    # the public copy's longest side, public holidays that do not count as working days (YYYY-MM-DD, comma-
    # separated), how long after an answer the citizen may reopen, how long past a deadline before escalation,
    # and failed tracking-code lookups per client before lookups are locked (with a growing wait).
    petitions_storage_dir: str = ""
    petitions_attachment_max_bytes: int = 5 * 1024 * 1024
    petitions_image_max_side: int = 1600
    petitions_holidays: str = ""
    petitions_reopen_days: int = 30
    petitions_escalation_grace_hours: int = 24
    petitions_track_failures: int = 10
    # Open311 GeoReport v2: API keys accepted for writes (comma-separated); a bearer token works as well.
    open311_api_keys: str = ""
    # Library: the largest uploaded document (counted while streaming; keep it below max_body_bytes), and
    # the most a DOCX's parts may expand to (checked from the zip directory before decompressing: zip bombs).
    library_upload_max_bytes: int = 8 * 1024 * 1024
    library_docx_max_uncompressed_bytes: int = 64 * 1024 * 1024
    # Assistant: an OpenAI-compatible chat endpoint (base URL, e.g. http://127.0.0.1:8080/v1; empty: extractive
    # answers only), its model name and key, how long to wait for it, and whether residents' personal data may
    # be sent to it unmasked.
    assistant_model_url: str = ""
    assistant_model_name: str = ""
    assistant_model_api_key: str = ""
    assistant_model_timeout_seconds: float = 30.0
    assistant_model_personal_data: bool = False
    # Streamed answers (POST /api/v1/assistant/ask/stream): the wait for the model's first text, and for all of it.
    assistant_model_first_token_seconds: float = 10.0
    assistant_model_stream_total_seconds: float = 90.0
    # Backup and restore (docs/backup.md): the folder of pg_dump and pg_restore. Empty: the embedded server's own
    # binaries, or those on the PATH with DATABASE_URL (pg_dump must be as new as the server, or newer).
    backup_pg_bin_dir: str = ""

    def __post_init__(self) -> None:
        # msgspec turns a ValueError here into a validation error, so a bad combination stops the process.
        if self.environment == "production" and (self.push_allow_http or self.push_host_patterns is None):
            raise ValueError("push_service_hosts='*' and push_allow_http are for test stubs, not production")
        if self.push_lease_seconds < MIN_PUSH_LEASE_SECONDS:
            raise ValueError(f"push_lease_seconds must be at least {MIN_PUSH_LEASE_SECONDS} (one send's timeout)")
        if min(self.worker_concurrency, self.push_concurrency, self.push_max_attempts) < 1:
            raise ValueError("worker_concurrency, push_concurrency and push_max_attempts must be at least 1")
        if self.db_statement_cache_size < 0:
            raise ValueError("db_statement_cache_size must be 0 (no prepared statements kept) or more")
        if self.push_retry_base_seconds < 1:
            raise ValueError("push_retry_base_seconds must be at least 1")
        if self.environment == "production" and not self.key_encryption_keys:
            raise ValueError("set MATTRAN_KEY_ENCRYPTION_KEYS in production (`mattran keys new-kek` makes one)")
        if self.environment == "production" and self.registry_id_pepper == DEVELOPMENT_ID_PEPPER:
            raise ValueError("set MATTRAN_REGISTRY_ID_PEPPER to a long random secret in production")
        if not self.registry_circumstance_codes:
            raise ValueError("registry_circumstances must list at least one code")

    @property
    def sealer(self) -> Sealer:
        """Seals and opens the private keys kept in the database (key_encryption_keys)."""
        return Sealer(self.key_encryption_keys)

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

    @property
    def petitions_storage_path(self) -> Path:
        """Where petition attachments are stored (the petition service writes, backups read and restore)."""
        return Path(self.petitions_storage_dir or Path(self.data_dir) / "petitions")

    @property
    def registry_circumstance_codes(self) -> frozenset[str]:
        return frozenset(code.strip() for code in self.registry_circumstances.split(",") if code.strip())

    @property
    def runs_worker_in_process(self) -> bool:
        return self.worker_in_process == "on" or (self.worker_in_process == "auto" and self.uses_embedded_database)

    @property
    def push_host_patterns(self) -> tuple[str, ...] | None:
        """The allow-list of push-service hosts, or None when it is switched off ("*")."""
        if self.push_service_hosts.strip() == "*":
            return None
        return tuple(host.strip().lower() for host in self.push_service_hosts.split(",") if host.strip())

    @property
    def push_subscriber(self) -> str:
        return self.push_contact_email or f"webmaster@{urlsplit(self.public_url).hostname or 'localhost'}"


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
