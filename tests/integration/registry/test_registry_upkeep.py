"""Registry upkeep: imports left `loading` by a crash are reset, uploaded files are removed after the
retention period, renaming an area refreshes its households' search text, and households are listed in
the natural order of their house numbers."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import asyncpg
import pytest
from httpx import AsyncClient
from registry_helpers import Person, add_household, add_resident, residents_out_of_listing_order

from backend import db
from backend.features.jobs.app import JOBS
from backend.features.registry.imports import IMPORT_LOCK
from backend.features.registry.jobs import import_upkeep
from backend.lib.clock import FrozenClock
from backend.settings import Settings

pytestmark = pytest.mark.integration

CSV = (
    "Khu dân cư,Số nhà,Đường phố,Quan hệ với chủ hộ,Họ và tên,Năm sinh\n"
    "{area},12,Phố Hàng Bài,Chủ hộ,Nguyễn Văn An,1980\n"
    "{area},12,Phố Hàng Bài,Vợ,Trần Thị Bình,1982\n"
)


async def validated_job(client: AsyncClient, who: Person) -> str:
    content = ("\ufeff" + CSV.format(area=who.area)).encode()
    response = await client.post(
        "/api/v1/registry/imports",
        data={"unit_code": str(who.area)},
        files={"file": ("ho.csv", content)},
        headers=who.headers,
    )
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "validated"
    return str(response.json()["id"])


async def job_state(job_id: str) -> Any:
    async with db.connection() as conn:
        return await conn.fetchrow(
            "SELECT status, content IS NOT NULL AS has_file, problems_total FROM registry_imports WHERE id = $1",
            uuid.UUID(job_id),
        )


async def left_loading(job_id: str, since: Any) -> None:
    """What a process that died after claiming the job (status `loading`) leaves behind."""
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE registry_imports SET status = 'loading', updated_at = $2 WHERE id = $1", uuid.UUID(job_id), since
        )


async def test_a_load_left_by_a_crash_is_reset_and_can_be_confirmed_again(
    client: AsyncClient, people: dict[str, Person], settings: Settings, clock: FrozenClock, database: str
) -> None:
    officer = people["officer"]
    stuck, recent = await validated_job(client, officer), await validated_job(client, officer)
    lease = timedelta(seconds=settings.registry_import_lease_seconds)
    await left_loading(stuck, clock.now() - lease - timedelta(seconds=1))
    await left_loading(recent, clock.now() - lease + timedelta(seconds=30))  # still within its lease
    assert await import_upkeep(settings, clock) == {"reset": 1, "expired": 0}
    shown = (await client.get(f"/api/v1/registry/imports/{stuck}", headers=officer.headers)).json()
    assert shown["status"] == "failed"
    assert [p["line"] for p in shown["problems"]] == [0]
    assert "gián đoạn" in shown["problems"][0]["message"]
    assert (await job_state(recent))["status"] == "loading"

    # While a load runs (it holds the import lock all along), nothing is reset, however old.
    await left_loading(recent, clock.now() - 2 * lease)
    running = await asyncpg.connect(database)
    try:
        await running.execute("SELECT pg_advisory_lock($1)", IMPORT_LOCK)
        assert await import_upkeep(settings, clock) == {"reset": 0, "expired": 0}
    finally:
        await running.close()
    assert (await job_state(recent))["status"] == "loading"
    assert await import_upkeep(settings, clock) == {"reset": 1, "expired": 0}

    # The reset job keeps its file: confirming again loads it, and the message goes.
    loaded = await client.post(f"/api/v1/registry/imports/{stuck}/confirm", headers=officer.headers)
    assert loaded.status_code == 200, loaded.text
    assert (loaded.json()["status"], loaded.json()["residents_new"], loaded.json()["problems"]) == ("loaded", 2, [])


async def test_uploaded_files_are_removed_after_the_retention_period(
    client: AsyncClient, people: dict[str, Person], settings: Settings, clock: FrozenClock
) -> None:
    officer = people["officer"]
    old, fresh = await validated_job(client, officer), await validated_job(client, officer)
    retention = timedelta(hours=settings.registry_import_retention_hours)
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE registry_imports SET updated_at = $2 WHERE id = $1",
            uuid.UUID(old),
            clock.now() - retention - timedelta(seconds=1),
        )
    assert await import_upkeep(settings, clock) == {"reset": 0, "expired": 1}
    assert tuple(await job_state(old)) == ("invalid", False, 1)
    assert tuple(await job_state(fresh)) == ("validated", True, 0)
    refused = await client.post(f"/api/v1/registry/imports/{old}/confirm", headers=officer.headers)
    assert refused.status_code == 409
    shown = (await client.get(f"/api/v1/registry/imports/{old}", headers=officer.headers)).json()
    assert "tải tệp lên lại" in shown["problems"][0]["message"]


def test_the_upkeep_runs_periodically_in_the_worker() -> None:
    task = JOBS.tasks["registry:import_upkeep"]
    assert task.queueing_lock == "registry.import_upkeep"
    periodic = [p for p in JOBS.periodic_registry.periodic_tasks.values() if p.task is task]
    assert [p.cron for p in periodic] == ["*/5 * * * *"]


async def search(client: AsyncClient, who: Person, query: str) -> set[str]:
    response = await client.get("/api/v1/households", params={"q": query}, headers=who.headers)
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"]}


async def test_renaming_an_area_refreshes_its_households_search_text(
    client: AsyncClient, people: dict[str, Person]
) -> None:
    cadre, officer = people["cadre_a"], people["officer"]
    numbers = {n: (await add_household(client, cadre, house_number=n, street="Phố Huế"))["id"] for n in ("3", "4")}
    other_area = (await add_household(client, people["cadre_b"], house_number="3", street="Phố Huế"))["id"]
    await add_resident(client, cadre, numbers["3"], "Đinh Văn Tùng")  # carries the household's order
    assert await search(client, officer, "pho hue to dan pho so 5") == set(numbers.values())
    renamed = await client.patch(
        f"/api/v1/units/{cadre.area}", json={"name": "Tổ dân phố Hoa Sữa"}, headers=officer.headers
    )
    assert renamed.status_code == 200, renamed.text
    assert await search(client, officer, "hoa sua") == set(numbers.values())
    assert await search(client, officer, "3 pho hue hoa sua") == {numbers["3"]}
    assert await search(client, officer, "to dan pho so 5") == set()
    assert await search(client, officer, "to dan pho so 6") == {other_area}
    assert await residents_out_of_listing_order() == 0  # the new name is part of the households' order


async def test_households_are_listed_in_natural_order_of_house_numbers(
    client: AsyncClient, people: dict[str, Person]
) -> None:
    cadre = people["cadre_a"]
    for number in ("10", "2", "5A", "5", "1", "", "100"):
        await add_household(client, cadre, house_number=number, street="Phố Huế")
    seen: list[str] = []
    cursor = None
    while True:  # two at a time: the keyset cursor follows the same order
        params = {"limit": 2, "unit": cadre.area} | ({"cursor": cursor} if cursor else {})
        page = (await client.get("/api/v1/households", params=params, headers=cadre.headers)).json()
        seen += [item["house_number"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    # Without a number the house counts as number 0: first.
    assert seen == ["", "1", "2", "5", "5A", "10", "100"]
