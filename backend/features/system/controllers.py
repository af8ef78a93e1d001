"""GET /health for load balancers, GET /metrics for Prometheus, GET /api/v1/system/health for admins."""

from __future__ import annotations

import hmac
from typing import Any

from litestar import Request, Response, get
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.openapi.datastructures import ResponseSpec

from backend import db
from backend.features.identity.auth import Unauthorized, require_principal
from backend.features.system.service import SystemService, queue_metric_families
from backend.lib import metrics
from backend.lib.access import Principal
from backend.lib.errors import NotFoundError, problem_responses
from backend.settings import Settings
from backend.version import VERSION
from schemas.system import Health, SystemHealth


@get(
    "/health",
    tags=["system"],
    summary="Liveness and database reachability",
    cache=False,
    responses={
        503: ResponseSpec(data_container=Health, generate_examples=False, description="The database cannot be reached")
    },
)
async def health() -> Response[Health]:
    database_ok = await db.ping()
    return Response(
        Health(
            status="ok" if database_ok else "degraded",
            database="ok" if database_ok else "unreachable",
            version=VERSION,
        ),
        status_code=200 if database_ok else 503,
        headers={"Cache-Control": "no-store"},
    )


def _check_scraper(settings: Settings, authorization: str | None) -> None:
    if not settings.metrics_enabled:
        raise NotFoundError()
    if settings.metrics_token:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            token.strip().encode(), settings.metrics_token.encode()
        ):
            raise Unauthorized("problem.unauthorized.detail")


# Prometheus's text format, not part of the JSON API's contract.
@get("/metrics", include_in_schema=False, cache=False)
async def prometheus_metrics(request: Request[Any, Any, Any]) -> Response[bytes]:
    _check_scraper(request.app.state.settings, request.headers.get("authorization"))
    # The queue figures are read here, awaited, before the (synchronous) exposition is written.
    body = metrics.exposition(await queue_metric_families())
    return Response(body, media_type=metrics.CONTENT_TYPE, headers={"Cache-Control": "no-store"})


def provide_system(state: State) -> SystemService:
    return SystemService(state.settings, state.clock)


@get(
    "/api/v1/system/health",
    tags=["system"],
    summary="The platform's health in detail (central administrators)",
    cache=False,
    dependencies={
        "system": Provide(provide_system, sync_to_thread=False),
        "principal": Provide(require_principal),
    },
    responses=problem_responses(401, 404),
)
async def system_health(
    system: NamedDependency[SystemService], principal: NamedDependency[Principal]
) -> Response[SystemHealth]:
    return Response(await system.health(principal), headers={"Cache-Control": "no-store"})


SYSTEM_ROUTES = [health, prometheus_metrics, system_health]
