"""Pulling changes since a cursor: exactly the changes after it, only within the caller's scope, paged,
with tombstones, and from scratch when the cursor no longer fits the caller."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest
from httpx import AsyncClient
from sync_helpers import Person, create_op, delete_op, pull, push, update_op

from backend import db
from backend.features.identity.service import AccountService
from backend.features.sync.feed import decode_pull_cursor, encode_pull_cursor
from backend.features.sync.service import SyncService
from backend.features.units.service import UnitService
from backend.lib.access import Principal
from backend.lib.clock import FrozenClock
from backend.settings import Settings
from schemas.sync import SyncOperation, SyncRequest
from schemas.units import ResidentialAreaCreate
from support.identity import make_account

pytestmark = pytest.mark.integration

DEVICE_TIME = datetime(2026, 3, 2, 2, 15, tzinfo=UTC)


def versions(answer: dict[str, Any]) -> dict[str, int]:
    return {change["entity_id"]: change["version"] for change in answer["changes"]}


async def test_pull_returns_exactly_the_changes_after_the_cursor_within_scope(
    client: AsyncClient, people: dict[str, Person]
) -> None:
    cadre_1, cadre_2, officer = people["cadre_1"], people["cadre_2"], people["officer"]
    mine = [uuid.uuid4(), uuid.uuid4()]
    theirs = uuid.uuid4()
    await push(client, cadre_1, [create_op(draft_id, str(cadre_1.area)) for draft_id in mine])
    await push(client, cadre_2, [create_op(theirs, str(cadre_2.area))])

    first = await pull(client, cadre_1)
    assert first["reset"] is True and first["more"] is False
    assert versions(first) == {str(mine[0]): 1, str(mine[1]): 1}  # never the other area's draft
    assert set(versions(await pull(client, officer))) == {str(mine[0]), str(mine[1]), str(theirs)}
    assert (await pull(client, people["neighbour"]))["changes"] == []

    nothing_new = await pull(client, cadre_1, first["cursor"])
    assert (nothing_new["changes"], nothing_new["reset"]) == ([], False)

    added = uuid.uuid4()
    await push(client, cadre_1, [create_op(added, str(cadre_1.area)), update_op(mine[0], 1, title="Sửa")])
    await push(client, cadre_2, [create_op(uuid.uuid4(), str(cadre_2.area)), update_op(theirs, 1, title="Khác")])
    since = await pull(client, cadre_1, nothing_new["cursor"])
    assert versions(since) == {str(added): 1, str(mine[0]): 2}
    changed = next(c for c in since["changes"] if c["entity_id"] == str(mine[0]))
    assert changed["fields"]["title"] == "Sửa" and changed["fields"]["owner_id"] == str(cadre_1.id)
    assert (await pull(client, cadre_1, since["cursor"]))["changes"] == []


async def test_a_deletion_reaches_devices_as_a_tombstone(client: AsyncClient, people: dict[str, Person]) -> None:
    cadre = people["cadre_1"]
    kept, dropped = uuid.uuid4(), uuid.uuid4()
    await push(client, cadre, [create_op(kept, str(cadre.area)), create_op(dropped, str(cadre.area))])
    cursor = (await pull(client, cadre))["cursor"]
    await push(client, cadre, [delete_op(dropped, 1)])
    tombstone = (await pull(client, cadre, cursor))["changes"]
    assert [(c["entity_id"], c["deleted"], c["fields"], c["version"]) for c in tombstone] == [
        (str(dropped), True, {}, 2)
    ]
    # A device starting from scratch is not sent tombstones at all.
    assert set(versions(await pull(client, cadre))) == {str(kept)}


async def test_push_and_pull_in_one_request(client: AsyncClient, people: dict[str, Person]) -> None:
    cadre = people["cadre_1"]
    draft_id = uuid.uuid4()
    answer = await push(client, cadre, [create_op(draft_id, str(cadre.area))], pull=True)
    assert answer["results"][0]["status"] == "applied"
    assert versions(answer) == {str(draft_id): 1}  # the pull runs after the batch committed


async def test_a_cursor_made_for_another_scope_starts_over(client: AsyncClient, people: dict[str, Person]) -> None:
    cadre_1, cadre_2 = people["cadre_1"], people["cadre_2"]
    await push(client, cadre_2, [create_op(uuid.uuid4(), str(cadre_2.area))])
    cursor_of_1 = (await pull(client, cadre_1))["cursor"]
    replayed = await pull(client, cadre_2, cursor_of_1)
    assert replayed["reset"] is True and len(replayed["changes"]) == 1


async def test_a_tampered_cursor_is_a_400(client: AsyncClient, people: dict[str, Person]) -> None:
    cadre = people["cadre_1"]
    cursor = decode_pull_cursor((await pull(client, cadre))["cursor"])
    assert cursor.previous is not None
    xmax = cursor.previous[1]
    broken = encode_pull_cursor(msgspec.structs.replace(cursor, previous=(xmax + 5, xmax, ())))  # xmin > xmax
    for bad in ("not-a-cursor!", broken, "W10"):
        response = await client.post("/api/v1/sync", json={"device_id": "p", "pull_cursor": bad}, headers=cadre.headers)
        assert response.status_code == 400, bad
        assert response.json()["errors"][0]["field"] == "pull_cursor"


async def account_principal(settings: Settings, clock: FrozenClock, username: str, role: str, unit: str) -> Principal:
    account_id = await make_account(settings, clock, username, role, unit)
    return await AccountService(settings, clock).principal(account_id, "test", frozenset())


def create(unit: str, title: str) -> SyncOperation:
    return SyncOperation(
        op_id=uuid.uuid4(),
        entity="draft",
        action="create",
        entity_id=uuid.uuid4(),
        fields={"unit_code": unit, "kind": "note", "title": title},
        at=DEVICE_TIME,
    )


async def test_a_pull_over_several_pages_sends_every_change_once(
    connected: str, settings: Settings, clock: FrozenClock
) -> None:
    service = SyncService(msgspec.structs.replace(settings, sync_pull_limit=2), clock)
    officer = await account_principal(settings, clock, "officer", "commune_officer", "00070")
    area = await UnitService(clock).create_residential_area(
        officer, "00070", ResidentialAreaCreate(name="Thôn Một", kind="thon")
    )
    ops = [create(area.code, f"Ghi chép {n}") for n in range(5)]
    await service.sync(officer, SyncRequest(device_id="d", operations=ops, pull=False), "vi")

    seen: list[str] = []
    answer = await service.sync(officer, SyncRequest(device_id="d"), "vi")
    pages = 1
    while answer.more:
        assert len(answer.changes) == 2
        seen.extend(str(c.entity_id) for c in answer.changes)
        if pages == 1:
            # A change made while the pull is under way waits for the next pull, not lost, not twice.
            late = create(area.code, "Viết giữa chừng")
            await service.sync(officer, SyncRequest(device_id="d", operations=[late], pull=False), "vi")
        answer = await service.sync(officer, SyncRequest(device_id="d", pull_cursor=answer.cursor), "vi")
        pages += 1
    seen.extend(str(c.entity_id) for c in answer.changes)
    assert sorted(seen) == sorted(str(op.entity_id) for op in ops) and pages == 3
    following = await service.sync(officer, SyncRequest(device_id="d", pull_cursor=answer.cursor), "vi")
    assert [str(c.entity_id) for c in following.changes] == [str(late.entity_id)]
    assert following.more is False and following.reset is False


async def test_the_feed_column_follows_every_write(connected: str) -> None:
    """The trigger stamps the writing transaction whatever the code path (here plain SQL)."""
    async with db.connection() as conn:
        stamps = await conn.fetch(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'drafts'::regclass AND NOT tgisinternal"
        )
    assert [row["tgname"] for row in stamps] == ["drafts_sync_xid"]
