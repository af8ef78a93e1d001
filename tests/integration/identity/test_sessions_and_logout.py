"""The web app's cookie session (backend-for-frontend), sessions of a user, logout, back-channel logout,
and signing-key rotation."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from httpx import AsyncClient
from jose import jwt as jose_jwt

from backend.features.identity import keys
from backend.features.identity.backchannel import BackchannelSender
from backend.features.identity.clients import Client
from backend.lib.clock import FrozenClock
from backend.settings import Settings
from support.identity import (
    PASSWORD,
    REDIRECT_URI,
    authorization_code,
    bearer,
    make_account,
    make_client,
    read_form,
    tokens_for,
)
from support.servers import Recorder, serving

pytestmark = pytest.mark.integration


def authorize_params(app_client: Client) -> dict[str, str]:
    return {
        "client_id": app_client.client_id,
        "response_type": "code",
        "scope": "openid",
        "redirect_uri": REDIRECT_URI,
    }


async def web_sign_in(http: AsyncClient, username: str, next_path: str = "/") -> None:
    """What a browser does: /auth/login -> provider's form -> callback -> app session cookie."""
    start = await http.get("/auth/login", params={"next": next_path})
    page = await http.get(start.headers["location"])
    form = read_form(page.text)
    signed_in = await http.post(form.action or "", data=form.fields | {"username": username, "password": PASSWORD})
    callback = urlsplit(signed_in.headers["location"])
    assert callback.path == "/auth/callback"
    landed = await http.get(f"{callback.path}?{callback.query}")
    assert landed.status_code in (302, 303) and landed.headers["location"] == next_path


@pytest.fixture
async def officer(client: AsyncClient, settings: Settings, clock: FrozenClock) -> str:
    await make_account(settings, clock, "officer", "commune_officer", "00070")
    return "officer"


async def test_web_session_uses_only_httponly_cookies(client: AsyncClient, officer: str) -> None:
    await web_sign_in(client, officer, "/petitions?tab=mine")
    session = next(c for c in client.cookies.jar if c.name == "__Host-mattran_session")
    assert session.secure and session.path == "/" and session.has_nonstandard_attr("HttpOnly")
    me = await client.get("/api/v1/me")
    assert me.status_code == 200 and me.json()["username"] == "officer"


async def test_open_redirects_are_refused(client: AsyncClient) -> None:
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        start = await client.get("/auth/login", params={"next": target})
        assert start.status_code in (302, 303)
        pending = next(c for c in client.cookies.jar if c.name == "__Host-mattran_auth")
        assert "evil" not in pending.value


async def test_unsafe_requests_with_the_cookie_need_the_csrf_token(client: AsyncClient, officer: str) -> None:
    await web_sign_in(client, officer)
    body = {"name": "Tổ dân phố số 9", "kind": "to_dan_pho"}
    refused = await client.post("/api/v1/units/00070/areas", json=body)
    assert refused.status_code == 403 and refused.json()["type"] == "urn:mattran:problem:csrf-failed"
    wrong = await client.post("/api/v1/units/00070/areas", json=body, headers={"X-CSRF-Token": "guess"})
    assert wrong.status_code == 403
    csrf = client.cookies.get("__Host-mattran_csrf")
    accepted = await client.post("/api/v1/units/00070/areas", json=body, headers={"X-CSRF-Token": csrf})
    assert accepted.status_code == 201


async def test_forged_callback_state_is_refused(client: AsyncClient, officer: str) -> None:
    await client.get("/auth/login")
    response = await client.get("/auth/callback", params={"code": "x", "state": "forged", "iss": "https://testserver"})
    assert response.headers["location"] == "/auth/login"
    assert (await client.get("/api/v1/me")).status_code == 401


async def test_logout_ends_app_and_provider_sessions(client: AsyncClient, officer: str) -> None:
    await web_sign_in(client, officer)
    csrf = client.cookies.get("__Host-mattran_csrf")
    response = await client.post("/auth/logout", headers={"X-CSRF-Token": csrf})
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert response.headers["clear-site-data"] == '"cache", "cookies", "storage"'
    assert (await client.get("/api/v1/me")).status_code == 401
    # Signed out at the provider too: the next authorization asks for a password again.
    again = await client.get("/auth/login")
    assert 'name="password"' in (await client.get(again.headers["location"])).text


async def test_logout_without_an_id_token_asks_first(client: AsyncClient, officer: str) -> None:
    app_client, _ = await make_client()
    await authorization_code(client, app_client.client_id, officer)
    params = {
        "client_id": app_client.client_id,
        "post_logout_redirect_uri": "https://app.example.vn/bye",
        "state": "a b&c",
    }
    page = await client.get("/oauth/logout", params=params)
    assert page.status_code == 200 and 'action="/oauth/logout"' in page.text
    form = read_form(page.text)
    done = await client.post("/oauth/logout", data=form.fields)
    assert done.headers["location"] == "https://app.example.vn/bye?state=a+b%26c"
    assert 'name="password"' in (await client.get(f"/oauth/authorize?{urlencode(authorize_params(app_client))}")).text


