"""Accounts, the unit-scope guard as a matrix, sign-in throttling with the injected clock, the audit log."""

from __future__ import annotations

from datetime import timedelta

import asyncpg
import pytest
from httpx import AsyncClient

from backend import db
from backend.features.audit.service import first_broken_entry
from backend.lib.clock import FrozenClock
from backend.settings import Settings
from support.identity import (
    PASSWORD,
    authorize_url,
    bearer,
    make_account,
    make_client,
    read_form,
)
from support.identity import access_token_for as token_for

pytestmark = pytest.mark.integration

COMMUNE, NEXT_COMMUNE = "00070", "00073"


@pytest.fixture
async def people(client: AsyncClient, settings: Settings, clock: FrozenClock) -> dict[str, dict]:
    """Two neighbouring areas of one commune, the commune's officer, the next commune's officer, a citizen."""
    officer = await make_account(settings, clock, "officer", "commune_officer", COMMUNE)
    officer_token = await token_for(client, "officer")
    areas = []
    for name in ("Tổ dân phố số 1", "Tổ dân phố số 2"):
        created = await client.post(
            f"/api/v1/units/{COMMUNE}/areas", json={"name": name, "kind": "to_dan_pho"}, headers=bearer(officer_token)
        )
        assert created.status_code == 201, created.text
        areas.append(created.json()["code"])
    ids = {
        "officer": officer,
        "cadre_1": await make_account(settings, clock, "cadre_1", "area_cadre", areas[0]),
        "cadre_2": await make_account(settings, clock, "cadre_2", "area_cadre", areas[1]),
        "neighbour": await make_account(settings, clock, "neighbour", "commune_officer", NEXT_COMMUNE),
        "citizen": await make_account(settings, clock, "citizen", "citizen", "TW"),
    }
    return {
        name: {
            "id": account_id,
            "token": officer_token if name == "officer" else await token_for(client, name),
            "areas": areas,
        }
        for name, account_id in ids.items()
    }


# who reads whom: the guard as a matrix (404, never 403, outside one's scope)
MATRIX = {
    "cadre_1": {"cadre_1": 200, "cadre_2": 404, "officer": 404, "neighbour": 404, "citizen": 404},
    "officer": {"cadre_1": 200, "cadre_2": 200, "officer": 200, "neighbour": 404, "citizen": 404},
    "neighbour": {"cadre_1": 404, "cadre_2": 404, "officer": 404, "neighbour": 200, "citizen": 404},
    "citizen": {"cadre_1": 404, "cadre_2": 404, "officer": 404, "neighbour": 404, "citizen": 200},
}


async def test_read_scope_matrix(client: AsyncClient, people: dict[str, dict]) -> None:
    seen = {
        reader: {
            target: (
                await client.get(f"/api/v1/accounts/{people[target]['id']}", headers=bearer(people[reader]["token"]))
            ).status_code
            for target in MATRIX[reader]
        }
        for reader in MATRIX
    }
    assert seen == MATRIX


async def test_write_scope_on_residential_areas(client: AsyncClient, people: dict[str, dict]) -> None:
    area_1, area_2 = people["cadre_1"]["areas"]

    async def rename(who: str, code: str) -> int:
        response = await client.patch(
            f"/api/v1/units/{code}", json={"name": f"Tổ {who} {code}"}, headers=bearer(people[who]["token"])
        )
        return response.status_code

    assert await rename("cadre_1", area_1) == 200
    assert await rename("cadre_1", area_2) == 404
    assert await rename("officer", area_2) == 200
    assert await rename("neighbour", area_1) == 404
    assert await rename("citizen", area_1) == 404
    for who in ("cadre_1", "neighbour", "citizen"):
        created = await client.post(
            f"/api/v1/units/{COMMUNE}/areas",
            json={"name": "Thôn Mới", "kind": "thon"},
            headers=bearer(people[who]["token"]),
        )
        assert created.status_code == 404, who


async def test_area_names_are_unique_within_a_commune(client: AsyncClient, people: dict[str, dict]) -> None:
    response = await client.post(
        f"/api/v1/units/{COMMUNE}/areas",
        json={"name": "TỔ DÂN PHỐ SỐ 1", "kind": "to_dan_pho"},
        headers=bearer(people["officer"]["token"]),
    )
    assert response.status_code == 409 and response.headers["content-type"] == "application/problem+json"


