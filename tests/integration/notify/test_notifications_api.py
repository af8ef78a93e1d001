"""/api/v1/push and /api/v1/notifications over HTTP: subscriptions (validated, problem+json, nothing
changed on error), the inbox scoped to its owner, preferences."""

from __future__ import annotations

import base64
import os
import uuid
from datetime import timedelta
from typing import Any

import pytest
from httpx import AsyncClient

from backend import db
from backend.features.notify import vapid
from backend.features.notify.service import notify
from backend.lib.clock import FrozenClock
from backend.settings import Settings
from support.config import TEST_SEALER
from support.identity import access_token_for as token_for
from support.identity import bearer, make_account
from support.push_stub import PushServiceStub

pytestmark = pytest.mark.integration

PROBLEM = "application/problem+json"


@pytest.fixture
async def lan(client: AsyncClient, settings: Settings, clock: FrozenClock) -> dict[str, Any]:
    account_id = await make_account(settings, clock, "lan", "commune_officer", "00070")
    return {"id": account_id, "headers": bearer(await token_for(client, "lan"))}


@pytest.fixture
async def minh(client: AsyncClient, settings: Settings, clock: FrozenClock) -> dict[str, Any]:
    account_id = await make_account(settings, clock, "minh", "citizen", "TW")
    return {"id": account_id, "headers": bearer(await token_for(client, "minh"))}


def subscription_body(stub: PushServiceStub, **changes: Any) -> dict[str, Any]:
    sub = stub.subscribe().subscription
    body: dict[str, Any] = {"endpoint": sub.endpoint, "keys": {"p256dh": sub.p256dh, "auth": sub.auth}}
    return body | changes


async def count(table: str) -> int:
    async with db.connection() as conn:
        return int(await conn.fetchval(f"SELECT count(*) FROM {table}"))


async def add_notifications(account_id: uuid.UUID, clock: FrozenClock, titles: list[str]) -> list[uuid.UUID]:
    ids = []
    for title in titles:
        async with db.transaction():
            ids.append(await notify(account_id, "announcement", title, "Nội dung", dedup_key=title, now=clock.now()))
        clock.advance(timedelta(minutes=1))
    return [i for i in ids if i is not None]


# --- Web Push subscriptions --------------------------------------------------------------------------------


async def test_the_public_key_is_public_and_stable(client: AsyncClient, clock: FrozenClock) -> None:
    first = await client.get("/api/v1/push/public-key")
    second = await client.get("/api/v1/push/public-key")

    assert first.status_code == 200
    assert (
        first.json()
        == second.json()
        == {"public_key": (await vapid.active_key(clock.now(), TEST_SEALER)).keys.application_server_key}
    )
    assert len(base64.urlsafe_b64decode(first.json()["public_key"] + "=")) == 65


async def test_subscribe_and_unsubscribe_a_device(
    client: AsyncClient, stub: PushServiceStub, lan: dict[str, Any], minh: dict[str, Any]
) -> None:
    body = subscription_body(stub)

    created = await client.post("/api/v1/push/subscriptions", json=body, headers=lan["headers"])
    again = await client.post("/api/v1/push/subscriptions", json=body, headers=lan["headers"])

    assert created.status_code == again.status_code == 201
    assert created.json()["endpoint_host"] == "127.0.0.1" and "endpoint" not in created.json()
    assert created.json()["id"] == again.json()["id"] and await count("push_subscriptions") == 1
    # Someone else's endpoint cannot be removed by knowing it...
    denied = await client.request(
        "DELETE", "/api/v1/push/subscriptions", json={"endpoint": body["endpoint"]}, headers=minh["headers"]
    )
    assert denied.status_code == 204 and await count("push_subscriptions") == 1
    # ... its owner can.
    removed = await client.request(
        "DELETE", "/api/v1/push/subscriptions", json={"endpoint": body["endpoint"]}, headers=lan["headers"]
    )
    assert removed.status_code == 204 and await count("push_subscriptions") == 0


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"endpoint": "ftp://127.0.0.1/push/x"}, "endpoint", "endpoint must use https or http"),
        ({"keys": {"p256dh": b64(b"\x04" + bytes(64)), "auth": b64(os.urandom(16))}}, "keys.p256dh", "P-256"),
        ({"keys": {"p256dh": b64(b"\x02" + os.urandom(32)), "auth": b64(os.urandom(16))}}, "keys.p256dh", "65-byte"),
        ("auth15", "keys.auth", "auth must be 16 bytes, got 15"),
        ({"application_server_key": b64(os.urandom(65))}, "application_server_key", "unknown"),
        ({"expirationTime": None}, "data", "unknown field `expirationTime`"),
    ],
)
async def test_invalid_subscriptions_are_problems_that_change_nothing(
    change: Any, field: str, reason: str, client: AsyncClient, stub: PushServiceStub, lan: dict[str, Any]
) -> None:
    body = subscription_body(stub)
    if change == "auth15":
        change = {"keys": {**body["keys"], "auth": b64(os.urandom(15))}}

    response = await client.post("/api/v1/push/subscriptions", json=body | change, headers=lan["headers"])

    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["errors"][0]["field"] == field and reason in problem["errors"][0]["message"]
    assert problem["detail"]
    assert await count("push_subscriptions") == 0


