"""The provider's flows and the attacks RFC 9700 and the OIDC conformance suite try."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import timedelta

import pytest
from httpx import AsyncClient
from jose import jwt as jose_jwt

from backend.features.identity import keys
from backend.features.identity.oidc import api_audience
from backend.lib.clock import FrozenClock
from backend.settings import Settings
from support.config import TEST_SEALER
from support.identity import (
    REDIRECT_URI,
    AuthorizationResult,
    authorization_code,
    authorize_url,
    bearer,
    make_account,
    make_client,
    pkce_pair,
    read_form,
    sign_in,
)

pytestmark = pytest.mark.integration


@pytest.fixture
async def cadre(client: AsyncClient, settings: Settings, clock: FrozenClock) -> uuid.UUID:
    return await make_account(settings, clock, "can.bo.hoan.kiem", "commune_officer", "00070")


async def exchange(http: AsyncClient, client_id: str, secret: str | None, code: str, verifier: str | None) -> dict:
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI, "client_id": client_id}
    form |= {"client_secret": secret} if secret else {}
    form |= {"code_verifier": verifier} if verifier else {}
    response = await http.post("/oauth/token", data=form)
    return {"status": response.status_code, **response.json()} | {"cache": response.headers.get("cache-control")}


async def test_discovery_document(client: AsyncClient, settings: Settings) -> None:
    doc = (await client.get("/.well-known/openid-configuration")).json()
    assert doc["issuer"] == settings.issuer == "https://testserver"
    assert doc["request_parameter_supported"] is False and doc["request_uri_parameter_supported"] is False
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert doc["response_types_supported"] == ["code"]
    assert "RS256" in doc["id_token_signing_alg_values_supported"]
    for endpoint in ("authorization", "token", "userinfo", "end_session", "revocation"):
        assert doc[f"{endpoint}_endpoint"].startswith(settings.issuer)


async def test_jwks_publishes_public_keys_only(client: AsyncClient) -> None:
    published = (await client.get("/oauth/jwks")).json()["keys"]
    assert len(published) >= 2  # active and next
    for key in published:
        assert {"kid", "use", "alg", "kty", "n", "e"} <= set(key)
        assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key)


async def test_code_flow_with_pkce_issues_verifiable_tokens(client: AsyncClient, cadre: uuid.UUID) -> None:
    app_client, secret = await make_client()
    code, verifier = await authorization_code(client, app_client.client_id, "CAN.BO.HOAN.KIEM")  # any case
    tokens = await exchange(client, app_client.client_id, secret, code, verifier)
    assert tokens["status"] == 200 and tokens["cache"] == "no-store"
    assert tokens["token_type"] == "Bearer" and tokens["refresh_token"]
    id_claims = jose_jwt.get_unverified_claims(tokens["id_token"])
    assert id_claims["sub"] == str(cadre) and id_claims["nonce"] == "n-456"
    assert id_claims["aud"] == app_client.client_id and id_claims["azp"] == app_client.client_id
    assert {"iss", "exp", "iat", "auth_time", "at_hash", "sid"} <= set(id_claims)
    header = jose_jwt.get_unverified_header(tokens["access_token"])
    assert header["typ"] == "at+jwt" and header["alg"] == "RS256"
    me = await client.get("/api/v1/me", headers=bearer(tokens["access_token"]))
    assert me.status_code == 200 and me.json()["username"] == "can.bo.hoan.kiem"
    info = (await client.get("/oauth/userinfo", headers=bearer(tokens["access_token"]))).json()
    assert info["sub"] == str(cadre) and info["preferred_username"] == "can.bo.hoan.kiem"
    assert info["roles"][0]["unit_code"] == "00070"


async def test_authorization_response_carries_state_and_issuer(client: AsyncClient, cadre: uuid.UUID) -> None:
    app_client, _ = await make_client()
    _, challenge = pkce_pair()
    response = await sign_in(client, authorize_url(app_client.client_id, challenge), "can.bo.hoan.kiem")
    params = AuthorizationResult(response.headers["location"]).params
    assert response.headers["location"].startswith(REDIRECT_URI)
    assert params["state"] == "st-123" and params["iss"] == "https://testserver"


async def test_redirect_uri_mismatch_shows_an_error_page_never_redirects(client: AsyncClient) -> None:
    app_client, _ = await make_client()
    for uri in ("https://evil.example/callback", REDIRECT_URI + "/x", REDIRECT_URI.upper()):
        response = await client.get(authorize_url(app_client.client_id, redirect_uri=uri))
        assert response.status_code == 400 and "location" not in response.headers
        assert "text/html" in response.headers["content-type"]


async def test_unknown_client_shows_an_error_page(client: AsyncClient) -> None:
    response = await client.get(authorize_url("no-such-client"))
    assert response.status_code == 400 and "location" not in response.headers


@pytest.mark.parametrize(
    ("extra", "error"),
    [
        ({"request": "eyJhbGciOiJub25lIn0.e30."}, "request_not_supported"),
        ({"request_uri": "https://evil.example/r"}, "request_uri_not_supported"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"response_type": ""}, "invalid_request"),
        ({"code_challenge": "x" * 43, "code_challenge_method": "plain"}, "invalid_request"),
        ({"prompt": "none login"}, "invalid_request"),
    ],
)
async def test_bad_authorization_requests_are_redirected_with_the_standard_error(
    client: AsyncClient, extra: dict[str, str], error: str
) -> None:
    app_client, _ = await make_client()
    response = await client.get(authorize_url(app_client.client_id, **extra))
    assert response.status_code in (302, 303)
    params = AuthorizationResult(response.headers["location"]).params
    assert params["error"] == error and params["state"] == "st-123"


async def test_public_clients_must_use_pkce(client: AsyncClient) -> None:
    public, secret = await make_client(kind="public")
    assert secret is None
    response = await client.get(authorize_url(public.client_id))
    assert AuthorizationResult(response.headers["location"]).params["error"] == "invalid_request"


async def test_unknown_parameters_are_ignored(client: AsyncClient, cadre: uuid.UUID) -> None:
    app_client, _ = await make_client()
    _, challenge = pkce_pair()
    url = authorize_url(app_client.client_id, challenge, ui_locales="vi", acr_values="1", foo="bar")
    response = await client.get(url)
    assert response.status_code == 200 and 'name="username"' in response.text


async def test_login_hint_prefills_username(client: AsyncClient) -> None:
    app_client, _ = await make_client()
    response = await client.get(authorize_url(app_client.client_id, login_hint="ba.tu"))
    assert 'value="ba.tu"' in response.text


async def test_authorization_by_post(client: AsyncClient, cadre: uuid.UUID) -> None:
    app_client, _ = await make_client()
    _, challenge = pkce_pair()
    form = {
        "client_id": app_client.client_id,
        "response_type": "code",
        "scope": "openid",
        "redirect_uri": REDIRECT_URI,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    response = await client.post("/oauth/authorize", data=form)
    assert response.status_code == 200 and 'name="password"' in response.text


async def test_reused_code_fails_and_revokes_what_it_issued(client: AsyncClient, cadre: uuid.UUID) -> None:
    app_client, secret = await make_client()
    code, verifier = await authorization_code(client, app_client.client_id, "can.bo.hoan.kiem")
    first = await exchange(client, app_client.client_id, secret, code, verifier)
    assert (await client.get("/api/v1/me", headers=bearer(first["access_token"]))).status_code == 200
    again = await exchange(client, app_client.client_id, secret, code, verifier)
    assert again["status"] == 400 and again["error"] == "invalid_grant"
    assert (await client.get("/api/v1/me", headers=bearer(first["access_token"]))).status_code == 401
    refresh = await client.post(
        "/oauth/token",
        data={
            "grant_type": "refresh_token",
            "client_id": app_client.client_id,
            "client_secret": secret,
            "refresh_token": first["refresh_token"],
        },
    )
    assert refresh.json()["error"] == "invalid_grant"


@pytest.mark.parametrize("verifier", [None, "wrong-verifier-" + "x" * 40])
async def test_missing_or_wrong_pkce_verifier(client: AsyncClient, cadre: uuid.UUID, verifier: str | None) -> None:
    app_client, secret = await make_client()
    code, _ = await authorization_code(client, app_client.client_id, "can.bo.hoan.kiem")
    result = await exchange(client, app_client.client_id, secret, code, verifier)
    assert result["status"] == 400 and result["error"] == "invalid_grant"


async def test_code_is_bound_to_client_and_redirect_uri(client: AsyncClient, cadre: uuid.UUID) -> None:
    app_client, secret = await make_client()
    other, other_secret = await make_client()
    code, verifier = await authorization_code(client, app_client.client_id, "can.bo.hoan.kiem")
    stolen = await exchange(client, other.client_id, other_secret, code, verifier)
    assert stolen["error"] == "invalid_grant"
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI + "?x=1",
        "client_id": app_client.client_id,
        "client_secret": secret,
        "code_verifier": verifier,
    }
    assert (await client.post("/oauth/token", data=form)).json()["error"] == "invalid_grant"


async def test_expired_code(client: AsyncClient, cadre: uuid.UUID, clock: FrozenClock) -> None:
    app_client, secret = await make_client()
    code, verifier = await authorization_code(client, app_client.client_id, "can.bo.hoan.kiem")
    clock.advance(timedelta(minutes=6))
    assert (await exchange(client, app_client.client_id, secret, code, verifier))["error"] == "invalid_grant"


async def test_wrong_client_secret_is_invalid_client(client: AsyncClient, cadre: uuid.UUID) -> None:
    app_client, _ = await make_client()
    code, verifier = await authorization_code(client, app_client.client_id, "can.bo.hoan.kiem")
    result = await exchange(client, app_client.client_id, "not-the-secret", code, verifier)
    assert result["status"] == 401 and result["error"] == "invalid_client"


async def test_client_secret_basic(client: AsyncClient, cadre: uuid.UUID) -> None:
    app_client, secret = await make_client()
    code, verifier = await authorization_code(client, app_client.client_id, "can.bo.hoan.kiem")
    basic = base64.b64encode(f"{app_client.client_id}:{secret}".encode()).decode()
    response = await client.post(
        "/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
        },
        headers={"Authorization": f"Basic {basic}"},
    )
    assert response.status_code == 200 and "id_token" in response.json()


async def test_refresh_rotates_and_reuse_revokes_the_family(client: AsyncClient, cadre: uuid.UUID) -> None:
    app_client, secret = await make_client()
    code, verifier = await authorization_code(client, app_client.client_id, "can.bo.hoan.kiem")
    first = await exchange(client, app_client.client_id, secret, code, verifier)
    form = {"grant_type": "refresh_token", "client_id": app_client.client_id, "client_secret": secret}
    second = (await client.post("/oauth/token", data=form | {"refresh_token": first["refresh_token"]})).json()
    assert second["refresh_token"] != first["refresh_token"]
    replay = await client.post("/oauth/token", data=form | {"refresh_token": first["refresh_token"]})
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    # The thief's replay killed the family: the legitimate newest token and its access token die too.
    assert (
        await client.post("/oauth/token", data=form | {"refresh_token": second["refresh_token"]})
    ).status_code == 400
    assert (await client.get("/api/v1/me", headers=bearer(second["access_token"]))).status_code == 401


async def test_refresh_tokens_are_bound_to_their_client(client: AsyncClient, cadre: uuid.UUID) -> None:
    app_client, secret = await make_client()
    other, other_secret = await make_client()
    code, verifier = await authorization_code(client, app_client.client_id, "can.bo.hoan.kiem")
    first = await exchange(client, app_client.client_id, secret, code, verifier)
    response = await client.post(
        "/oauth/token",
        data={
            "grant_type": "refresh_token",
            "client_id": other.client_id,
            "client_secret": other_secret,
            "refresh_token": first["refresh_token"],
        },
    )
    assert response.json()["error"] == "invalid_grant"


async def test_refresh_family_has_an_absolute_lifetime(
    client: AsyncClient, cadre: uuid.UUID, clock: FrozenClock, settings: Settings
) -> None:
    app_client, secret = await make_client()
    code, verifier = await authorization_code(client, app_client.client_id, "can.bo.hoan.kiem")
    token = (await exchange(client, app_client.client_id, secret, code, verifier))["refresh_token"]
    form = {"grant_type": "refresh_token", "client_id": app_client.client_id, "client_secret": secret}
    for _ in range(3):
        clock.advance(timedelta(days=9))
        response = await client.post("/oauth/token", data=form | {"refresh_token": token})
        assert response.status_code == 200
        token = response.json()["refresh_token"]
    clock.advance(timedelta(days=4))  # 31 days after sign-in
    assert (await client.post("/oauth/token", data=form | {"refresh_token": token})).json()["error"] == "invalid_grant"


async def test_client_credentials_for_service_clients(client: AsyncClient) -> None:
    service, secret = await make_client(kind="service", redirect_uris=[], post_logout_redirect_uris=[])
    response = await client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": service.client_id, "client_secret": secret},
    )
    assert response.status_code == 200
    body = response.json()
    assert "refresh_token" not in body and "id_token" not in body
    claims = jose_jwt.get_unverified_claims(body["access_token"])
    assert claims["sub"] == service.client_id
    interactive, interactive_secret = await make_client()
    refused = await client.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": interactive.client_id,
            "client_secret": interactive_secret,
        },
    )
    assert refused.json()["error"] == "unauthorized_client"


async def test_revocation(client: AsyncClient, cadre: uuid.UUID) -> None:
    app_client, secret = await make_client()
    code, verifier = await authorization_code(client, app_client.client_id, "can.bo.hoan.kiem")
    tokens = await exchange(client, app_client.client_id, secret, code, verifier)
    auth = {"client_id": app_client.client_id, "client_secret": secret}
    assert (await client.post("/oauth/revoke", data=auth | {"token": "unknown"})).status_code == 200
    assert (await client.post("/oauth/revoke", data=auth | {"token": tokens["refresh_token"]})).status_code == 200
    assert (await client.get("/api/v1/me", headers=bearer(tokens["access_token"]))).status_code == 401


# Attacks on access tokens ------------------------------------------------------------------------


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


async def valid_claims(settings: Settings, clock: FrozenClock, account: uuid.UUID) -> dict:
    now = int(clock.now().timestamp())
    return {
        "iss": settings.issuer,
        "sub": str(account),
        "aud": api_audience(settings),
        "iat": now,
        "exp": now + 300,
        "client_id": "mattran-web",
        "scope": "openid",
        "gid": str(uuid.uuid4()),
    }


async def assert_rejected(client: AsyncClient, token: str) -> None:
    response = await client.get("/api/v1/me", headers=bearer(token))
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_alg_none_is_rejected(
    client: AsyncClient, settings: Settings, clock: FrozenClock, cadre: uuid.UUID
) -> None:
    key_set = await keys.key_set()
    token = (
        f"{b64({'alg': 'none', 'typ': 'at+jwt', 'kid': key_set.active_kid})}."
        f"{b64(await valid_claims(settings, clock, cadre))}."
    )
    await assert_rejected(client, token)


async def test_hs256_signed_with_the_public_key_is_rejected(
    client: AsyncClient, settings: Settings, clock: FrozenClock, cadre: uuid.UUID
) -> None:
    key_set = await keys.key_set()
    public_jwk = json.dumps(key_set.public_jwks[key_set.active_kid])
    token = jose_jwt.encode(
        await valid_claims(settings, clock, cadre),
        public_jwk,
        algorithm="HS256",
        headers={"kid": key_set.active_kid, "typ": "at+jwt"},
    )
    await assert_rejected(client, token)


async def test_unknown_kid_is_rejected(
    client: AsyncClient, settings: Settings, clock: FrozenClock, cadre: uuid.UUID
) -> None:
    key_set = await keys.key_set()
    token = jose_jwt.encode(
        await valid_claims(settings, clock, cadre),
        key_set.signing_pem(TEST_SEALER),
        algorithm="RS256",
        headers={"kid": "not-a-key", "typ": "at+jwt"},
    )
    await assert_rejected(client, token)


@pytest.mark.parametrize("change", [{"aud": "https://other.example/api"}, {"iss": "https://evil.example"}])
async def test_wrong_audience_or_issuer_is_rejected(
    client: AsyncClient, settings: Settings, clock: FrozenClock, cadre: uuid.UUID, change: dict
) -> None:
    app_client, secret = await make_client()
    code, verifier = await authorization_code(client, app_client.client_id, "can.bo.hoan.kiem")
    real = jose_jwt.get_unverified_claims(
        (await exchange(client, app_client.client_id, secret, code, verifier))["access_token"]
    )
    key_set = await keys.key_set()
    token = jose_jwt.encode(
        real | change,
        key_set.signing_pem(TEST_SEALER),
        algorithm="RS256",
        headers={"kid": key_set.active_kid, "typ": "at+jwt"},
    )
    await assert_rejected(client, token)


async def test_an_id_token_is_not_an_access_token(client: AsyncClient, cadre: uuid.UUID) -> None:
    app_client, secret = await make_client()
    code, verifier = await authorization_code(client, app_client.client_id, "can.bo.hoan.kiem")
    await assert_rejected(client, (await exchange(client, app_client.client_id, secret, code, verifier))["id_token"])


async def test_expired_access_token_is_rejected(client: AsyncClient, cadre: uuid.UUID, clock: FrozenClock) -> None:
    app_client, secret = await make_client()
    code, verifier = await authorization_code(client, app_client.client_id, "can.bo.hoan.kiem")
    tokens = await exchange(client, app_client.client_id, secret, code, verifier)
    clock.advance(timedelta(minutes=11))
    await assert_rejected(client, tokens["access_token"])


# Sessions at the provider --------------------------------------------------------------------------


async def test_prompt_none_without_a_session_says_login_required(client: AsyncClient) -> None:
    app_client, _ = await make_client()
    response = await client.get(authorize_url(app_client.client_id, prompt="none"))
    assert AuthorizationResult(response.headers["location"]).params["error"] == "login_required"


async def test_single_sign_on_prompt_and_max_age(client: AsyncClient, cadre: uuid.UUID, clock: FrozenClock) -> None:
    app_client, _ = await make_client()
    await authorization_code(client, app_client.client_id, "can.bo.hoan.kiem")  # signs in, sets the session
    silent = await client.get(authorize_url(app_client.client_id, prompt="none"))
    assert "code" in AuthorizationResult(silent.headers["location"]).params
    forced = await client.get(authorize_url(app_client.client_id, prompt="login"))
    assert forced.status_code == 200 and 'name="password"' in forced.text
    clock.advance(timedelta(minutes=10))
    stale = await client.get(authorize_url(app_client.client_id, max_age="300"))
    assert stale.status_code == 200 and 'name="password"' in stale.text
    fresh = await client.get(authorize_url(app_client.client_id, max_age="3600"))
    assert "code" in AuthorizationResult(fresh.headers["location"]).params


async def test_third_party_clients_ask_for_consent_once(client: AsyncClient, cadre: uuid.UUID) -> None:
    third, _ = await make_client(first_party=False)
    _, challenge = pkce_pair()
    page = await sign_in(client, authorize_url(third.client_id, challenge), "can.bo.hoan.kiem")
    assert page.status_code == 200 and 'value="allow"' in page.text
    form = read_form(page.text)
    decided = await client.post(form.action or "", data=form.fields | {"decision": "allow"})
    assert "code" in AuthorizationResult(decided.headers["location"]).params
    again = await client.get(authorize_url(third.client_id, challenge, prompt="none"))
    assert "code" in AuthorizationResult(again.headers["location"]).params


async def test_login_form_without_its_csrf_cookie_is_refused(client: AsyncClient, cadre: uuid.UUID) -> None:
    app_client, _ = await make_client()
    page = await client.get(authorize_url(app_client.client_id))
    client.cookies.clear()
    form = read_form(page.text)
    response = await client.post(
        "/oauth/login", data=form.fields | {"username": "can.bo.hoan.kiem", "password": "mat-khau-an-toan-2026"}
    )
    assert response.status_code == 400 and "location" not in response.headers
