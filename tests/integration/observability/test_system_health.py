"""The platform's health for central administrators: GET /api/v1/system/health and the /system page
(database, migrations, job queue, failed jobs, VAPID key, disk, version); 404 for other staff."""

from __future__ import annotations

import html

import httpx
import pytest
from observability_helpers import web_sign_in

from backend import db
from backend.features.jobs.app import opened
from backend.features.jobs.kicks import kick
from backend.features.notify.jobs import deliver_pending
from backend.features.system.service import known_migrations
from backend.lib.clock import FrozenClock
from backend.settings import Settings
from backend.version import VERSION
from support.identity import access_token_for, bearer, make_account

pytestmark = pytest.mark.integration

HEALTH = "/api/v1/system/health"


@pytest.fixture
async def staff(client: httpx.AsyncClient, settings: Settings, clock: FrozenClock) -> dict[str, dict[str, str]]:
    await make_account(settings, clock, "quan.tri", "central_admin", "TW")
    await make_account(settings, clock, "tinh", "province_officer", "01")
    return {
        "admin": bearer(await access_token_for(client, "quan.tri")),
        "province": bearer(await access_token_for(client, "tinh")),
    }


async def test_admins_see_the_figures(
    client: httpx.AsyncClient, staff: dict[str, dict[str, str]], database: str, settings: Settings
) -> None:
    async with opened(database, settings):
        assert await kick(deliver_pending)
    async with db.connection() as conn:
        # One job failed (as procrastinate records it), and one migration the database has not run.
        await conn.execute("UPDATE procrastinate_jobs SET status = 'failed'")
        await conn.execute(
            "INSERT INTO procrastinate_events (job_id, type) SELECT id, 'failed' FROM procrastinate_jobs"
        )
        forgotten = await conn.fetchrow(
            "DELETE FROM migration WHERE id = (SELECT max(id) FROM migration WHERE app_name = 'audit') RETURNING name"
        )

    response = await client.get(HEALTH, headers=staff["admin"])

    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    health = response.json()
    assert health["database_ok"] is True and health["database_latency_ms"] >= 0
    assert health["migrations_pending"] == [f"audit:{forgotten['name']}"]
    assert health["migrations_applied"] == len(known_migrations()) - 1
    assert [(c["status"], c["jobs"]) for c in health["job_counts"]] == [("failed", 1)]
    assert health["job_ages"] == []  # nothing is waiting
    assert health["jobs_failed_last_day"] == 1
    assert health["push_last_hour"] == {}
    assert health["vapid_key_age_days"] is not None and health["vapid_key_age_days"] >= 0
    assert 0 < health["data_dir_free_bytes"] <= health["data_dir_total_bytes"]
    assert health["version"] == VERSION


async def test_other_staff_get_404_and_strangers_401(
    client: httpx.AsyncClient, staff: dict[str, dict[str, str]]
) -> None:
    refused = await client.get(HEALTH, headers=staff["province"])
    assert refused.status_code == 404
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert (await client.get(HEALTH)).status_code == 401


async def test_the_page_renders_for_an_admin_only(
    client: httpx.AsyncClient, settings: Settings, clock: FrozenClock
) -> None:
    anonymous = await client.get("/system")
    assert anonymous.status_code == 200
    assert "/auth/login?next=/system" in anonymous.text and "Kết nối được" not in html.unescape(anonymous.text)

    await make_account(settings, clock, "xa", "commune_officer", "00070")
    await web_sign_in(client, "xa")
    assert (await client.get("/system")).status_code == 404
    assert 'href="/system"' not in (await client.get("/")).text  # no card leading to a 404
    client.cookies.clear()

    await make_account(settings, clock, "quan.tri", "central_admin", "TW")
    await web_sign_in(client, "quan.tri")
    assert 'href="/system"' in (await client.get("/")).text  # the home page's card for admins
    page = await client.get("/system")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "Tình trạng hệ thống" in text and "Kết nối được" in text and "0 chưa chạy" in text
    assert f"<td>{VERSION}</td>" in text
    english = html.unescape((await client.get("/system", headers={"Accept-Language": "en"})).text)
    assert "System health" in english and "Reachable" in english and "0 pending" in english
