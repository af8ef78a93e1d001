"""Operations applied in chunks that share a transaction: each still gets its own result, a rejected one
(by a rule or by the database) leaves nothing behind while the others stand, a chunk whose transaction
fails as a whole is applied again one operation at a time, and the audit chain stays whole."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg
import pytest
from httpx import AsyncClient
from sync_helpers import Person, create_op, delete_op, push, update_op

from backend import db
from backend.features.audit import service as audit
from backend.features.audit.service import first_broken_entry
from backend.features.sync import service as sync_service
from backend.features.sync.drafts import DraftHandler
from backend.features.sync.handlers import Actor

pytestmark = pytest.mark.integration


async def count(sql: str, *args: Any) -> int:
    async with db.connection() as conn:
        return int(await conn.fetchval(sql, *args))


async def test_a_batch_over_several_chunks_gives_each_operation_its_own_result(
    client: AsyncClient, people: dict[str, Person], monkeypatch: pytest.MonkeyPatch
) -> None:
    cadre = people["cadre_1"]
    size = sync_service.CHUNK_OPERATIONS
    batch = [create_op(uuid.uuid4(), str(cadre.area), f"Hộ số {n}") for n in range(2 * size + 30)]
    # A rule refuses one in the first chunk; the database refuses one in the second; scope, one in the third.
    batch[7]["fields"]["title"] = ""
    broken = uuid.UUID(batch[size + 3]["entity_id"])
    batch[2 * size + 5]["fields"]["unit_code"] = str(people["cadre_2"].area)
    insert = DraftHandler.insert

    async def failing_for_one(
        self: DraftHandler, actor: Actor, entity_id: uuid.UUID, values: Mapping[str, Any], unit_path: str
    ) -> None:
        await insert(self, actor, entity_id, values, unit_path)
        if entity_id == broken:
            async with db.connection() as conn:
                await conn.execute("SELECT 1 / 0")

    monkeypatch.setattr(DraftHandler, "insert", failing_for_one)
    results = (await push(client, cadre, batch))["results"]

    rejected = {n: r["problem"]["status"] for n, r in enumerate(results) if r["status"] == "rejected"}
    assert rejected == {7: 400, size + 3: 400, 2 * size + 5: 404}
    assert [r["op_id"] for r in results] == [op["op_id"] for op in batch]
    applied = len(batch) - 3
    assert await count("SELECT count(*) FROM drafts") == applied
    assert await count("SELECT count(*) FROM drafts WHERE id = $1", broken) == 0
    assert await count("SELECT count(*) FROM sync_operations") == applied
    assert await count("SELECT count(*) FROM audit_log WHERE action = 'draft.created'") == applied
    assert await count("SELECT count(*) FROM audit_log WHERE subject_id = $1", str(broken)) == 0
    assert await count("SELECT count(*) FROM audit_log WHERE action = 'access.denied'") == 1
    assert await first_broken_entry() is None
    # Replayed: every applied one is a duplicate, the rejected ones are tried again.
    again = (await push(client, cadre, batch))["results"]
    assert [r["status"] for r in again].count("duplicate") == applied


async def test_a_chunk_whose_transaction_fails_is_applied_one_operation_at_a_time(
    client: AsyncClient, people: dict[str, Person], monkeypatch: pytest.MonkeyPatch
) -> None:
    cadre = people["cadre_1"]
    batch = [create_op(uuid.uuid4(), str(cadre.area), f"Ghi chép {n}") for n in range(5)]
    append_many, calls = audit.append_many, []

    async def deadlocked_once(entries: Sequence[audit.PendingEntry]) -> None:
        calls.append(len(entries))
        if len(calls) == 1:
            raise asyncpg.exceptions.DeadlockDetectedError("deadlock detected")
        await append_many(entries)

    monkeypatch.setattr(sync_service, "append_many", deadlocked_once)
    results = (await push(client, cadre, batch))["results"]

    assert [r["status"] for r in results] == ["applied"] * 5
    assert calls == [5, 1, 1, 1, 1, 1]
    assert await count("SELECT count(*) FROM drafts") == 5
    assert await count("SELECT count(*) FROM sync_operations") == 5
    assert await count("SELECT count(*) FROM audit_log WHERE action = 'draft.created'") == 5
    assert await first_broken_entry() is None


async def test_one_record_written_several_times_in_a_chunk(client: AsyncClient, people: dict[str, Person]) -> None:
    cadre = people["cadre_1"]
    draft_id = uuid.uuid4()
    batch = [
        create_op(draft_id, str(cadre.area), "Một"),
        update_op(draft_id, 1, title="Hai"),
        update_op(draft_id, 2, body="Ba"),
        delete_op(draft_id, 3),
    ]
    batch.append(dict(batch[1]))  # the same op_id twice in one batch: applied once, then a duplicate
    results = (await push(client, cadre, batch))["results"]
    assert [(r["status"], r.get("version")) for r in results] == [
        ("applied", 1),
        ("applied", 2),
        ("applied", 3),
        ("applied", 4),
        ("duplicate", 2),
    ]
    async with db.connection() as conn:
        row = await conn.fetchrow("SELECT title, body, version, deleted FROM drafts WHERE id = $1", draft_id)
    assert dict(row) == {"title": "Hai", "body": "Ba", "version": 4, "deleted": True}
    assert await count("SELECT count(*) FROM audit_log WHERE subject_id = $1", str(draft_id)) == 4
    assert await first_broken_entry() is None
