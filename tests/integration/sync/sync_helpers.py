"""Helpers of the sync tests: people with bearer tokens, operations as a device sends them, push and pull."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from httpx import AsyncClient

from support.identity import PASSWORD, bearer, read_form

COMMUNE, NEXT_COMMUNE = "00070", "00073"
CLIENT_TIME = "2026-03-02T09:15:00+07:00"


@dataclass(frozen=True)
class Person:
    id: uuid.UUID
    token: str
    area: str | None = None

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.token)


async def web_sign_in(http: AsyncClient, username: str) -> dict[str, str]:
    """Sign in as the web app does (an HttpOnly session cookie); returns the CSRF header its writes need."""
    start = await http.get("/auth/login", params={"next": "/"})
    form = read_form((await http.get(start.headers["location"])).text)
    signed_in = await http.post(form.action or "", data=form.fields | {"username": username, "password": PASSWORD})
    callback = urlsplit(signed_in.headers["location"])
    assert (await http.get(f"{callback.path}?{callback.query}")).status_code in (302, 303)
    return {"X-CSRF-Token": str(http.cookies.get("__Host-mattran_csrf"))}


def create_op(entity_id: uuid.UUID, unit_code: str, title: str = "Ghi chép", **fields: Any) -> dict[str, Any]:
    return {
        "op_id": str(uuid.uuid4()),
        "entity": "draft",
        "action": "create",
        "entity_id": str(entity_id),
        "fields": {"unit_code": unit_code, "kind": "note", "title": title, "body": "", **fields},
        "at": CLIENT_TIME,
    }


def update_op(entity_id: uuid.UUID, base_version: int, **fields: Any) -> dict[str, Any]:
    return {
        "op_id": str(uuid.uuid4()),
        "entity": "draft",
        "action": "update",
        "entity_id": str(entity_id),
        "base_version": base_version,
        "fields": fields,
        "at": CLIENT_TIME,
    }


def delete_op(entity_id: uuid.UUID, base_version: int) -> dict[str, Any]:
    return {
        "op_id": str(uuid.uuid4()),
        "entity": "draft",
        "action": "delete",
        "entity_id": str(entity_id),
        "base_version": base_version,
        "at": CLIENT_TIME,
    }


async def push(
    http: AsyncClient,
    who: Person,
    operations: list[dict[str, Any]],
    *,
    cursor: str | None = None,
    pull: bool = False,
    device: str = "phone-1",
) -> dict[str, Any]:
    body: dict[str, Any] = {"device_id": device, "operations": operations, "pull": pull}
    if cursor:
        body["pull_cursor"] = cursor
    response = await http.post("/api/v1/sync", json=body, headers=who.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def pull(http: AsyncClient, who: Person, cursor: str | None = None) -> dict[str, Any]:
    return await push(http, who, [], cursor=cursor, pull=True)
