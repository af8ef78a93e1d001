from datetime import datetime

import msgspec


class Health(msgspec.Struct, kw_only=True):
    # "ok", or "degraded" when the database cannot be reached (answered with 503)
    status: str
    database: str
    version: str


class QueueCount(msgspec.Struct, kw_only=True):
    queue: str
    status: str  # procrastinate's job status: todo, doing, succeeded, failed, cancelled, aborted
    jobs: int


class QueueAge(msgspec.Struct, kw_only=True):
    queue: str
    # How long the longest-waiting job that is due has been waiting.
    oldest_todo_seconds: float


class SystemHealth(msgspec.Struct, kw_only=True):
    """What an operator checks first (GET /api/v1/system/health, and the /system page)."""

    checked_at: datetime
    version: str
    database_ok: bool
    database_latency_ms: float | None
    migrations_applied: int
    # Migrations the code carries that the database has not run ("app:id").
    migrations_pending: list[str]
    job_counts: list[QueueCount]
    job_ages: list[QueueAge]
    jobs_failed_last_day: int
    # Push attempts of the last hour by outcome (delivered, gone, retry, config_error).
    push_last_hour: dict[str, int]
    vapid_key_age_days: float | None
    data_dir_free_bytes: int
    data_dir_total_bytes: int
