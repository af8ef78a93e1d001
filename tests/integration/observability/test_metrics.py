"""GET /metrics: request latency by route template (never the raw path), the job queue read at scrape time,
sign-in failures and sync conflicts counted where they are recorded, and the scraper's token."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from observability_helpers import samples, scrape, value

from backend import db
from backend.app import create_app
from backend.features.identity.service import AccountService, Caller, SignInFailed
from backend.features.jobs.app import opened
from backend.features.jobs.kicks import kick
from backend.features.notify.jobs import deliver_pending
from backend.lib.clock import FrozenClock
from backend.settings import Settings
from support.config import settings_for
from support.identity import PASSWORD, access_token_for, bearer, make_account
from support.servers import app_running

pytestmark = pytest.mark.integration

LATENCY = "mattran_http_request_duration_seconds_count"
UNIT_ROUTE = "/api/v1/units/{code}"


@pytest.fixture
async def token_client(database: str, clock: FrozenClock) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings_for(database, metrics_token="s3cret-scraper-token"), clock)
    async with (
        app_running(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://t") as http,
    ):
        yield http


async def test_latency_is_labelled_by_route_template_and_status_class(client: httpx.AsyncClient) -> None:
    before = await scrape(client)
    for code in ("00070", "00073", "00070"):
        assert (await client.get(f"/api/v1/units/{code}")).status_code == 200
    assert (await client.get("/api/v1/units/99999")).status_code == 404
    assert (await client.get(f"/no/such/route/{uuid.uuid4()}")).status_code == 404
    after = await scrape(client)

    def grew(route: str, status: str) -> float:
        labels = {"method": "GET", "route": route, "status": status}
        return value(after, LATENCY, **labels) - value(before, LATENCY, **labels)

    assert grew(UNIT_ROUTE, "2xx") == 3
    assert grew(UNIT_ROUTE, "4xx") == 1
    assert grew("unmatched", "4xx") == 1
    routes = {dict(labels).get("route", "") for _, labels in samples(after)}
    assert not any("00070" in route or "/no/such" in route for route in routes)
    # The histogram has its buckets, so quantiles can be computed from it.
    bucket = {"method": "GET", "route": UNIT_ROUTE, "status": "2xx", "le": "+Inf"}
    assert value(after, "mattran_http_request_duration_seconds_bucket", **bucket) >= 3


async def test_sign_in_failures_are_counted_by_reason(
    client: httpx.AsyncClient, settings: Settings, clock: FrozenClock
) -> None:
    await make_account(settings, clock, "can.bo", "commune_officer", "00070")
    accounts = AccountService(settings, clock)
    before = await scrape(client)
    for username, password in (("can.bo", "sai-mat-khau"), ("khong.ai", PASSWORD), ("can.bo", "sai-nua")):
        with pytest.raises(SignInFailed):
            await accounts.authenticate(username, password, Caller(ip="127.0.0.1"))
    await accounts.authenticate("can.bo", PASSWORD, Caller(ip="127.0.0.2"))  # a success is no failure
    after = await scrape(client)

    def grew(reason: str) -> float:
        return value(after, "mattran_login_failures_total", reason=reason) - value(
            before, "mattran_login_failures_total", reason=reason
        )

    assert (grew("bad_credentials"), grew("unknown_user"), grew("locked")) == (2, 1, 0)


async def test_sync_conflicts_are_counted_by_entity_once(
    client: httpx.AsyncClient, settings: Settings, clock: FrozenClock
) -> None:
    await make_account(settings, clock, "officer", "commune_officer", "00070")
    who = bearer(await access_token_for(client, "officer"))
    draft_id = str(uuid.uuid4())

    def op(action: str, fields: dict[str, str], base_version: int | None = None) -> dict[str, object]:
        extra = {} if base_version is None else {"base_version": base_version}
        return {"op_id": str(uuid.uuid4()), "entity": "draft", "action": action, "entity_id": draft_id,
                "fields": fields, "at": "2026-03-02T09:15:00+07:00", **extra}  # fmt: skip

    async def push(*operations: dict[str, object]) -> list[str]:
        body = {"device_id": "phone", "operations": list(operations), "pull": False}
        response = await client.post("/api/v1/sync", json=body, headers=who)
        assert response.status_code == 200, response.text
        return [result["status"] for result in response.json()["results"]]

    await push(op("create", {"unit_code": "00070", "kind": "note", "title": "Gốc", "body": ""}))
    await push(op("update", {"title": "Sửa lần một"}, base_version=1))
    before = await scrape(client)
    late = op("update", {"title": "Sửa từ máy khác"}, base_version=1)
    assert await push(late) == ["conflict"]
    assert await push(late) == ["duplicate"]  # a replayed operation is not a second conflict
    after = await scrape(client)

    grew = value(after, "mattran_sync_conflicts_total", entity="draft") - value(
        before, "mattran_sync_conflicts_total", entity="draft"
    )
    assert grew == 1


async def test_job_queue_depth_and_age_are_read_at_scrape_time(
    client: httpx.AsyncClient, database: str, settings: Settings
) -> None:
    empty = await scrape(client)
    assert value(empty, "mattran_database_up") == 1
    assert value(empty, "mattran_jobs", queue="default", status="todo") == 0

    async with opened(database, settings):
        assert await kick(deliver_pending)
    async with db.connection() as conn:
        # Deferred 90 seconds ago and still waiting.
        await conn.execute("UPDATE procrastinate_events SET at = now() - interval '90 seconds' WHERE type = 'deferred'")
        queue = await conn.fetchval("SELECT queue_name FROM procrastinate_jobs")
    queued = await scrape(client)

    assert value(queued, "mattran_jobs", queue=queue, status="todo") == 1
    assert 90 <= value(queued, "mattran_jobs_oldest_due_seconds", queue=queue) < 150


async def test_the_scraper_token_is_required_when_set(token_client: httpx.AsyncClient) -> None:
    assert (await token_client.get("/metrics")).status_code == 401
    wrong = await token_client.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
    assert wrong.status_code == 401
    assert wrong.headers["content-type"].startswith("application/problem+json")
    text = await scrape(token_client, "s3cret-scraper-token")
    assert "mattran_http_request_duration_seconds" in text


async def test_metrics_switched_off_answer_404(database: str, clock: FrozenClock) -> None:
    app = create_app(settings_for(database, metrics_enabled=False), clock)
    async with (
        app_running(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://t") as http,
    ):
        assert (await http.get("/metrics")).status_code == 404
