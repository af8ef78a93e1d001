"""Signing in through an upstream provider (VNeID-ready), against a fake provider on a real port."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import httpx
import pytest

from backend import db
from backend.app import create_app
from backend.lib.clock import SystemClock
from support.config import settings_for
from support.fake_upstream import FakeUpstream
from support.identity import AuthorizationResult, authorize_url, make_client, pkce_pair
from support.servers import LocalServer, app_running, free_port

pytestmark = pytest.mark.integration


@pytest.fixture
async def upstream_and_client(database: str) -> AsyncIterator[tuple[FakeUpstream, httpx.AsyncClient]]:
    port = free_port()
    fake = FakeUpstream(issuer=f"http://127.0.0.1:{port}")
    providers = [
        {
            "id": "vneid",
            "name": "VNeID",
            "issuer": fake.issuer,
            "client_id": fake.client_id,
            "client_secret": fake.client_secret,
        }
    ]
    server = LocalServer(fake.app(), port=port)
    await server.start()
    # Real time: the fake provider stamps its tokens with the system clock.
    app = create_app(settings_for(database, upstream_providers=json.dumps(providers)), SystemClock())
    try:
        async with (
            app_running(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://testserver") as client,
        ):
            yield fake, client
    finally:
        await server.stop()


async def through_upstream(client: httpx.AsyncClient, client_id: str) -> httpx.Response:
    """Browser steps: our sign-in page -> "sign in with VNeID" -> provider -> back to us."""
    _, challenge = pkce_pair()
    page = await client.get(authorize_url(client_id, challenge))
    assert "Đăng nhập bằng VNeID" in page.text
    link = page.text.split('href="')[1].split('"')[0].replace("&amp;", "&")
    leaving = await client.get(link)
    async with httpx.AsyncClient() as browser_elsewhere:
        at_provider = await browser_elsewhere.get(leaving.headers["location"])
    back = urlsplit(at_provider.headers["location"])
    return await client.get(f"{back.path}?{back.query}")


async def test_first_upstream_sign_in_creates_a_linked_citizen_and_continues(
    upstream_and_client: tuple[FakeUpstream, httpx.AsyncClient],
) -> None:
    fake, client = upstream_and_client
    app_client, _ = await make_client()
    answer = await through_upstream(client, app_client.client_id)
    assert "code" in AuthorizationResult(answer.headers["location"]).params
    async with db.connection() as conn:
        link = await conn.fetchrow("SELECT * FROM upstream_links WHERE subject = $1", fake.subject)
        account = await conn.fetchrow("SELECT display_name FROM accounts WHERE id = $1", link["account"])
        roles = await conn.fetch("SELECT role FROM role_assignments WHERE account = $1", link["account"])
    assert link["issuer"] == fake.issuer and account["display_name"] == "Nguyễn Thị Vân"
    assert [r["role"] for r in roles] == ["citizen"]
    client.cookies.clear()
    await through_upstream(client, app_client.client_id)
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM upstream_links") == 1  # linked by sub, once


@pytest.mark.parametrize(
    "misbehaviour",
    [{"iss_in_response": "http://127.0.0.1:1"}, {"audience": "someone-else"}, {"nonce": "replayed"}],
)
async def test_untrustworthy_upstream_answers_are_refused(
    upstream_and_client: tuple[FakeUpstream, httpx.AsyncClient], misbehaviour: dict[str, str]
) -> None:
    fake, client = upstream_and_client
    for name, value in misbehaviour.items():
        setattr(fake, name, value)
    app_client, _ = await make_client()
    answer = await through_upstream(client, app_client.client_id)
    assert answer.status_code == 400 and "location" not in answer.headers
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM upstream_links") == 0
        assert await conn.fetchval("SELECT count(*) FROM audit_log WHERE action = 'login.failed'") == 1


async def test_forged_upstream_callback_is_refused(upstream_and_client: tuple[FakeUpstream, httpx.AsyncClient]) -> None:
    _, client = upstream_and_client
    response = await client.get("/oauth/upstream/vneid/callback", params={"code": "x", "state": "forged"})
    assert response.status_code == 400