async def test_signing_in_is_required(client: AsyncClient, stub: PushServiceStub) -> None:
    subscribe = await client.post("/api/v1/push/subscriptions", json=subscription_body(stub))
    inbox = await client.get("/api/v1/notifications")

    assert subscribe.status_code == inbox.status_code == 401
    assert inbox.headers["content-type"] == PROBLEM


# --- the inbox ------------------------------------------------------------------------------------------


async def test_the_inbox_pages_newest_first_and_counts_unread(
    client: AsyncClient, clock: FrozenClock, lan: dict[str, Any]
) -> None:
    *_, third = await add_notifications(lan["id"], clock, ["Một", "Hai", "Ba"])

    page = (await client.get("/api/v1/notifications", params={"limit": 2}, headers=lan["headers"])).json()
    rest = (
        await client.get(
            "/api/v1/notifications", params={"limit": 2, "cursor": page["next_cursor"]}, headers=lan["headers"]
        )
    ).json()

    assert [item["title"] for item in page["items"] + rest["items"]] == ["Ba", "Hai", "Một"]
    assert rest["next_cursor"] is None and page["unread_count"] == 3
    assert page["items"][0] | {"created_at": None} == {
        "id": str(third),
        "kind": "announcement",
        "title": "Ba",
        "body": "Nội dung",
        "url": None,
        "tag": None,
        "created_at": None,
        "read_at": None,
    }


async def test_reading_a_notification(client: AsyncClient, clock: FrozenClock, lan: dict[str, Any]) -> None:
    first, second = await add_notifications(lan["id"], clock, ["Một", "Hai"])

    read = await client.post(f"/api/v1/notifications/{first}/read", headers=lan["headers"])
    clock.advance(timedelta(minutes=5))  # tokens live 10 minutes
    again = await client.post(f"/api/v1/notifications/{first}/read", headers=lan["headers"])
    unread = (await client.get("/api/v1/notifications", params={"unread": "true"}, headers=lan["headers"])).json()

    assert read.status_code == 200 and read.json()["read_at"] is not None
    assert again.json()["read_at"] == read.json()["read_at"]  # the first reading is kept
    assert [item["id"] for item in unread["items"]] == [str(second)] and unread["unread_count"] == 1


async def test_another_accounts_notification_answers_404(
    client: AsyncClient, clock: FrozenClock, lan: dict[str, Any], minh: dict[str, Any]
) -> None:
    [lans] = await add_notifications(lan["id"], clock, ["Của Lan"])
    [minhs] = await add_notifications(minh["id"], clock, ["Của Minh"])

    foreign = await client.post(f"/api/v1/notifications/{minhs}/read", headers=lan["headers"])
    missing = await client.post(f"/api/v1/notifications/{uuid.uuid4()}/read", headers=lan["headers"])
    listed = (await client.get("/api/v1/notifications", headers=lan["headers"])).json()

    assert foreign.status_code == missing.status_code == 404
    assert foreign.headers["content-type"] == PROBLEM and foreign.json()["title"] == missing.json()["title"]
    assert [item["id"] for item in listed["items"]] == [str(lans)]
    minh_view = (await client.get("/api/v1/notifications", headers=minh["headers"])).json()
    assert minh_view["items"][0]["read_at"] is None and minh_view["unread_count"] == 1


async def test_a_tampered_cursor_is_a_problem(client: AsyncClient, lan: dict[str, Any]) -> None:
    response = await client.get("/api/v1/notifications", params={"cursor": "bm90LWEtY3Vyc29y"}, headers=lan["headers"])

    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "cursor"


# --- preferences ----------------------------------------------------------------------------------------


async def test_preferences_default_then_change(client: AsyncClient, lan: dict[str, Any]) -> None:
    default = (await client.get("/api/v1/notifications/preferences", headers=lan["headers"])).json()
    changed = await client.put(
        "/api/v1/notifications/preferences",
        json={"muted_kinds": ["deadline", "deadline"], "quiet_hours": {"start": "22:00", "end": "06:00"}},
        headers=lan["headers"],
    )
    english = await client.get("/api/v1/notifications/preferences", headers=lan["headers"] | {"Accept-Language": "en"})

    assert default["muted_kinds"] == [] and default["quiet_hours"] is None
    assert default["timezone"] == "Asia/Ho_Chi_Minh"
    assert {"kind": "deadline", "label": "Hạn xử lý sắp đến"} in default["kinds"]
    assert changed.status_code == 200
    assert english.json()["muted_kinds"] == ["deadline"]
    assert english.json()["quiet_hours"] == {"start": "22:00", "end": "06:00"}
    assert {"kind": "deadline", "label": "Deadlines coming up"} in english.json()["kinds"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"muted_kinds": ["horoscope"]}, "muted_kinds"),
        ({"muted_kinds": [], "quiet_hours": {"start": "22:00", "end": "22:00"}}, "quiet_hours"),
        ({"muted_kinds": [], "quiet_hours": {"start": "25:00", "end": "06:00"}}, "quiet_hours.start"),
    ],
)
async def test_invalid_preferences_are_problems_that_change_nothing(
    body: dict[str, Any], field: str, client: AsyncClient, lan: dict[str, Any]
) -> None:
    response = await client.put("/api/v1/notifications/preferences", json=body, headers=lan["headers"])

    assert response.status_code == 400 and response.headers["content-type"] == PROBLEM
    assert response.json()["errors"][0]["field"] == field
    assert await count("notification_preferences") == 0
