"""PostgreSQL restarted while a device's sync batch is being applied, and the database away for a while:
the device sends the same batch again until it gets an answer; every operation is then applied exactly
once, and the app's pool finds the server again by itself (no restart of the app)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
from faults_helpers import eventually

from backend.app import MattranApp, create_app
from backend.features.audit.service import first_broken_entry
from backend.lib.clock import FrozenClock
from backend.settings import Settings
from support.config import settings_for
from support.identity import access_token_for, bearer, make_account
from support.private_postgres import PrivatePostgres
from support.servers import LocalServer, app_running

pytestmark = pytest.mark.integration

COMMUNE = "00070"
CLIENT_TIME = "2026-03-02T09:15:00+07:00"
BATCH = 150  # two chunks of the service's 100 operations: the first commits before the second blocks


def create_op(title: str) -> dict[str, Any]:
    return {
        "op_id": str(uuid.uuid4()),
        "entity": "draft",
        "action": "create",
        "entity_id": str(uuid.uuid4()),
        "fields": {"unit_code": COMMUNE, "kind": "note", "title": title, "body": ""},
        "at": CLIENT_TIME,
    }


def update_op(entity_id: str, base_version: int, title: str) -> dict[str, Any]:
    return {
        "op_id": str(uuid.uuid4()),
        "entity": "draft",
        "action": "update",
        "entity_id": entity_id,
        "base_version": base_version,
        "fields": {"title": title},
        "at": CLIENT_TIME,
    }


@pytest.fixture
def settings(private_dsn: str) -> Settings:
    return settings_for(private_dsn, db_pool_min=2, db_pool_max=4)


@pytest.fixture
async def live(settings: Settings, clock: FrozenClock) -> AsyncIterator[tuple[LocalServer, dict[str, str]]]:
    """The app on a real port against the private server, and an officer's bearer header."""
    app: MattranApp = create_app(settings, clock)
    async with app_running(app):
        username = f"officer.{uuid.uuid4().hex[:6]}"
        await make_account(settings, clock, username, "commune_officer", COMMUNE)
        # Signing in sets __Host- (Secure) cookies, which need https: done in process, the rest over the port.
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://testserver") as web:
            token = await access_token_for(web, username)
        server = LocalServer(app)
        await server.start()
        try:
            yield server, bearer(token)
        finally:
            await server.stop()


async def send_until_answered(
    http: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any], seconds: float = 60
) -> tuple[dict[str, Any], list[str]]:
    """What the device's outbox does: the same batch again (same op_ids) until a 200; the failures seen."""
    failures: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            response = await http.post("/api/v1/sync", json=body, headers=headers)
        except httpx.TransportError as error:
            failures.append(type(error).__name__)
        else:
            if response.status_code == 200:
                return dict(response.json()), failures
            assert response.headers["content-type"].startswith("application/problem+json"), response.text
            assert "asyncpg" not in response.text and "Traceback" not in response.text  # no internals
            failures.append(str(response.status_code))
        await asyncio.sleep(0.2)
    pytest.fail(f"no answer to the batch within {seconds:.0f} s: {failures}")