async def test_staff_create_accounts_only_within_their_scope(client: AsyncClient, people: dict[str, dict]) -> None:
    area_1 = people["cadre_1"]["areas"][0]
    body = {
        "username": "cadre_3",
        "password": PASSWORD,
        "display_name": "Nguyễn Thị Ba",
        "roles": [{"role": "area_cadre", "unit_code": area_1}],
    }
    assert (
        await client.post("/api/v1/accounts", json=body, headers=bearer(people["neighbour"]["token"]))
    ).status_code == 404
    assert (
        await client.post("/api/v1/accounts", json=body, headers=bearer(people["cadre_1"]["token"]))
    ).status_code == 404
    created = await client.post("/api/v1/accounts", json=body, headers=bearer(people["officer"]["token"]))
    assert created.status_code == 201 and created.json()["roles"][0]["unit_code"] == area_1
    again = await client.post(
        "/api/v1/accounts", json=body | {"username": "CADRE_3"}, headers=bearer(people["officer"]["token"])
    )
    assert again.status_code == 409  # usernames are unique whatever their case


async def test_bad_account_input_is_a_problem_and_changes_nothing(client: AsyncClient, people: dict[str, dict]) -> None:
    token = bearer(people["officer"]["token"])
    bad_bodies = [
        {"username": "x", "password": PASSWORD, "display_name": "A", "roles": []},
        {"username": "good.name", "password": "short", "display_name": "A", "roles": []},
        {
            "username": "good.name",
            "password": PASSWORD,
            "display_name": "A",
            "roles": [{"role": "area_cadre", "unit_code": COMMUNE}],
        },  # an area role on a commune
        {"username": "good.name", "password": PASSWORD, "display_name": "A", "roles": [], "admin": True},
    ]
    for body in bad_bodies:
        response = await client.post("/api/v1/accounts", json=body, headers=token)
        assert response.status_code == 400, body
        assert response.headers["content-type"] == "application/problem+json"
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM accounts WHERE username = 'good.name'") == 0


async def test_citizens_register_themselves(client: AsyncClient) -> None:
    response = await client.post(
        "/api/v1/accounts/register",
        json={
            "username": "nguyen.van.a",
            "password": PASSWORD,
            "display_name": "Nguyễn Văn A",
            "phone": "0912 345 678",
        },
    )
    assert response.status_code == 201
    assert [r["role"] for r in response.json()["roles"]] == ["citizen"]


async def test_protected_routes_need_a_principal(client: AsyncClient) -> None:
    response = await client.get("/api/v1/me")
    assert response.status_code == 401 and response.headers["www-authenticate"].startswith("Bearer")


# Throttling -----------------------------------------------------------------------------------------


async def attempt(http: AsyncClient, client_id: str, username: str, password: str) -> int:
    page = await http.get(authorize_url(client_id))
    form = read_form(page.text)
    response = await http.post("/oauth/login", data=form.fields | {"username": username, "password": password})
    return response.status_code


async def test_account_lockout_with_growing_back_off(
    client: AsyncClient, settings: Settings, clock: FrozenClock
) -> None:
    await make_account(settings, clock, "tran.thi.b", "commune_officer", COMMUNE)
    app_client, _ = await make_client()
    for _ in range(settings.login_failures_per_account):
        assert await attempt(client, app_client.client_id, "tran.thi.b", "wrong-password") == 401
    # Locked: even the right password gets the same answer as a wrong one.
    assert await attempt(client, app_client.client_id, "tran.thi.b", PASSWORD) == 401
    for _ in range(3):  # failures while locked do not push the lock out
        await attempt(client, app_client.client_id, "tran.thi.b", "wrong-password")
    clock.advance(timedelta(seconds=settings.login_wait_base_seconds + 1))
    assert await attempt(client, app_client.client_id, "tran.thi.b", PASSWORD) == 302


async def test_same_answer_for_unknown_user_wrong_password_and_lock(
    client: AsyncClient, settings: Settings, clock: FrozenClock
) -> None:
    await make_account(settings, clock, "le.van.c", "commune_officer", COMMUNE)
    app_client, _ = await make_client()
    pages = []
    for username, password in (("khong.ton.tai", PASSWORD), ("le.van.c", "wrong-password")):
        page = await client.get(authorize_url(app_client.client_id))
        form = read_form(page.text)
        pages.append(await client.post("/oauth/login", data=form.fields | {"username": username, "password": password}))
    assert pages[0].status_code == pages[1].status_code == 401
    assert pages[0].text.replace("khong.ton.tai", "X") == pages[1].text.replace("le.van.c", "X")


async def test_per_ip_throttle(client: AsyncClient, settings: Settings, clock: FrozenClock) -> None:
    await make_account(settings, clock, "pham.d", "commune_officer", COMMUNE)
    app_client, _ = await make_client()
    for i in range(settings.login_failures_per_ip):
        await attempt(client, app_client.client_id, f"guess{i}", "wrong-password")
    assert await attempt(client, app_client.client_id, "pham.d", PASSWORD) == 401
    clock.advance(timedelta(seconds=settings.login_wait_base_seconds + 1))
    assert await attempt(client, app_client.client_id, "pham.d", PASSWORD) == 302


