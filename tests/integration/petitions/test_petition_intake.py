"""Filing petitions: without an account (tracking code, contact required), signed in, by a cadre on a
citizen's behalf, by staff; idempotent replays; limits; tracking by code with throttling; duplicates."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from httpx import AsyncClient
from petition_helpers import COMMUNE, Person, file_petition, petition_body

from backend import db
from backend.lib.clock import FrozenClock

pytestmark = pytest.mark.integration


async def count(table: str) -> int:
    async with db.connection() as conn:
        return int(await conn.fetchval(f"SELECT count(*) FROM {table}"))


async def test_a_citizen_without_an_account_gets_a_long_tracking_code(client: AsyncClient, connected: str) -> None:
    receipt = await file_petition(client, COMMUNE, anonymous=True)

    assert receipt["state"] == "received"
    assert receipt["status_text"] == "Đã tiếp nhận, đang chờ phân loại"
    assert receipt["expected_at"] is not None
    code = receipt["tracking_code"]
    assert code.startswith("KN-") and len(code.replace("-", "")) == 22
    tracked = await client.get(f"/api/v1/petitions/track/{code.lower().replace('-', ' ')}")
    assert tracked.status_code == 200, tracked.text
    body = tracked.json()
    assert (body["state"], body["title"]) == ("received", "Đèn đường hỏng ở ngõ 12 Hàng Bài")
    assert "contact_phone" not in body and "0912345678" not in tracked.text


async def test_without_an_account_a_contact_is_required(client: AsyncClient, connected: str) -> None:
    response = await client.post("/api/v1/petitions", json=petition_body(COMMUNE, contact_phone=""))

    assert response.status_code == 400
    problem = response.json()
    assert problem["type"] == "urn:mattran:problem:validation-error"
    assert problem["errors"][0]["field"] == "contact_phone"
    assert await count("petitions") == 0


async def test_a_description_over_4000_characters_is_refused(client: AsyncClient, connected: str) -> None:
    response = await client.post("/api/v1/petitions", json=petition_body(COMMUNE, description="a" * 4001))

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert await count("petitions") == 0


async def test_a_double_submit_answers_the_same_receipt(client: AsyncClient, connected: str) -> None:
    body = petition_body(COMMUNE)
    first = await client.post("/api/v1/petitions", json=body)
    again = await client.post("/api/v1/petitions", json=body)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["tracking_code"] == first.json()["tracking_code"]
    assert await count("petitions") == 1
    other = await client.post("/api/v1/petitions", json=body | {"title": "Khác hẳn"})
    assert other.status_code == 409
    assert await count("petitions") == 1


async def test_the_idempotency_key_header_works_without_an_id(client: AsyncClient, connected: str) -> None:
    body = petition_body(COMMUNE)
    del body["id"]
    headers = {"idempotency-key": "flaky-network-0001"}
    first = await client.post("/api/v1/petitions", json=body, headers=headers)
    again = await client.post("/api/v1/petitions", json=body, headers=headers)

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]


async def test_a_signed_in_citizen_files_and_sees_it_among_their_own(
    client: AsyncClient, people: dict[str, Person]
) -> None:
    citizen = people["citizen"]
    receipt = await file_petition(client, COMMUNE, citizen, contact_phone="")

    mine = await client.get("/api/v1/petitions/mine", headers=citizen.headers)
    assert [item["id"] for item in mine.json()["items"]] == [receipt["id"]]
    detail = await client.get(f"/api/v1/petitions/{receipt['id']}", headers=citizen.headers)
    assert detail.status_code == 200
    assert detail.json()["actions"] == []


async def test_a_cadre_files_on_a_citizens_behalf_with_consent(client: AsyncClient, people: dict[str, Person]) -> None:
    cadre = people["cadre"]
    household = await client.post(
        "/api/v1/households",
        json={"id": str(uuid.uuid4()), "unit_code": cadre.area, "house_number": "12"},
        headers=cadre.headers,
    )
    assert household.status_code == 201, household.text
    body = petition_body(cadre.area, channel="cadre", household_id=household.json()["id"])

    refused = await client.post("/api/v1/petitions", json=body, headers=cadre.headers)
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "consent_given"

    accepted = await client.post("/api/v1/petitions", json=body | {"consent_given": True}, headers=cadre.headers)
    assert accepted.status_code == 201, accepted.text
    detail = await client.get(f"/api/v1/petitions/{accepted.json()['id']}", headers=people["officer"].headers)
    assert detail.json()["household_id"] == household.json()["id"]
    assert detail.json()["consent_at"] is not None
    assert detail.json()["channel"] == "cadre"


async def test_staff_channels_need_staff_in_scope(client: AsyncClient, people: dict[str, Person]) -> None:
    body = petition_body(COMMUNE, channel="phone")
    anonymous = await client.post("/api/v1/petitions", json=body)
    outsider = await client.post("/api/v1/petitions", json=body, headers=people["neighbour"].headers)
    officer = await client.post("/api/v1/petitions", json=body, headers=people["officer"].headers)

    assert (anonymous.status_code, outsider.status_code, officer.status_code) == (400, 404, 201)


async def test_similar_petitions_are_suggested_to_those_who_may_see_them(
    client: AsyncClient, people: dict[str, Person]
) -> None:
    first = await file_petition(client, COMMUNE, title="Đèn đường hỏng ngõ 12")
    by_citizen = await file_petition(client, COMMUNE, title="den duong hong")
    by_staff = await file_petition(client, COMMUNE, people["officer"], title="Đèn đường hỏng", channel="phone")

    assert by_citizen["duplicates"] == []  # an unpublished petition is nobody else's business
    suggested = {d["id"]: set(d["reasons"]) for d in by_staff["duplicates"]}
    assert suggested == {by_citizen["id"]: {"similar_text", "same_area"}, first["id"]: {"similar_text", "same_area"}}
    while_classifying = await client.get(
        f"/api/v1/petitions/{first['id']}/duplicates", headers=people["officer"].headers
    )
    assert {d["id"] for d in while_classifying.json()["items"]} == {by_citizen["id"], by_staff["id"]}
    outsider = await client.get(f"/api/v1/petitions/{first['id']}/duplicates", headers=people["neighbour"].headers)
    assert outsider.status_code == 404


async def test_unknown_codes_are_throttled(client: AsyncClient, connected: str, clock: FrozenClock) -> None:
    receipt = await file_petition(client, COMMUNE)
    for _ in range(10):
        assert (await client.get("/api/v1/petitions/track/KN-AAAAA-AAAAA-AAAAA-AAAAA")).status_code == 404

    locked = await client.get(f"/api/v1/petitions/track/{receipt['tracking_code']}")
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 0
    assert locked.json()["type"] == "urn:mattran:problem:rate-limited"
    clock.advance(timedelta(hours=1))
    assert (await client.get(f"/api/v1/petitions/track/{receipt['tracking_code']}")).status_code == 200
