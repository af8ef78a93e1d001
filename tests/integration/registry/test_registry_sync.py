"""Households, residents and visits through /api/v1/sync: offline creates, edits and deletions, replays,
merges and conflicts (settled by the commune's officer), scoped incremental pulls with tombstones, and
sensitive fields masked and audited as in the REST API."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import msgspec
import pytest
from httpx import AsyncClient
from registry_helpers import Person, add_household, residents_out_of_listing_order

from backend import db
from backend.app import MattranApp
from backend.features.audit.service import first_broken_entry
from backend.features.sync.apply import OperationApplier
from backend.features.sync.handlers import Actor
from backend.lib.clock import FrozenClock
from backend.settings import Settings
from schemas.sync import SyncOperation, SyncResult
from support.identity import access_token_for as token_for
from support.identity import make_account

pytestmark = pytest.mark.integration

CLIENT_TIME = "2026-03-02T09:15:00+07:00"
ID_NUMBER = "001203004567"


def op(
    entity: str, action: str, entity_id: uuid.UUID | str, fields: dict[str, Any] | None = None, base: int | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "op_id": str(uuid.uuid4()),
        "entity": entity,
        "action": action,
        "entity_id": str(entity_id),
        "at": CLIENT_TIME,
    }
    if fields is not None:
        body["fields"] = fields
    if base is not None:
        body["base_version"] = base
    return body


def new_household(area: str | None, **fields: Any) -> dict[str, Any]:
    return op(
        "household", "create", uuid.uuid4(), {"unit_code": area, "house_number": "12", "street": "Hàng Bài"} | fields
    )


async def sync(
    client: AsyncClient,
    who: Person,
    operations: list[dict[str, Any]],
    *,
    pull: bool = False,
    cursor: str | None = None,
    device: str = "phone-1",
) -> dict[str, Any]:
    body: dict[str, Any] = {"device_id": device, "operations": operations, "pull": pull}
    if cursor:
        body["pull_cursor"] = cursor
    response = await client.post("/api/v1/sync", json=body, headers=who.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def statuses(answer: dict[str, Any]) -> list[str]:
    return [result["status"] for result in answer["results"]]


async def count(sql: str, *args: Any) -> int:
    async with db.connection() as conn:
        return int(await conn.fetchval(sql, *args))


async def settled_count(sql: str) -> int:
    """The count once it stops changing (work in flight has committed or rolled back)."""
    previous = await count(sql)
    for _ in range(100):
        await asyncio.sleep(0.05)
        current = await count(sql)
        if current == previous:
            return current
        previous = current
    return previous


async def row_of(table: str, record_id: uuid.UUID | str) -> Any:
    async with db.connection() as conn:
        return await conn.fetchrow(f"SELECT * FROM {table} WHERE id = $1", uuid.UUID(str(record_id)))


async def audit_count(action: str, subject_id: uuid.UUID | str | None = None) -> int:
    if subject_id is None:
        return await count("SELECT count(*) FROM audit_log WHERE action = $1", action)
    return await count("SELECT count(*) FROM audit_log WHERE action = $1 AND subject_id = $2", action, str(subject_id))


async def sensitive_reads_of(resident_id: uuid.UUID | str) -> int:
    """Audit entries of sensitive reads naming this resident (a pull writes one per page, listing them)."""
    return await count(
        "SELECT count(*) FROM audit_log WHERE action = 'resident.sensitive_read' AND details->'residents' ? $1",
        str(resident_id),
    )


@pytest.fixture
async def second_cadre(
    client: AsyncClient, settings: Settings, clock: FrozenClock, people: dict[str, Person]
) -> Person:
    """Another cadre of area A (tổ dân phố số 5), with a phone of their own."""
    area = str(people["cadre_a"].area)
    account = await make_account(settings, clock, "cadre_a2", "area_cadre", area)
    return Person(account, await token_for(client, "cadre_a2"), area)


async def test_household_resident_and_visit_created_offline(client: AsyncClient, people: dict[str, Person]) -> None:
    cadre = people["cadre_a"]
    household = new_household(cadre.area, circumstances=["ho_ngheo", "ho_ngheo"], latitude=21.02, longitude=105.85)
    household_id = household["entity_id"]
    resident = op(
        "resident",
        "create",
        uuid.uuid4(),
        {
            "household_id": household_id,
            "full_name": "Nguyễn Văn An",
            "birth_date": "1980-04-02",
            "relation_to_head": "head",
            "phone": "+84 912 345 678",
            "id_number": ID_NUMBER,
            "religion": "Phật giáo",
            "memberships": [{"organisation": "hoi_nong_dan", "role": "hội viên", "since": "2019-05-01"}],
        },
    )
    visit = op(
        "visit",
        "create",
        uuid.uuid4(),
        {"household_id": household_id, "visited_on": "2026-03-01", "purpose": "Thăm hỏi", "needs": "Sửa mái nhà"},
    )
    answer = await sync(client, cadre, [household, resident, visit])
    assert statuses(answer) == ["applied"] * 3, answer
    assert [r["version"] for r in answer["results"]] == [1, 1, 1]

    # The records are the registry's own: the REST API shows them, with the same normal forms.
    shown = (await client.get(f"/api/v1/households/{household_id}", headers=cadre.headers)).json()
    assert shown["circumstances"] == ["ho_ngheo"] and shown["head_resident_id"] == resident["entity_id"]
    assert shown["head_name"] == "Nguyễn Văn An" and shown["version"] == 2  # the head was set
    stored = await row_of("residents", resident["entity_id"])
    assert (stored["birth_year"], stored["phone_digits"], stored["name_folded"]) == (
        1980,
        "0912345678",
        "nguyen van an",
    )
    assert stored["id_number_hash"] and stored["unit_path"] == shown["unit_path"]
    assert (await row_of("visits", visit["entity_id"]))["cadre"] == cadre.account_id
    assert await audit_count("household.created", household_id) == 1
    assert await audit_count("resident.created", resident["entity_id"]) == 1
    assert await audit_count("visit.created", visit["entity_id"]) == 1
    assert await audit_count("resident.sensitive_written", resident["entity_id"]) == 1

    # A cadre of the area sees sensitive fields (and the read is audited); the province officer, masked.
    pulled = {c["entity"]: c for c in (await sync(client, cadre, [], pull=True))["changes"]}
    assert set(pulled) == {"household", "resident", "visit"}
    assert pulled["resident"]["fields"]["id_number"] == ID_NUMBER and pulled["resident"]["fields"]["masked"] is False
    assert pulled["resident"]["fields"]["birth_year"] == 1980
    assert pulled["household"]["fields"]["head_name"] == "Nguyễn Văn An"
    assert pulled["visit"]["fields"]["cadre_id"] == str(cadre.account_id)
    assert await sensitive_reads_of(resident["entity_id"]) == 1
    masked = {c["entity"]: c for c in (await sync(client, people["province"], [], pull=True))["changes"]}
    assert masked["resident"]["fields"]["id_number"] == "********4567"
    assert masked["resident"]["fields"]["religion"] is None
    assert masked["resident"]["fields"]["masked_fields"] == ["id_number", "religion"]
    assert await sensitive_reads_of(resident["entity_id"]) == 1
    assert await first_broken_entry() is None
    assert await residents_out_of_listing_order() == 0


async def test_bad_fields_are_rejected_naming_the_field(client: AsyncClient, people: dict[str, Person]) -> None:
    cadre = people["cadre_a"]
    household = await add_household(client, cadre)
    hid = household["id"]

    def resident(**fields: Any) -> dict[str, Any]:
        return op("resident", "create", uuid.uuid4(), {"household_id": hid, "full_name": "A"} | fields)

    def visit(**fields: Any) -> dict[str, Any]:
        return op(
            "visit", "create", uuid.uuid4(), {"household_id": hid, "visited_on": "2026-01-01", "purpose": "x"} | fields
        )

    cases = [
        (new_household(cadre.area, colour="red"), 400, "fields.colour"),
        (new_household(cadre.area, latitude=21.0), 400, "fields.longitude"),
        (new_household(cadre.area, circumstances=["rich"]), 400, "fields.circumstances[0]"),
        (op("household", "create", uuid.uuid4(), {"house_number": "1"}), 400, "fields.unit_code"),
        (op("household", "update", hid, {"unit_code": people["cadre_b"].area}, base=1), 400, "fields.unit_code"),
        (op("household", "update", hid, {"version": 3}, base=1), 400, "fields.version"),
        (op("household", "update", hid, {}, base=1), 400, "fields"),
        (resident(id=str(uuid.uuid4())), 400, "fields.id"),
        (resident(id_number="12"), 400, "fields.id_number"),
        (resident(birth_date="2030-01-01"), 400, "fields.birth_date"),
        (resident(birth_date="1990-01-01", birth_year=1991), 400, "fields.birth_year"),
        (resident(gender="robot"), 400, "fields.gender"),
        (visit(visited_on="2030-01-01"), 400, "fields.visited_on"),
        (visit(household_id=str(uuid.uuid4())), 404, None),
        (new_household("99999-999"), 404, None),
    ]
    answer = await sync(client, cadre, [case[0] for case in cases])
    for (_, status, field), result in zip(cases, answer["results"], strict=True):
        assert result["status"] == "rejected", result
        assert result["problem"]["status"] == status, result
        if field is not None:
            assert [error["field"] for error in result["problem"]["errors"]] == [field], result
    assert await count("SELECT count(*) FROM households") == 1
    assert await count("SELECT count(*) FROM residents") + await count("SELECT count(*) FROM visits") == 0


async def test_writes_outside_scope_or_without_sensitive_rights_are_refused(
    client: AsyncClient, people: dict[str, Person]
) -> None:
    cadre_a, cadre_b = people["cadre_a"], people["cadre_b"]
    theirs = await add_household(client, cadre_b)
    answer = await sync(
        client,
        cadre_a,
        [
            new_household(cadre_b.area),
            op("resident", "create", uuid.uuid4(), {"household_id": theirs["id"], "full_name": "Lê Thị Hoa"}),
            op("household", "update", theirs["id"], {"notes": "x"}, base=1),
            op("household", "delete", theirs["id"], base=1),
        ],
    )
    assert statuses(answer) == ["rejected"] * 4
    # Outside one's scope is 404, like a record that does not exist (and audited as access.denied).
    assert {r["problem"]["status"] for r in answer["results"]} == {404}
    assert await audit_count("access.denied") == 4
    assert (await row_of("households", theirs["id"]))["version"] == 1
    # The province officer may write but not read sensitive fields, so may not write them either.
    mine = await add_household(client, cadre_a)
    province = people["province"]
    sensitive = op("resident", "create", uuid.uuid4(), {"household_id": mine["id"], "full_name": "A", "religion": "x"})
    plain = op("resident", "create", uuid.uuid4(), {"household_id": mine["id"], "full_name": "B"})
    answer = await sync(client, province, [sensitive, plain])
    assert statuses(answer) == ["rejected", "applied"]
    assert answer["results"][0]["problem"]["status"] == 403
    edit = op("resident", "update", plain["entity_id"], {"id_number": ID_NUMBER}, base=1)
    assert statuses(await sync(client, province, [edit])) == ["rejected"]
    assert (await row_of("residents", plain["entity_id"]))["id_number"] is None


async def test_the_same_batch_sent_three_times_applies_once(client: AsyncClient, people: dict[str, Person]) -> None:
    cadre = people["cadre_a"]
    household = new_household(cadre.area)
    hid = household["entity_id"]
    batch = [
        household,
        op(
            "resident", "create", uuid.uuid4(), {"household_id": hid, "full_name": "Trần Thị Bích", "ethnicity": "Kinh"}
        ),
        op("visit", "create", uuid.uuid4(), {"household_id": hid, "visited_on": "2026-02-28", "purpose": "Khảo sát"}),
        op("household", "update", hid, {"notes": "Nhà cấp bốn"}, base=1),
    ]
    first = await sync(client, cadre, batch)
    assert statuses(first) == ["applied"] * 4
    for _ in range(2):
        again = await sync(client, cadre, batch)
        assert statuses(again) == ["duplicate"] * 4
        assert [r["original_status"] for r in again["results"]] == ["applied"] * 4
        assert [r["version"] for r in again["results"]] == [r["version"] for r in first["results"]]
    # The same create under a new op_id (an outbox rebuilt from scratch) is a duplicate too.
    recreated = dict(batch[1], op_id=str(uuid.uuid4()))
    assert statuses(await sync(client, cadre, [recreated])) == ["duplicate"]
    assert await count("SELECT count(*) FROM households") == 1
    assert await count("SELECT count(*) FROM residents") == 1
    assert await count("SELECT count(*) FROM visits") == 1
    assert (await row_of("households", hid))["version"] == 2
    assert await audit_count("household.created") == 1 and await audit_count("household.updated") == 1
    assert await audit_count("resident.sensitive_written") == 1


async def test_a_batch_cut_off_halfway_is_completed_by_its_replay(
    client: AsyncClient, people: dict[str, Person], monkeypatch: pytest.MonkeyPatch
) -> None:
    cadre = people["cadre_a"]
    batch = [new_household(cadre.area, house_number=str(n)) for n in range(60)]
    halfway, applied = asyncio.Event(), []
    apply = OperationApplier.apply

    async def counting(self: OperationApplier, actor: Actor, operation: SyncOperation) -> SyncResult:
        outcome = await apply(self, actor, operation)
        applied.append(operation.op_id)
        if len(applied) == 20:
            halfway.set()
        return outcome

    monkeypatch.setattr(OperationApplier, "apply", counting)
    first = asyncio.create_task(sync(client, cadre, batch))
    await halfway.wait()
    first.cancel()  # the connection drops with the batch half done
    with pytest.raises(asyncio.CancelledError):
        await first
    # An operation already running when the connection dropped still finishes (it is shielded): count
    # once the database has settled, not before.
    done = await settled_count("SELECT count(*) FROM households")
    # About 20 made it (the one in flight may or may not have committed when the request died).
    assert 19 <= done < len(batch)

    replayed = statuses(await sync(client, cadre, batch))
    assert replayed.count("duplicate") == done and replayed.count("applied") == len(batch) - done
    assert await count("SELECT count(*) FROM households") == len(batch)
    assert await audit_count("household.created") == len(batch)
    assert await first_broken_entry() is None


async def test_two_cadres_editing_one_household_merge_or_conflict(
    client: AsyncClient, people: dict[str, Person], second_cadre: Person
) -> None:
    cadre, officer = people["cadre_a"], people["officer"]
    household = await add_household(client, cadre, notes="Gốc")
    hid = household["id"]
    # Offline on both phones, based on version 1: different fields merge.
    first = await sync(client, cadre, [op("household", "update", hid, {"notes": "Có người già"}, base=1)])
    second = await sync(
        client, second_cadre, [op("household", "update", hid, {"street": "Phố Huế", "house_number": "7"}, base=1)]
    )
    assert statuses(first) == statuses(second) == ["applied"]
    row = await row_of("households", hid)
    assert (row["notes"], row["street"], row["house_number"], row["version"]) == ("Có người già", "Phố Huế", "7", 3)
    assert row["address_folded"].startswith("7 pho hue")

    # The same field edited on both: a conflict with both values, the server's kept meanwhile.
    await sync(client, cadre, [op("household", "update", hid, {"notes": "Cán bộ A"}, base=3)])
    late = await sync(
        client,
        second_cadre,
        [op("household", "update", hid, {"notes": "Cán bộ B", "circumstances": ["nguoi_cao_tuoi_neo_don"]}, base=3)],
    )
    result = late["results"][0]
    assert result["status"] == "conflict" and result["version"] == 5
    assert result["conflict"] == {"notes": {"server": "Cán bộ A", "client": "Cán bộ B"}}
    row = await row_of("households", hid)
    assert (row["notes"], row["circumstances"]) == ("Cán bộ A", ["nguoi_cao_tuoi_neo_don"])

    # Routed to the commune's officer: cadres see it but may not settle it.
    listed = (await client.get("/api/v1/sync/conflicts", headers=officer.headers)).json()["items"]
    assert [(c["id"], c["entity"], c["entity_id"]) for c in listed] == [(result["conflict_id"], "household", hid)]
    assert (await client.get("/api/v1/sync/conflicts", headers=people["cadre_b"].headers)).json()["items"] == []
    resolve = f"/api/v1/sync/conflicts/{result['conflict_id']}/resolve"
    refused = await client.post(resolve, json={"take": {"notes": "client"}}, headers=cadre.headers)
    assert refused.status_code == 404  # approve is the officer's; the cadre's refusal is audited
    resolved = await client.post(resolve, json={"take": {"notes": "client"}}, headers=officer.headers)
    assert resolved.status_code == 200, resolved.text
    row = await row_of("households", hid)
    assert (row["notes"], row["version"]) == ("Cán bộ B", 6)
    assert await audit_count("sync.conflict_resolved", hid) == 1


async def test_resident_conflicts_keep_both_values_and_resolve_with_types(
    client: AsyncClient, people: dict[str, Person], second_cadre: Person
) -> None:
    cadre, officer = people["cadre_a"], people["officer"]
    household = new_household(cadre.area)
    resident = op(
        "resident", "create", uuid.uuid4(), {"household_id": household["entity_id"], "full_name": "Đặng Văn Minh"}
    )
    await sync(client, cadre, [household, resident])
    rid = resident["entity_id"]
    await sync(client, cadre, [op("resident", "update", rid, {"birth_date": "1975-06-01"}, base=1)])
    late = await sync(
        client,
        second_cadre,
        [op("resident", "update", rid, {"birth_date": "1976-06-01", "phone": "0987654321"}, base=1)],
    )
    result = late["results"][0]
    assert result["status"] == "conflict"
    assert result["conflict"]["birth_date"] == {"server": "1975-06-01", "client": "1976-06-01"}
    row = await row_of("residents", rid)
    assert (str(row["birth_date"]), row["phone_digits"]) == ("1975-06-01", "0987654321")
    resolve = f"/api/v1/sync/conflicts/{result['conflict_id']}/resolve"
    take = dict.fromkeys(result["conflict"], "client")
    resolved = await client.post(resolve, json={"take": take}, headers=officer.headers)
    assert resolved.status_code == 200, resolved.text
    row = await row_of("residents", rid)
    assert (str(row["birth_date"]), row["birth_year"]) == ("1976-06-01", 1976)


async def test_deletion_against_an_edit_is_a_conflict(
    client: AsyncClient, people: dict[str, Person], second_cadre: Person
) -> None:
    cadre = people["cadre_a"]
    household = new_household(cadre.area)
    hid = household["entity_id"]
    resident = op(
        "resident", "create", uuid.uuid4(), {"household_id": hid, "full_name": "Võ Thị Lan", "relation_to_head": "head"}
    )
    await sync(client, cadre, [household, resident])
    # A household with members cannot go (as online).
    has_members = await sync(client, cadre, [op("household", "delete", hid, base=2)])
    assert has_members["results"][0]["problem"]["status"] == 409

    rid = resident["entity_id"]
    await sync(client, cadre, [op("resident", "update", rid, {"phone": "0912000111"}, base=1)])
    deletion = (await sync(client, second_cadre, [op("resident", "delete", rid, base=1)]))["results"][0]
    assert deletion["status"] == "conflict" and deletion["conflict"] == {"deleted": {"server": False, "client": True}}
    assert (await row_of("residents", rid))["deleted_at"] is None

    # Deleted (based on the latest version), then edited by a phone that had not heard: a conflict again.
    assert statuses(await sync(client, cadre, [op("resident", "delete", rid, base=2)])) == ["applied"]
    row = await row_of("residents", rid)
    assert row["deleted_at"] is not None and row["version"] == 3
    assert (await row_of("households", hid))["head_resident_id"] is None  # as online: no head any more
    edit = await sync(client, second_cadre, [op("resident", "update", rid, {"full_name": "Võ Thị Lanh"}, base=2)])
    assert edit["results"][0]["status"] == "conflict"
    assert edit["results"][0]["conflict"]["deleted"] == {"server": True, "client": False}
    assert (await row_of("residents", rid))["full_name"] == "Võ Thị Lan"
    gone = await client.get(f"/api/v1/residents/{rid}", headers=cadre.headers)
    assert gone.status_code == 404
    # An empty household can go now; a visit is deleted like any record.
    assert statuses(await sync(client, cadre, [op("household", "delete", hid, base=3)])) == ["applied"]


async def test_pulls_are_scoped_incremental_and_carry_tombstones(
    client: AsyncClient, people: dict[str, Person]
) -> None:
    cadre_a, cadre_b = people["cadre_a"], people["cadre_b"]
    mine = [new_household(cadre_a.area, house_number=str(n)) for n in range(3)]
    visit = op(
        "visit",
        "create",
        uuid.uuid4(),
        {"household_id": mine[0]["entity_id"], "visited_on": "2026-03-01", "purpose": "Thăm"},
    )
    theirs = new_household(cadre_b.area)
    their_resident = op(
        "resident", "create", uuid.uuid4(), {"household_id": theirs["entity_id"], "full_name": "Hồ Văn Tư"}
    )
    await sync(client, cadre_a, [*mine, visit])
    await sync(client, cadre_b, [theirs, their_resident])

    first = await sync(client, cadre_a, [], pull=True)
    assert first["reset"] is True and first["more"] is False
    assert sorted(c["entity_id"] for c in first["changes"]) == sorted(o["entity_id"] for o in [*mine, visit])
    theirs_pulled = await sync(client, cadre_b, [], pull=True)
    assert {c["entity_id"] for c in theirs_pulled["changes"]} == {theirs["entity_id"], their_resident["entity_id"]}

    # Nothing new: nothing pulled. Then one edit, one deletion: exactly those, the deletion as a tombstone.
    quiet = await sync(client, cadre_a, [], pull=True, cursor=first["cursor"])
    assert quiet["changes"] == [] and quiet["reset"] is False
    edit = op("household", "update", mine[1]["entity_id"], {"notes": "Mới"}, base=1)
    deletion = op("household", "delete", mine[2]["entity_id"], base=1)
    await sync(client, cadre_a, [edit, deletion])
    await sync(client, cadre_b, [op("household", "update", theirs["entity_id"], {"notes": "B"}, base=1)])
    later = await sync(client, cadre_a, [], pull=True, cursor=quiet["cursor"])
    changes = {c["entity_id"]: c for c in later["changes"]}
    assert set(changes) == {mine[1]["entity_id"], mine[2]["entity_id"]}
    assert changes[mine[1]["entity_id"]]["fields"]["notes"] == "Mới" and changes[mine[1]["entity_id"]]["version"] == 2
    assert changes[mine[2]["entity_id"]]["deleted"] is True and changes[mine[2]["entity_id"]]["fields"] == {}
    # A first pull sends no tombstones.
    fresh = await sync(client, cadre_a, [], pull=True, device="new-phone")
    assert mine[2]["entity_id"] not in {c["entity_id"] for c in fresh["changes"]}
    # The commune's officer pulls both areas.
    officer = await sync(client, people["officer"], [], pull=True)
    assert {theirs["entity_id"], mine[0]["entity_id"]} <= {c["entity_id"] for c in officer["changes"]}


async def test_an_address_edit_sends_the_household_not_its_unchanged_residents(
    client: AsyncClient, people: dict[str, Person]
) -> None:
    """Residents keep a copy of their household's listing order (address_sort, for the search); the
    trigger that updates that copy is not an edit a device must download again."""
    cadre = people["cadre_a"]
    household = new_household(cadre.area, house_number="7")
    residents = [
        op("resident", "create", uuid.uuid4(), {"household_id": household["entity_id"], "full_name": name})
        for name in ("Lò Văn Páo", "Lò Thị Xuân")
    ]
    await sync(client, cadre, [household, *residents])
    first = await sync(client, cadre, [], pull=True)
    assert len(first["changes"]) == 3

    await sync(client, cadre, [op("household", "update", household["entity_id"], {"house_number": "17"}, base=1)])
    moved_on = await sync(client, cadre, [], pull=True, cursor=first["cursor"])
    assert [c["entity_id"] for c in moved_on["changes"]] == [household["entity_id"]]
    assert moved_on["changes"][0]["fields"]["house_number"] == "17"
    assert await residents_out_of_listing_order() == 0  # the copy did change

    # A real edit of a resident is still sent.
    await sync(client, cadre, [op("resident", "update", residents[0]["entity_id"], {"phone": "0912000111"}, base=1)])
    edited = await sync(client, cadre, [], pull=True, cursor=moved_on["cursor"])
    assert [c["entity_id"] for c in edited["changes"]] == [residents[0]["entity_id"]]


async def test_an_area_is_pulled_in_pages_across_entities(
    client: AsyncClient, people: dict[str, Person], app: MattranApp
) -> None:
    cadre = people["cadre_a"]
    households = [new_household(cadre.area, house_number=str(n)) for n in range(4)]
    residents = [
        op("resident", "create", uuid.uuid4(), {"household_id": h["entity_id"], "full_name": f"Người {n}"})
        for n, h in enumerate(households)
    ]
    await sync(client, cadre, [*households, *residents])
    app.state.settings = msgspec.structs.replace(app.state.settings, sync_pull_limit=3)
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        page = await sync(client, cadre, [], pull=True, cursor=cursor)
        seen.extend(c["entity_id"] for c in page["changes"])
        cursor = page["cursor"]
        if not page["more"]:
            break
    assert len(seen) == len(set(seen)) == 8


async def test_sensitive_values_in_conflicts_are_masked_for_those_who_may_not_read_them(
    client: AsyncClient, people: dict[str, Person], second_cadre: Person
) -> None:
    cadre, officer, province = people["cadre_a"], people["officer"], people["province"]
    household = new_household(cadre.area)
    resident = op(
        "resident", "create", uuid.uuid4(), {"household_id": household["entity_id"], "full_name": "Lò Văn Pao"}
    )
    await sync(client, cadre, [household, resident])
    rid = resident["entity_id"]
    await sync(client, cadre, [op("resident", "update", rid, {"religion": "Tin Lành"}, base=1)])
    late = await sync(client, second_cadre, [op("resident", "update", rid, {"religion": "Công giáo"}, base=1)])
    conflict_url = f"/api/v1/sync/conflicts/{late['results'][0]['conflict_id']}"
    before = await audit_count("conflict.sensitive_read")
    seen_by_province = (await client.get(conflict_url, headers=province.headers)).json()
    assert seen_by_province["fields"]["religion"] == {"server": "***", "client": "***"}
    assert await audit_count("conflict.sensitive_read") == before
    seen_by_officer = (await client.get(conflict_url, headers=officer.headers)).json()
    assert seen_by_officer["fields"]["religion"] == {"server": "Tin Lành", "client": "Công giáo"}
    assert await audit_count("conflict.sensitive_read") == before + 1
    assert await first_broken_entry() is None
