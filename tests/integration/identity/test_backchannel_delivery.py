"""Back-channel logout notices: queued with the sign-out, sent once after commit, retried while the
client is down, given up when the client refuses, and woken by the job queue."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs

import httpx
import pytest
from httpx import AsyncClient
from jose import jwt as jose_jwt

from backend import db
from backend.features.identity.backchannel import MAX_ATTEMPTS, BackchannelSender, retry_wait
from backend.features.identity.jobs import KICKS
from backend.features.identity.repo import LOGOUT_NOTICES_CHANNEL
from backend.lib.clock import FrozenClock
from backend.settings import Settings
from support.identity import make_account, make_client, tokens_for
from support.servers import Recorder, serving

pytestmark = pytest.mark.integration


async def sign_out_with_notice(client: AsyncClient, settings: Settings, clock: FrozenClock, origin: str) -> str:
    """An officer signs in to a client that wants back-channel logout, then signs out; returns the sid."""
    await make_account(settings, clock, "officer", "commune_officer", "00070")
    app_client, secret = await make_client(backchannel_logout_uri=f"{origin}/backchannel")
    tokens = await tokens_for(client, app_client.client_id, secret, "officer")
    response = await client.get("/oauth/logout", params={"id_token_hint": tokens["id_token"]})
    assert response.status_code == 200
    sid: str = jose_jwt.get_unverified_claims(tokens["id_token"])["sid"]
    return sid


async def notice_row() -> dict[str, object]:
    async with db.connection() as conn:
        row = await conn.fetchrow("SELECT * FROM oidc_logout_notices")
    assert row is not None
    return dict(row)


async def drain(settings: Settings, clock: FrozenClock) -> int:
    async with httpx.AsyncClient() as http:
        return await BackchannelSender(settings, clock, http).drain()


async def test_notice_is_queued_with_the_sign_out_and_sent_once(
    client: AsyncClient, settings: Settings, clock: FrozenClock
) -> None:
    recorder = Recorder()
    async with serving(recorder) as receiver:
        sid = await sign_out_with_notice(client, settings, clock, receiver.origin)
        queued = await notice_row()
        assert queued["sid"] == sid and queued["sent_at"] is None
        assert await drain(settings, clock) == 1
        clock.advance(timedelta(hours=1))
        assert await drain(settings, clock) == 0
    [(_, _, body)] = recorder.requests
    claims = jose_jwt.get_unverified_claims(parse_qs(body.decode())["logout_token"][0])
    assert claims["jti"] == queued["id"].hex  # type: ignore[attr-defined]
    assert claims["iat"] == int(clock.now().timestamp() - 3600)
    assert (await notice_row())["sent_at"] == clock.now() - timedelta(hours=1)


async def test_a_client_that_is_down_gets_the_notice_later(
    client: AsyncClient, settings: Settings, clock: FrozenClock
) -> None:
    recorder = Recorder(statuses=[503, 503])
    async with serving(recorder) as receiver:
        await sign_out_with_notice(client, settings, clock, receiver.origin)
        assert await drain(settings, clock) == 0
        failed = await notice_row()
        assert failed["last_error"] == "HTTP 503" and failed["due_at"] == clock.now() + retry_wait(1)
        assert await drain(settings, clock) == 0  # not due yet: nothing is sent
        clock.advance(retry_wait(1))
        assert await drain(settings, clock) == 0
        clock.advance(retry_wait(2))
        assert await drain(settings, clock) == 1
    assert len(recorder.requests) == 3
    delivered = await notice_row()
    assert delivered["attempts"] == 3 and delivered["sent_at"] == clock.now()


async def test_a_refusing_or_vanished_client_is_given_up(
    client: AsyncClient, settings: Settings, clock: FrozenClock
) -> None:
    recorder = Recorder(statuses=[400])
    async with serving(recorder) as receiver:
        await sign_out_with_notice(client, settings, clock, receiver.origin)
        await drain(settings, clock)
    refused = await notice_row()
    assert refused["given_up_at"] == clock.now() and refused["last_error"] == "HTTP 400"
    assert len(recorder.requests) == 1
    async with db.connection() as conn:
        # A client that stays unreachable: after MAX_ATTEMPTS tries, no more.
        await conn.execute(
            "UPDATE oidc_logout_notices SET given_up_at = NULL, due_at = $2, attempts = $1,"
            " uri = 'http://127.0.0.1:9/gone'",
            MAX_ATTEMPTS - 1,
            clock.now(),
        )
    await drain(settings, clock)
    gone = await notice_row()
    assert gone["given_up_at"] == clock.now() and gone["attempts"] == MAX_ATTEMPTS
    assert "ConnectError" in str(gone["last_error"])


def test_a_committed_sign_out_wakes_the_sender() -> None:
    assert KICKS[LOGOUT_NOTICES_CHANNEL].name == "identity:send_logouts"
