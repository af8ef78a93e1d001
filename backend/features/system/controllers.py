"""GET /health, for load balancers and operators."""

from __future__ import annotations

from litestar import Response, get
from litestar.openapi.datastructures import ResponseSpec

from backend import db
from backend.version import VERSION
from schemas.system import Health


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
