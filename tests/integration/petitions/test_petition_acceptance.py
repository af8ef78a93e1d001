"""The acceptance path of issue 6, end to end over HTTP: a citizen files anonymously and gets a code, an
officer classifies and assigns, the assignee's phone (the local push service) receives a notification it
can decrypt, the answer with evidence is published, and the citizen reads it by code and rates it."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import msgspec
import pytest
from httpx import AsyncClient
from petition_helpers import COMMUNE, Person, act, jpeg_with_gps, petition_body, upload
from PIL import Image

from backend.features.notify.delivery import Dispatcher
from backend.lib.clock import FrozenClock
from backend.settings import Settings
from support.config import settings_for
from support.push_stub import PushServiceStub, running_push_stub

pytestmark = pytest.mark.integration


@pytest.fixture
def clock() -> FrozenClock:
    # Push services check the VAPID token's expiry against their own clock: use a real instant.
    return FrozenClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def settings(database: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return settings_for(
        database,
        push_service_hosts="*",
        push_allow_http=True,
        petitions_storage_dir=str(tmp_path_factory.mktemp("petition-files")),
    )


@pytest.fixture
async def stub() -> AsyncIterator[PushServiceStub]:
    async with running_push_stub() as running:
        yield running


async def subscribe_phone(client: AsyncClient, stub: PushServiceStub, who: Person) -> str:
    key = (await client.get("/api/v1/push/public-key")).json()["public_key"]
    browser = stub.subscribe(application_server_key=key)
    sub = browser.subscription
    body = {"endpoint": sub.endpoint, "keys": {"p256dh": sub.p256dh, "auth": sub.auth}}
    response = await client.post("/api/v1/push/subscriptions", json=body, headers=who.headers)
    assert response.status_code in (200, 201), response.text
    return browser.id


async def test_file_assign_push_answer_publish_track_rate(
    client: AsyncClient, people: dict[str, Person], stub: PushServiceStub, settings: Settings, clock: FrozenClock
) -> None:
    officer, assignee = people["officer"], people["colleague"]
    phone = await subscribe_phone(client, stub, assignee)

    # 1. A citizen without an account files anonymously and keeps the code.
    filed = await client.post("/api/v1/petitions", json=petition_body(COMMUNE, anonymous=True, contact_name="Bà Lan"))
    assert filed.status_code == 201, filed.text
    code, pid = filed.json()["tracking_code"], filed.json()["id"]

    # 2. The officer classifies and assigns.
    assert (await act(client, officer, pid, "classify", category_code="ha_tang")).status_code == 200
    assigned = await act(client, officer, pid, "assign", assignee=str(assignee.account_id))
    assert assigned.status_code == 200, assigned.text
    assert assigned.json()["filer_hidden"] is True  # anonymous: the officer does not see who filed

    # 3. The assignee's phone receives a notification it can decrypt.
    async with httpx.AsyncClient(timeout=5) as outgoing:
        report = await Dispatcher(settings, clock, outgoing).drain()
    assert report.delivered == 1
    [push] = stub.received_for(phone)
    message = msgspec.json.decode(push.payload)
    assert message["title"] == "Phản ánh mới được giao"
    assert "Đèn đường hỏng" in message["body"] and message["url"] == f"/petition?id={pid}"

    # 4. The answer carries evidence (a photo whose GPS must not be published), then it is published.
    photo = await upload(client, assignee, pid, jpeg_with_gps(), filename="sau-khi-sua.jpg")
    assert photo.status_code == 201, photo.text
    answered = await act(
        client, assignee, pid, "answer", answer="Đã thay bóng đèn ngày 03/3.", evidence=[photo.json()["id"]]
    )
    assert answered.status_code == 200, answered.text
    assert (await act(client, officer, pid, "publish")).json()["state"] == "published"

    # 5. The citizen sees the answer by code, with the evidence, and rates it.
    tracked = (await client.get(f"/api/v1/petitions/track/{code}")).json()
    assert (tracked["state"], tracked["answer"]) == ("published", "Đã thay bóng đèn ngày 03/3.")
    assert tracked["status_text"] == "Đã trả lời và công khai"
    assert "Bà Lan" not in str(tracked)
    [evidence] = tracked["evidence"]
    public_copy = await client.get(evidence["url"])
    assert public_copy.status_code == 200
    image = Image.open(io.BytesIO(public_copy.content))
    assert max(image.size) == settings.petitions_image_max_side
    assert not image.getexif()  # no EXIF at all, so no GPS
    rated = await client.post(f"/api/v1/petitions/track/{code}/rating", json={"score": 5, "comment": "Cảm ơn"})
    assert rated.status_code == 200
    assert rated.json()["rating"] == 5
