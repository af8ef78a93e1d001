"""Open311 GeoReport v2 with a plain HTTP client: discover, list services, post a request, read its status,
map a token; fields checked against the specification (http://wiki.open311.org/GeoReport_v2)."""

from __future__ import annotations

from datetime import datetime

import pytest
from httpx import AsyncClient
from petition_helpers import COMMUNE, Person, act, png, upload

from backend.settings import Settings
from support.config import settings_for

pytestmark = pytest.mark.integration
API_KEY = "khoa-open311-thu-nghiem-2026"

SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}


@pytest.fixture
def settings(database: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return settings_for(
        database, open311_api_keys=f"other-key,{API_KEY}", petitions_storage_dir=str(tmp_path_factory.mktemp("files"))
    )


def form(**extra: str) -> dict[str, str]:
    return {
        "api_key": API_KEY,
        "jurisdiction_id": COMMUNE,
        "service_code": "moi_truong",
        "lat": "21.0245",
        "long": "105.8412",
        "description": "Rác thải đổ trộm ở bãi đất trống cạnh trường tiểu học.\nĐã ba ngày chưa được dọn.",
        "email": "nguoidan@example.vn",
        "first_name": "Lan",
    } | extra


def iso(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    assert moment.tzinfo is not None  # the spec requires a time zone
    return moment


async def test_discovery_names_the_v2_endpoint(client: AsyncClient, connected: str) -> None:
    response = await client.get("/open311/v2/discovery.json")

    assert response.status_code == 200
    body = response.json()
    assert {"changeset", "contact", "key_service", "endpoints"} <= body.keys()
    [endpoint] = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "https://testserver/open311/v2"
    assert endpoint["formats"] == ["application/json"]
    iso(endpoint["changeset"])


async def test_services_are_the_categories(client: AsyncClient, connected: str) -> None:
    services = (await client.get("/open311/v2/services.json")).json()

    assert all(set(service) == SERVICE_FIELDS for service in services)
    land = next(s for s in services if s["service_code"] == "dat_dai")
    assert (land["service_name"], land["metadata"], land["type"]) == ("Đất đai", False, "realtime")
    definition = await client.get("/open311/v2/services/dat_dai.json")
    assert definition.json() == {"service_code": "dat_dai", "attributes": []}
    missing = await client.get("/open311/v2/services/khong_co.json")
    assert missing.status_code == 404
    assert missing.json()[0]["code"] == 404 and missing.json()[0]["description"]


async def test_writes_need_an_api_key(client: AsyncClient, connected: str) -> None:
    without = await client.post("/open311/v2/requests.json", data=form(api_key=""))
    wrong = await client.post("/open311/v2/requests.json", data=form(api_key="doan-bua"))

    assert (without.status_code, wrong.status_code) == (403, 403)
    assert wrong.json() == [{"code": 403, "description": without.json()[0]["description"]}]
    listed = await client.get("/open311/v2/requests.json", params={"service_request_id": "", "status": "open"})
    assert listed.json() == []


async def test_post_a_request_then_read_its_status(client: AsyncClient, people: dict[str, Person]) -> None:
    posted = await client.post("/open311/v2/requests.json", data=form())
    assert posted.status_code == 201, posted.text
    [created] = posted.json()
    assert set(created) == {"service_request_id", "token", "service_notice", "account_id"}
    request_id = created["service_request_id"]

    [status] = (await client.get(f"/open311/v2/requests/{request_id}.json")).json()
    assert set(status) == REQUEST_FIELDS
    assert (status["status"], status["service_code"], status["service_name"]) == ("open", "moi_truong", "Môi trường")
    assert status["status_notes"] == "Đã tiếp nhận, đang chờ phân loại"
    assert status["description"] is None and status["lat"] is None  # not published: nothing personal
    assert iso(status["requested_datetime"]) <= iso(status["updated_datetime"])
    iso(status["expected_datetime"])
    [mapped] = (await client.get(f"/open311/v2/tokens/{created['token']}.json")).json()
    assert mapped == {"service_request_id": request_id, "token": created["token"]}

    officer = people["officer"]
    await act(client, officer, request_id, "classify", category_code="moi_truong")
    await act(client, officer, request_id, "assign", assignee=str(officer.account_id))
    evidence = (await upload(client, officer, request_id, png())).json()
    await act(client, officer, request_id, "answer", answer="Đã dọn sạch.", evidence=[evidence["id"]])
    await act(client, officer, request_id, "publish")

    [closed] = (await client.get(f"/open311/v2/requests/{request_id}.json")).json()
    assert (closed["status"], closed["status_notes"]) == ("closed", "Đã trả lời và công khai")
    assert closed["description"].startswith("Rác thải")
    assert (closed["lat"], closed["long"]) == (21.0245, 105.8412)
    assert closed["media_url"] == f"https://testserver{evidence['url']}"
    listed = (await client.get("/open311/v2/requests.json", params={"status": "closed"})).json()
    assert [r["service_request_id"] for r in listed] == [request_id]
    assert (await client.get("/open311/v2/requests.json", params={"service_code": "dat_dai"})).json() == []


async def test_bad_requests_answer_in_open311_format(client: AsyncClient, connected: str) -> None:
    no_location = await client.post("/open311/v2/requests.json", data=form(lat="", long=""))
    long_text = await client.post("/open311/v2/requests.json", data=form(description="x" * 4001))
    unknown_unit = await client.post("/open311/v2/requests.json", data=form(jurisdiction_id="99999"))

    assert (no_location.status_code, long_text.status_code, unknown_unit.status_code) == (400, 400, 400)
    assert no_location.json()[0]["description"].startswith("lat")
    assert all(set(item) == {"code", "description"} for item in long_text.json())