async def test_a_batch_cut_by_a_restart_is_applied_once_when_sent_again(
    private_pg: PrivatePostgres, live: tuple[LocalServer, dict[str, str]]
) -> None:
    server, headers = live
    async with httpx.AsyncClient(base_url=server.origin, timeout=30) as http:
        first = create_op("Ghi chép trước sự cố")
        answer, _ = await send_until_answered(http, headers, {"device_id": "phone-1", "operations": [first]})
        assert answer["results"][0]["status"] == "applied"  # acknowledged: it must survive what follows

        operations = [create_op(f"Ghi chép {n}") for n in range(100)]
        operations.append(update_op(first["entity_id"], 1, "Ghi chép đã sửa"))
        operations += [create_op(f"Ghi chép {n}") for n in range(100, BATCH - 1)]
        body = {"device_id": "phone-1", "operations": operations}

        # Hold the draft the second chunk edits, so the batch is caught between its two commits.
        admin = await asyncpg.connect(private_pg.dsn)
        holder = admin.transaction()
        await holder.start()
        await admin.execute("SELECT 1 FROM drafts WHERE id = $1 FOR UPDATE", uuid.UUID(first["entity_id"]))
        cut = asyncio.create_task(http.post("/api/v1/sync", json=body, headers=headers))
        blocked = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        await eventually(lambda: _fetchval(admin, blocked), 30, "the batch to wait on the held draft")

        try:
            restart_seconds = await asyncio.to_thread(private_pg.restart)
            try:
                first_try: httpx.Response | Exception = await cut
            except httpx.TransportError as error:
                first_try = error
        finally:
            await admin.close()  # its session ended with the restart; this frees the client side
        answer, failures = await send_until_answered(http, headers, body)

    statuses = [result["status"] for result in answer["results"]]
    # The first chunk had committed before the restart: its replay answers "duplicate" and changes nothing.
    assert statuses == ["duplicate"] * 100 + ["applied"] * (BATCH - 100)
    assert {result["original_status"] for result in answer["results"][:100]} == {"applied"}
    assert isinstance(first_try, Exception) or first_try.status_code >= 500
    op_ids = [uuid.UUID(op["op_id"]) for op in [first, *operations]]
    created = [uuid.UUID(op["entity_id"]) for op in [first, *operations] if op["action"] == "create"]
    check = await asyncpg.connect(private_pg.dsn)
    try:
        logged = await check.fetchrow(
            "SELECT count(*) AS n, count(DISTINCT op_id) AS distinct_ops FROM sync_operations WHERE op_id = ANY($1)",
            op_ids,
        )
        assert (logged["n"], logged["distinct_ops"]) == (BATCH + 1, BATCH + 1)
        assert await check.fetchval("SELECT count(*) FROM drafts WHERE id = ANY($1)", created) == BATCH
        edited = await check.fetchrow("SELECT title, version FROM drafts WHERE id = $1", created[0])
        assert (edited["title"], edited["version"]) == ("Ghi chép đã sửa", 2)  # the edit, once
    finally:
        await check.close()
    assert await first_broken_entry() is None
    print(
        f"\nFAULT sync-restart: pg_ctl restart {restart_seconds:.2f} s; first try "
        f"{first_try if isinstance(first_try, Exception) else first_try.status_code}; "
        f"failed retries before the answer: {len(failures)} {failures}; ops {BATCH + 1}, rows {BATCH}, "
        f"duplicates answered 100"
    )


async def test_the_pool_finds_the_server_again_by_itself(
    private_pg: PrivatePostgres, live: tuple[LocalServer, dict[str, str]]
) -> None:
    server, headers = live
    async with httpx.AsyncClient(base_url=server.origin, timeout=30) as http:
        assert (await http.get("/health")).status_code == 200
        await asyncio.to_thread(private_pg.stop)
        try:
            down = await http.get("/health")
            assert down.status_code == 503 and down.json()["database"] == "unreachable"
            refused = await http.post(
                "/api/v1/sync", json={"device_id": "phone-1", "operations": [create_op("lúc mất")]}, headers=headers
            )
            # Temporary, nothing written: 503 with a wait, which devices retry (never a 500).
            assert refused.status_code == 503, refused.text
            assert refused.headers["content-type"].startswith("application/problem")
            assert int(refused.headers["retry-after"]) > 0
        finally:
            await asyncio.to_thread(private_pg.start)
        started = time.monotonic()
        await eventually(lambda: _status_is(http, "/health", 200), 30, "/health to answer 200 again")
        recovered = time.monotonic() - started
        answer, failures = await send_until_answered(
            http, headers, {"device_id": "phone-1", "operations": [create_op("sau khi khôi phục")]}
        )
    assert answer["results"][0]["status"] == "applied"
    print(
        f"\nFAULT pool-recovery: /health 503 while stopped ({refused.status_code} for a sync), 200 again "
        f"{recovered:.2f} s after the server was up; failed syncs after that: {len(failures)}"
    )


async def _fetchval(conn: asyncpg.Connection, query: str) -> Any:
    return await conn.fetchval(query)


async def _status_is(http: httpx.AsyncClient, path: str, status: int) -> bool:
    return (await http.get(path)).status_code == status
