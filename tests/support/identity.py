"""Helpers for tests that need accounts, clients and signed-in users."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from backend.features.identity.clients import Client, create_client
from backend.features.identity.service import AccountService, Caller
from backend.lib.clock import Clock
from backend.settings import Settings
from schemas.identity import AccountCreate, RoleGrant

PASSWORD = "mat-khau-an-toan-2026"
REDIRECT_URI = "https://app.example.vn/callback"


async def make_account(settings: Settings, clock: Clock, username: str, role: str, unit: str) -> uuid.UUID:
    data = AccountCreate(
        username=username,
        password=PASSWORD,
        display_name=f"Cán bộ {username}",
        roles=[RoleGrant(role=role, unit_code=unit)],
    )
    return (await AccountService(settings, clock).create_account(data, "test", Caller(ip="127.0.0.1"))).id


async def make_client(kind: str = "confidential", **options: object) -> tuple[Client, str | None]:
    defaults: dict[str, object] = {
        "client_id": f"app-{uuid.uuid4().hex[:8]}",
        "name": "Ứng dụng thử",
        "redirect_uris": [REDIRECT_URI],
        "post_logout_redirect_uris": ["https://app.example.vn/bye"],
        "first_party": True,
    }
    return await create_client(kind=kind, **(defaults | options))  # type: ignore[arg-type]


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    return verifier, challenge


class FormReader(HTMLParser):
    """The fields of the first form on a page (hidden inputs included) and its action."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self.names: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form" and self.action is None:
            self.action = values.get("action")
        if tag == "input" and values.get("name"):
            self.names.add(str(values["name"]))
            if values.get("type") == "hidden":
                self.fields[str(values["name"])] = values.get("value") or ""


def read_form(html: str) -> FormReader:
    reader = FormReader()
    reader.feed(html)
    return reader


@dataclass
class AuthorizationResult:
    location: str

    @property
    def params(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(urlsplit(self.location).query).items()}


def authorize_url(client_id: str, challenge: str | None = None, **extra: str) -> str:
    query = {
        "client_id": client_id,
        "response_type": "code",
        "scope": "openid profile roles",
        "redirect_uri": REDIRECT_URI,
        "state": "st-123",
        "nonce": "n-456",
    } | extra
    if challenge:
        query |= {"code_challenge": challenge, "code_challenge_method": "S256"}
    return "/oauth/authorize?" + urlencode(query)


async def sign_in(http: httpx.AsyncClient, url: str, username: str, password: str = PASSWORD) -> httpx.Response:
    """Open an authorization URL, fill the sign-in form, and return the provider's answer."""
    page = await http.get(url)
    assert page.status_code == 200, page.text
    form = read_form(page.text)
    assert {"username", "password"} <= form.names
    return await http.post(form.action or "", data=form.fields | {"username": username, "password": password})


async def authorization_code(http: httpx.AsyncClient, client_id: str, username: str, **extra: str) -> tuple[str, str]:
    """(code, verifier) after a full sign-in."""
    verifier, challenge = pkce_pair()
    response = await sign_in(http, authorize_url(client_id, challenge, **extra), username)
    assert response.status_code in (302, 303), response.text
    params = AuthorizationResult(response.headers["location"]).params
    return params["code"], verifier


async def tokens_for(http: httpx.AsyncClient, client_id: str, secret: str | None, username: str) -> dict[str, Any]:
    """The token endpoint's answer after a full sign-in of username and the code exchange by the client."""
    code, verifier = await authorization_code(http, client_id, username)
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "client_id": client_id,
        "code_verifier": verifier,
    } | ({"client_secret": secret} if secret else {})
    response = await http.post("/oauth/token", data=form)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def access_token_for(http: httpx.AsyncClient, username: str) -> str:
    """A bearer access token for username, through a full sign-in by a fresh app client; the browser's
    cookies are dropped afterwards so the next user signs in from a fresh browser."""
    app_client, secret = await make_client()
    tokens = await tokens_for(http, app_client.client_id, secret, username)
    http.cookies.clear()
    return str(tokens["access_token"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def strip_tags(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)
