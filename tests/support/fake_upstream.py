"""A small upstream OpenID provider (standing in for VNeID) that tests start on 127.0.0.1, with switches to
make it misbehave the ways a hostile or broken provider would."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from jose import jwt
from litestar import Litestar, Request, get, post
from litestar.response import Redirect

from backend.features.identity.keys import new_key


@dataclass
class FakeUpstream:
    issuer: str
    client_id: str = "mattran-at-vneid"
    client_secret: str = "upstream-secret"
    subject: str = "079123456789"
    name: str = "Nguyễn Thị Vân"
    # Misbehaviours
    iss_in_response: str | None = None
    audience: str | None = None
    nonce: str | None = None
    codes: dict[str, dict[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.kid, self.private_pem, self.public_jwk = new_key()

    def app(self) -> Litestar:
        fake = self

        @get("/.well-known/openid-configuration")
        async def discovery() -> dict[str, Any]:
            return {
                "issuer": fake.issuer,
                "authorization_endpoint": f"{fake.issuer}/authorize",
                "token_endpoint": f"{fake.issuer}/token",
                "jwks_uri": f"{fake.issuer}/jwks",
                "id_token_signing_alg_values_supported": ["RS256"],
                "authorization_response_iss_parameter_supported": True,
            }

        @get("/jwks")
        async def jwks() -> dict[str, Any]:
            return {"keys": [fake.public_jwk]}

        @get("/authorize")
        async def authorize(request: Request[Any, Any, Any]) -> Redirect:
            params = dict(request.query_params)
            code = secrets.token_urlsafe(16)
            fake.codes[code] = params
            query = {"code": code, "state": params["state"], "iss": fake.iss_in_response or fake.issuer}
            return Redirect(f"{params['redirect_uri']}?{urlencode(query)}")

        @post("/token", status_code=200)
        async def token(request: Request[Any, Any, Any]) -> dict[str, Any]:
            form = dict(await request.form())
            request_params = fake.codes.pop(str(form.get("code")), None)
            verifier = str(form.get("code_verifier", ""))
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
            if (
                request_params is None
                or form.get("client_secret") != fake.client_secret
                or challenge != request_params["code_challenge"]
            ):
                return {"error": "invalid_grant"}
            now = int(time.time())
            claims = {
                "iss": fake.issuer,
                "sub": fake.subject,
                "aud": fake.audience or fake.client_id,
                "iat": now,
                "exp": now + 300,
                "nonce": fake.nonce or request_params["nonce"],
                "name": fake.name,
            }
            id_token = jwt.encode(claims, fake.private_pem, algorithm="RS256", headers={"kid": fake.kid})
            return {"access_token": "opaque", "token_type": "Bearer", "id_token": id_token}

        return Litestar([discovery, jwks, authorize, token])
