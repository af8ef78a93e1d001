"""python-jose, wrapped once and safely (see DESIGN.md §5).

python-jose accepts whatever `alg` a token's header names unless told otherwise, tries every key of a
JWKS, and requires no claim by default. So here: one algorithm (RS256) pinned, the key chosen by `kid`
from our own key set, `exp iat aud iss sub` required, and `typ` checked by us. An HMAC algorithm can
never meet a public key because no HMAC algorithm is ever accepted.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

from jose import jwk, jwt
from jose.backends.base import Key
from jose.exceptions import JOSEError

ALGORITHM = "RS256"
# What an upstream provider may sign with (one of them pinned per provider).
ASYMMETRIC_ALGORITHMS = frozenset({"RS256", "PS256", "ES256"})
REQUIRED_CLAIMS = ("exp", "iat", "aud", "iss", "sub")
# Tolerated difference between machines' clocks.
CLOCK_SKEW_SECONDS = 30


class InvalidToken(Exception):
    """The token is not one of ours, is expired, or was meant for someone else."""


def sign(claims: Mapping[str, Any], *, private_pem: str, kid: str, typ: str) -> str:
    return jwt.encode(dict(claims), private_pem, algorithm=ALGORITHM, headers={"kid": kid, "typ": typ})


def verify(
    token: str,
    *,
    public_jwks: Mapping[str, Mapping[str, Any]],
    audience: str | None,
    issuer: str,
    typ: str | None,
    now: datetime,
    access_token: str | None = None,
    allow_expired: bool = False,
    algorithm: str = ALGORITHM,
) -> dict[str, Any]:
    """The claims of a valid token; InvalidToken for anything else. public_jwks maps kid -> public JWK.

    Time claims are checked here against `now` (the injectable clock), not by python-jose, which reads
    the system clock. `typ=None` skips the type check (upstream providers' ID tokens may omit it);
    `algorithm` pins another asymmetric algorithm for an upstream provider, never an HMAC one."""
    if algorithm not in ASYMMETRIC_ALGORITHMS:
        raise InvalidToken("algorithm not allowed")
    try:
        header = jwt.get_unverified_header(token)
    except JOSEError as error:
        raise InvalidToken("malformed token") from error
    if header.get("alg") != algorithm:
        raise InvalidToken("algorithm not allowed")
    if typ is not None and header.get("typ", "").lower() != typ.lower():
        raise InvalidToken("wrong token type")
    key = public_jwks.get(str(header.get("kid")))
    if key is None:
        raise InvalidToken("unknown signing key")
    claims = dict(_decoded(token, json.dumps(key, sort_keys=True), algorithm, audience, issuer, access_token))
    _check_times(claims, now, allow_expired)
    return claims


@functools.lru_cache(maxsize=4096)
def _decoded(
    token: str, public_jwk: str, algorithm: str, audience: str | None, issuer: str, access_token: str | None
) -> Mapping[str, Any]:
    """The claims of a token whose signature, issuer, subject and audience hold; InvalidToken otherwise.

    A pure function of its arguments, so its answers are kept: a phone sends the same access token with
    every request until it expires, and the RS256 check and decoding were ~0.1 ms of each request. A
    failure is never kept (an exception is not cached), times are checked on every call (verify), and the
    key is part of the arguments: a key withdrawn from the set no longer finds the token here."""
    # python-jose turns "require X" into "verify X", and verifies times against the system clock: so only
    # iss and sub (and aud when one is expected) are left to it; presence and times are checked by verify.
    options = {
        "require_iss": True,
        "require_sub": True,
        "require_aud": audience is not None,
        "verify_aud": audience is not None,
        "verify_exp": False,
        "verify_nbf": False,
        "verify_iat": False,
        # at_hash is checked when the access token is at hand (the web app's callback), not for id_token_hint.
        "verify_at_hash": access_token is not None,
    }
    try:
        claims = jwt.decode(
            token,
            _verifying_key(public_jwk, algorithm),
            algorithms=[algorithm],
            audience=audience,
            issuer=issuer,
            access_token=access_token,
            options=options,
        )
    except JOSEError as error:
        raise InvalidToken(str(error)) from error
    missing = [claim for claim in REQUIRED_CLAIMS if claim not in claims]
    if missing:
        raise InvalidToken(f"missing claims: {missing}")
    return MappingProxyType(claims)


@functools.lru_cache(maxsize=64)
def _verifying_key(public_jwk: str, algorithm: str) -> Key:
    """The key object of a public JWK (JSON): building it from the JWK took about half of an RS256 check
    (~0.22 of ~0.45 ms), and the same few keys (ours, and each upstream provider's) check every request."""
    return jwk.construct(json.loads(public_jwk), algorithm)


def _check_times(claims: Mapping[str, Any], now: datetime, allow_expired: bool) -> None:
    instant = now.timestamp()
    try:
        expires, issued = float(claims["exp"]), float(claims["iat"])
        not_before = float(claims.get("nbf", issued))
    except (TypeError, ValueError, KeyError) as error:
        raise InvalidToken("malformed time claims") from error
    if not allow_expired and instant >= expires + CLOCK_SKEW_SECONDS:
        raise InvalidToken("token expired")
    if instant < not_before - CLOCK_SKEW_SECONDS or instant < issued - CLOCK_SKEW_SECONDS:
        raise InvalidToken("token not yet valid")


def half_hash(value: str) -> str:
    """at_hash / c_hash for RS256: base64url of the left half of the SHA-256 digest (OIDC Core 3.1.3.6)."""
    digest = hashlib.sha256(value.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).decode().rstrip("=")


def header_kid(token: str) -> str | None:
    try:
        kid = jwt.get_unverified_header(token).get("kid")
    except JOSEError:
        return None
    return str(kid) if kid else None