# Audit ---------------------------------------------------------------------------------------------


async def audit_actions() -> list[str]:
    async with db.connection() as conn:
        return [row["action"] for row in await conn.fetch("SELECT action FROM audit_log ORDER BY id")]


async def test_sign_in_events_are_audited_in_an_intact_chain(
    client: AsyncClient, settings: Settings, clock: FrozenClock
) -> None:
    await make_account(settings, clock, "vo.e", "commune_officer", COMMUNE)
    app_client, _ = await make_client()
    for _ in range(settings.login_failures_per_account):
        await attempt(client, app_client.client_id, "vo.e", "wrong-password")
    clock.advance(timedelta(hours=1))
    await attempt(client, app_client.client_id, "vo.e", PASSWORD)
    actions = await audit_actions()
    assert actions.count("login.failed") == settings.login_failures_per_account
    assert "login.lockout" in actions and actions[-1] == "login.succeeded"
    assert await first_broken_entry() is None


async def test_audit_log_refuses_changes_and_detects_tampering(
    client: AsyncClient, settings: Settings, clock: FrozenClock
) -> None:
    await make_account(settings, clock, "dang.f", "commune_officer", COMMUNE)
    await make_account(settings, clock, "dang.g", "commune_officer", COMMUNE)
    async with db.connection() as conn:
        with pytest.raises(asyncpg.RaiseError, match="append-only"):
            await conn.execute("UPDATE audit_log SET actor = 'someone else'")
        with pytest.raises(asyncpg.RaiseError, match="append-only"):
            await conn.execute("DELETE FROM audit_log")
        # A superuser can switch the trigger off; the hash chain still gives the edit away.
        first = await conn.fetchval("SELECT min(id) FROM audit_log")
        await conn.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_or_delete")
        await conn.execute('UPDATE audit_log SET details = \'{"username": "x"}\' WHERE id = $1', first)
    assert await first_broken_entry() == first


async def test_authorization_failures_are_audited(client: AsyncClient, people: dict[str, dict]) -> None:
    area_2 = people["cadre_2"]["areas"][1]
    await client.patch(f"/api/v1/units/{area_2}", json={"name": "X"}, headers=bearer(people["cadre_1"]["token"]))
    await client.get("/api/v1/me", headers=bearer("not-a-token"))
    async with db.connection() as conn:
        denied = await conn.fetchrow("SELECT * FROM audit_log WHERE action = 'access.denied'")
        rejected = await conn.fetchval("SELECT count(*) FROM audit_log WHERE action = 'token.rejected'")
    assert denied["actor"] == str(people["cadre_1"]["id"]) and denied["unit_path"].endswith(area_2)
    assert rejected == 1
    assert await first_broken_entry() is None


async def test_disabling_an_account_ends_its_access(client: AsyncClient, people: dict[str, dict]) -> None:
    target = people["cadre_1"]
    url = f"/api/v1/accounts/{target['id']}/status"
    for who in ("neighbour", "cadre_2", "citizen"):
        denied = await client.patch(url, json={"status": "disabled"}, headers=bearer(people[who]["token"]))
        assert denied.status_code == 404, who
    bad = await client.patch(url, json={"status": "gone"}, headers=bearer(people["officer"]["token"]))
    assert bad.status_code == 400
    done = await client.patch(url, json={"status": "disabled"}, headers=bearer(people["officer"]["token"]))
    assert done.status_code == 200 and done.json()["status"] == "disabled"
    assert (await client.get("/api/v1/me", headers=bearer(target["token"]))).status_code == 401
    app_client, _ = await make_client()
    assert await attempt(client, app_client.client_id, "cadre_1", PASSWORD) == 401
    await client.patch(url, json={"status": "active"}, headers=bearer(people["officer"]["token"]))
    assert await attempt(client, app_client.client_id, "cadre_1", PASSWORD) == 302


async def test_sign_in_page_speaks_the_asked_language(client: AsyncClient) -> None:
    app_client, _ = await make_client()
    english = await client.get(authorize_url(app_client.client_id, ui_locales="en-GB vi"))
    assert "Sign in to Mặt trận số" in english.text and 'lang="en"' in english.text
    vietnamese = await client.get(authorize_url(app_client.client_id))
    assert "Đăng nhập Mặt trận số" in vietnamese.text and 'lang="vi"' in vietnamese.text
