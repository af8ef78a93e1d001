"""jose.verify keeps the answers of its signature check (a phone sends one access token with every request),
without keeping anything that must be checked each time: the token's times against the clock, the key
being still in the set, and the rejection of anything altered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jose import jwk

from backend.features.identity import jose

ISSUER, AUDIENCE, TYP = "https://mattran.test", "mattran-api", "at+jwt"
NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


def _key_pair() -> tuple[str, dict[str, str]]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return pem, jwk.construct(pem, jose.ALGORITHM).public_key().to_dict()


@pytest.fixture(scope="module")
def keys() -> tuple[str, dict[str, str], dict[str, str]]:
    pem, public = _key_pair()
    _, other_public = _key_pair()
    return pem, public, other_public


def _token(pem: str, **claims: object) -> str:
    issued = int(NOW.timestamp())
    body = {"iss": ISSUER, "aud": AUDIENCE, "sub": "cadre", "iat": issued, "exp": issued + 300} | claims
    return jose.sign(body, private_pem=pem, kid="k1", typ=TYP)


def _verify(token: str, jwks: dict[str, dict[str, str]], now: datetime = NOW) -> dict[str, object]:
    return jose.verify(token, public_jwks=jwks, audience=AUDIENCE, issuer=ISSUER, typ=TYP, now=now)


def test_a_token_checked_before_is_still_checked_for_time_key_and_changes(
    keys: tuple[str, dict[str, str], dict[str, str]],
) -> None:
    pem, public, other_public = keys
    token = _token(pem, scope="registry")
    claims = _verify(token, {"k1": public})
    assert claims["sub"] == "cadre" and claims["scope"] == "registry"
    claims["sub"] = "someone else"  # the caller's copy: the kept answer is not changed by it
    assert _verify(token, {"k1": public})["sub"] == "cadre"

    with pytest.raises(jose.InvalidToken, match="expired"):
        _verify(token, {"k1": public}, NOW + timedelta(minutes=10))
    with pytest.raises(jose.InvalidToken, match="unknown signing key"):
        _verify(token, {"k2": public})  # the key was withdrawn from the set
    with pytest.raises(jose.InvalidToken):
        _verify(token, {"k1": other_public})  # another key under the same kid
    header, _payload, signature = token.split(".")
    altered = _token(pem, scope="registry admin").split(".")[1]
    with pytest.raises(jose.InvalidToken):
        _verify(f"{header}.{altered}.{signature}", {"k1": public})
    with pytest.raises(jose.InvalidToken):
        jose.verify(token, public_jwks={"k1": public}, audience="another-api", issuer=ISSUER, typ=TYP, now=NOW)
    assert _verify(token, {"k1": public})["sub"] == "cadre"