async def test_sessions_can_be_listed_and_ended(client: AsyncClient, officer: str) -> None:
    await web_sign_in(client, officer)
    sessions = (await client.get("/api/v1/me/sessions")).json()
    assert {s["kind"] for s in sessions} == {"op", "app"}
    current = next(s for s in sessions if s["current"])
    other = next(s for s in sessions if not s["current"])
    csrf = {"X-CSRF-Token": client.cookies.get("__Host-mattran_csrf")}
    assert (await client.delete(f"/api/v1/me/sessions/{other['id']}", headers=csrf)).status_code == 204
    assert (await client.delete(f"/api/v1/me/sessions/{'0' * 64}", headers=csrf)).status_code == 404
    assert [s["id"] for s in (await client.get("/api/v1/me/sessions")).json()] == [current["id"]]


async def test_password_change_ends_every_session(client: AsyncClient, officer: str) -> None:
    app_client, secret = await make_client()
    tokens = await tokens_for(client, app_client.client_id, secret, officer)
    client.cookies.clear()
    await web_sign_in(client, officer)
    csrf = {"X-CSRF-Token": client.cookies.get("__Host-mattran_csrf")}
    wrong = await client.post(
        "/api/v1/me/password", json={"current_password": "nope", "new_password": "x" * 12}, headers=csrf
    )
    assert wrong.status_code == 400
    changed = await client.post(
        "/api/v1/me/password", headers=csrf, json={"current_password": PASSWORD, "new_password": "mat-khau-moi-2026"}
    )
    assert changed.status_code == 204
    assert (await client.get("/api/v1/me")).status_code == 401
    assert (await client.get("/api/v1/me", headers=bearer(tokens["access_token"]))).status_code == 401
    refresh = await client.post(
        "/oauth/token",
        data={
            "grant_type": "refresh_token",
            "client_id": app_client.client_id,
            "client_secret": secret,
            "refresh_token": tokens["refresh_token"],
        },
    )
    assert refresh.status_code == 400


async def test_rp_initiated_logout_with_backchannel_notice(
    client: AsyncClient, officer: str, settings: Settings, clock: FrozenClock
) -> None:
    recorder = Recorder()
    async with serving(recorder) as receiver:
        app_client, secret = await make_client(backchannel_logout_uri=f"{receiver.origin}/backchannel")
        tokens = await tokens_for(client, app_client.client_id, secret, officer)
        bad_target = await client.get(
            "/oauth/logout",
            params={"id_token_hint": tokens["id_token"], "post_logout_redirect_uri": "https://evil.example/"},
        )
        assert bad_target.status_code == 400
        response = await client.get(
            "/oauth/logout",
            params={
                "id_token_hint": tokens["id_token"],
                "post_logout_redirect_uri": "https://app.example.vn/bye",
                "state": "s1",
            },
        )
        assert response.headers["location"] == "https://app.example.vn/bye?state=s1"
        assert recorder.requests == []  # sent by a job, after commit
        async with httpx.AsyncClient() as http:
            assert await BackchannelSender(settings, clock, http).drain() == 1
    [(path, _headers, body)] = recorder.requests
    logout_token = parse_qs(body.decode())["logout_token"][0]
    header = jose_jwt.get_unverified_header(logout_token)
    claims = jose_jwt.get_unverified_claims(logout_token)
    assert path == "/backchannel" and header["typ"] == "logout+jwt"
    assert claims["aud"] == app_client.client_id and claims["iss"] == settings.issuer
    assert "http://schemas.openid.net/event/backchannel-logout" in claims["events"] and "nonce" not in claims
    id_claims = jose_jwt.get_unverified_claims(tokens["id_token"])
    assert claims["sid"] == id_claims["sid"] and claims["sub"] == id_claims["sub"]
    assert (await client.get("/api/v1/me", headers=bearer(tokens["access_token"]))).status_code == 401


async def test_key_rotation_keeps_old_tokens_valid_until_they_expire(
    client: AsyncClient, officer: str, clock: FrozenClock, settings: Settings
) -> None:
    app_client, secret = await make_client()

    async def access_token() -> str:
        tokens = await tokens_for(client, app_client.client_id, secret, officer)
        client.cookies.clear()
        return str(tokens["access_token"])

    before = await access_token()
    old_kid = jose_jwt.get_unverified_header(before)["kid"]
    published_before = {k["kid"] for k in (await client.get("/oauth/jwks")).json()["keys"]}
    result = await keys.rotate(clock.now(), settings.access_token_seconds, settings.sealer)
    assert result["active"] in published_before  # the promoted key was published before it signed anything
    after = await access_token()
    assert jose_jwt.get_unverified_header(after)["kid"] == result["active"] != old_kid
    assert old_kid in {k["kid"] for k in (await client.get("/oauth/jwks")).json()["keys"]}
    assert (await client.get("/api/v1/me", headers=bearer(before))).status_code == 200
    clock.advance(timedelta(seconds=settings.access_token_seconds + 60))
    await keys.rotate(clock.now(), settings.access_token_seconds, settings.sealer)
    clock.advance(timedelta(seconds=settings.access_token_seconds + 60))
    purged = await keys.rotate(clock.now(), settings.access_token_seconds, settings.sealer)
    assert purged["purged"] >= 1
    assert old_kid not in {k["kid"] for k in (await client.get("/oauth/jwks")).json()["keys"]}
