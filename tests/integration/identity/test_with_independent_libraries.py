"""The provider as outsiders see it: a real server on a port, a real OIDC client library the project does
not otherwise use (Authlib), and ID tokens checked with an independent JOSE library (PyJWT)."""

from __future__ import annotations

import secrets

import httpx
import jwt
import pytest
from authlib.integrations.httpx_client import AsyncOAuth2Client

from backend.app import create_app
from backend.lib.clock import SystemClock
from support.config import settings_for
from support.identity import PASSWORD, REDIRECT_URI, make_account, make_client, read_form
from support.servers import free_port, serving

pytestmark = pytest.mark.integration


async def test_authlib_completes_code_with_pkce_and_pyjwt_verifies_the_id_token(database: str) -> None:
    port = free_port()
    settings = settings_for(database, public_url=f"http://127.0.0.1:{port}")
    clock = SystemClock()  # PyJWT checks exp against the real clock
    async with serving(create_app(settings, clock), lifespan="on", port=port) as server:
        issuer = server.origin
        await make_account(settings, clock, "hoang.thi.h", "commune_officer", "00070")
        app_client, secret = await make_client(first_party=True)
        async with httpx.AsyncClient() as user_agent:
            discovery = (await user_agent.get(f"{issuer}/.well-known/openid-configuration")).json()
            assert discovery["issuer"] == issuer
            nonce = secrets.token_urlsafe(16)
            async with AsyncOAuth2Client(
                client_id=app_client.client_id,
                client_secret=secret,
                scope="openid profile email roles",
                redirect_uri=REDIRECT_URI,
                code_challenge_method="S256",
                token_endpoint_auth_method="client_secret_basic",
            ) as relying_party:
                verifier = secrets.token_urlsafe(48)
                url, state = relying_party.create_authorization_url(
                    discovery["authorization_endpoint"], code_verifier=verifier, nonce=nonce
                )
                # The user: open the page, fill the form. (Over plain http a client library keeps Secure
                # cookies to itself; a browser on 127.0.0.1 treats it as secure, so send the cookie along.)
                page = await user_agent.get(url)
                form = read_form(page.text)
                user_agent.cookies.set("__Host-mattran_form", page.cookies["__Host-mattran_form"])
                answer = await user_agent.post(
                    f"{issuer}{form.action}",
                    data=form.fields | {"username": "hoang.thi.h", "password": PASSWORD},
                )
                assert answer.status_code in (302, 303), answer.text
                token = await relying_party.fetch_token(
                    discovery["token_endpoint"],
                    authorization_response=answer.headers["location"],
                    code_verifier=verifier,
                    state=state,
                )
                userinfo = (await relying_party.get(discovery["userinfo_endpoint"])).json()
            jwks = (await user_agent.get(discovery["jwks_uri"])).json()
    signing_key = jwt.PyJWKSet.from_dict(jwks)[jwt.get_unverified_header(token["id_token"])["kid"]]
    claims = jwt.decode(
        token["id_token"],
        signing_key.key,
        algorithms=["RS256"],
        audience=app_client.client_id,
        issuer=issuer,
        options={"require": ["exp", "iat", "iss", "aud", "sub"]},
    )
    assert claims["nonce"] == nonce and claims["sub"] == userinfo["sub"]
    assert userinfo["preferred_username"] == "hoang.thi.h"
    assert token["token_type"].lower() == "bearer" and token["refresh_token"]
