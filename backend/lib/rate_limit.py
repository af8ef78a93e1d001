"""A limit on writes by callers who are not signed in (OWASP ASVS V11.1.4: anti-automation).

Citizens file petitions, attach photos and rate answers without an account; nothing else stops a script from
filing thousands. Signed-in callers are not counted here: they are accountable, and a commune office behind
one address must not lock its own staff out. Sign-in and the tracking lookup keep their own, stricter
throttles (identity/throttle.py).

Counts live in Litestar's store: in memory per process by default, shared by every process and machine when
`MATTRAN_REDIS_URL` is set (with N web processes and no Redis, a client may make N times the limit).
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore

from backend.features.identity.auth import resolve_principal
from backend.lib.errors import AppError
from backend.settings import Settings

STORE_NAME = "anonymous_writes"
LIMITED_PREFIXES = ("/api/", "/open311/")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def is_anonymous_write(request: Request[Any, Any, Any]) -> bool:
    if request.method in SAFE_METHODS or not request.url.path.startswith(LIMITED_PREFIXES):
        return False
    try:
        principal = await resolve_principal(request)
    except AppError:
        # A bad token or a missing CSRF header: the route answers that itself, uncounted.
        return False
    return principal is None


def anonymous_write_limit(settings: Settings) -> RateLimitConfig | None:
    if settings.anonymous_writes_per_minute <= 0:
        return None
    return RateLimitConfig(
        rate_limit=("minute", settings.anonymous_writes_per_minute),
        check_throttle_handler=is_anonymous_write,
        store=STORE_NAME,
    )


def rate_limit_store(settings: Settings) -> Store:
    if settings.redis_url:
        # Imported here: Redis is optional and only a deployment with several processes needs it.
        from litestar.stores.redis import RedisStore

        return RedisStore.with_client(url=settings.redis_url, namespace="mattran:ratelimit")
    return MemoryStore()
