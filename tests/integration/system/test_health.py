from __future__ import annotations

from urllib.parse import urlsplit

import asyncpg
import pytest
from httpx import AsyncClient

pytestmark = pytest.mark.integration


async def test_health_ok(client: AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == "ok"
    assert response.headers["cache-control"] == "no-store"


async def test_health_is_503_when_the_database_is_unreachable(
    client: AsyncClient, database: str, server_dsn: str
) -> None:
    name = urlsplit(database).path.lstrip("/")
    admin = await asyncpg.connect(server_dsn)
    try:
        # Refuse new connections and cut the existing ones: the pool cannot reach the database.
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        await admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name)
        response = await client.get("/health")
        assert response.status_code == 503
        assert response.json() == {**response.json(), "status": "degraded", "database": "unreachable"}
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        assert (await client.get("/health")).status_code == 200
    finally:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        await admin.close()
