"""`/api/v1/sync`: apply a batch of offline operations, then send the changes made since the pull cursor.

Operations are applied in chunks, one transaction per chunk: the chunk claims its op_ids with one
statement, runs each operation in a savepoint of its own (a rejected one undoes only itself and answers
with its own problem; the others stand), then stores the outcomes, gives back the claims of the rejected,
and appends the chunk's audit entries with one statement, all before its commit. The audit chain's lock
is thus taken only at the end, once the chunk waits for no record any more (holding it while waiting for
a record that another writer, itself waiting for the lock, has locked would be a deadlock). Should the
shared transaction fail as a whole (a deadlock detected on the claims or that lock), its operations are
run again one transaction each. An operation's outcome is stored in the same transaction as its change,
so it exists exactly when the change does: a replay after a lost response, or racing the first attempt,
answers "duplicate" and changes nothing. A batch cut off (the request cancelled) stops after the operation
in hand and commits what it did. The pull runs after the operations, so it includes them.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg
import msgspec

from backend import db
from backend.features.audit.service import AuditEvent, PendingEntry, append_many, deferred, record
from backend.features.sync import repo
from backend.features.sync.apply import OperationApplier, RetryLater, operation_fingerprint, replayed, result
from backend.features.sync.entities import default_registry
from backend.features.sync.feed import (
    CURSOR_FORMAT,
    PullCursor,
    PullWindow,
    Snapshot,
    decode_pull_cursor,
    encode_pull_cursor,
    scope_digest,
)
from backend.features.sync.handlers import Actor, Registry
from backend.lib import metrics
from backend.lib.access import AccessDenied, Permission, Principal
from backend.lib.clock import Clock
from backend.lib.errors import AppError, InvalidInputError, NotFoundError, build_problem
from backend.lib.i18n import Language, translate
from backend.settings import Settings
from schemas.common import FieldError, Problem
from schemas.sync import SyncChange, SyncOperation, SyncRequest, SyncResponse, SyncResult

logger = logging.getLogger("mattran.sync")

SYNC_PATH = "/api/v1/sync"
# Operations per transaction: one commit and one audit append for that many, while a long batch still
# commits in steps and holds its record locks for a bounded time.
CHUNK_OPERATIONS = 100

# Each operation runs in this savepoint (opened again after each one).
SAVEPOINT = "sync_operation"

# An operation still to apply, with its position in the batch.
Pending = tuple[int, SyncOperation]


def operation_problem(error: AppError, language: Language) -> Problem:
    """The RFC 9457 document of a rejected operation, as the error handlers would render it."""
    detail = translate(error.detail_key, language, **error.params) if error.detail_key else None
    errors = [
        FieldError(
            field=item.field,
            message=translate("problem.validation.field", language, field=item.field, reason=item.message),
            source=item.source,
        )
        for item in error.errors
    ]
    title = translate(error.title_key, language)
    return build_problem(error.status, error.slug, title, detail=detail, instance=SYNC_PATH, errors=errors)


class ServerFailure(AppError):
    status = 500
    slug = "server-error"
    title_key = "problem.server_error.title"


def database_failure(error: asyncpg.PostgresError) -> AppError:
    """What an operation that failed in the database tells the device (never the database's own words)."""
    if isinstance(
        error,
        asyncpg.exceptions.TransactionRollbackError
        | asyncpg.exceptions.LockNotAvailableError
        | asyncpg.exceptions.QueryCanceledError,
    ):
        return RetryLater("problem.sync.retry")
    if isinstance(error, asyncpg.exceptions.DataError | asyncpg.exceptions.IntegrityConstraintViolationError):
        return InvalidInputError("problem.sync.bad_value")
    logger.error("sync operation failed in the database", exc_info=error)
    return ServerFailure("problem.server_error.detail")


@dataclass(frozen=True)
class PullPage:
    changes: list[SyncChange]
    cursor: PullCursor
    more: bool


class SyncService:
    def __init__(self, settings: Settings, clock: Clock, registry: Registry | None = None) -> None:
        self.settings = settings
        self.clock = clock
        self.registry = registry or default_registry(clock, settings)
        self.applier = OperationApplier(self.registry)

    async def sync(self, principal: Principal, request: SyncRequest, language: Language) -> SyncResponse:
        if principal.account_id is None:
            raise NotFoundError()  # sync writes as a person; service clients have their own endpoints
        self._check_size(request)
        # Decode the cursor before writing anything: a 400 must mean that nothing was applied.
        cursor = decode_pull_cursor(request.pull_cursor) if request.pull_cursor else None
        actor = Actor(principal, principal.account_id, request.device_id, self.clock.now())
        results = await self._push(actor, request.operations, language) if request.operations else []
        if not request.pull:
            return SyncResponse(results=results, changes=[], cursor=None, more=False, reset=False)
        page, reset = await self._pull(principal, cursor)
        return SyncResponse(
            results=results,
            changes=page.changes,
            cursor=encode_pull_cursor(page.cursor),
            more=page.more,
            reset=reset,
        )

    def _check_size(self, request: SyncRequest) -> None:
        limit = self.settings.sync_max_operations
        if len(request.operations) > limit:
            raise InvalidInputError(
                "problem.sync.too_many_operations",
                limit=limit,
                errors=[FieldError(field="operations", message=f"at most {limit} items", source="body")],
            )

    # Push -------------------------------------------------------------------------------------------

    async def _push(self, actor: Actor, operations: list[SyncOperation], language: Language) -> list[SyncResult]:
        # Replays of whole batches are common (a lost response): answer them with one query.
        stored = await repo.stored_outcomes(actor.account_id, [op.op_id for op in operations])
        results: dict[int, SyncResult] = {}
        pending: list[Pending] = []
        for position, op in enumerate(operations):
            if op.op_id in stored:
                results[position] = self._replayed(op, stored[op.op_id], language)
            else:
                pending.append((position, op))
        stop = asyncio.Event()
        for chunk in _chunks(pending):
            # Shielded: when the request is cancelled (shutdown, lost client), the chunk under way stops
            # after the operation in hand and commits, and its connection goes back to the pool.
            task = asyncio.ensure_future(self._chunk(actor, chunk, language, stop))
            try:
                results.update(await asyncio.shield(task))
            except asyncio.CancelledError:
                stop.set()
                raise
        return [results[position] for position in range(len(operations))]

    async def _chunk(
        self, actor: Actor, chunk: list[Pending], language: Language, stop: asyncio.Event
    ) -> dict[int, SyncResult]:
        try:
            return await self._apply_together(actor, chunk, language, stop)
        except asyncpg.PostgresError as error:
            if len(chunk) == 1:
                position, op = chunk[0]
                return {position: self._rejected(op, database_failure(error), language)}
        # The shared transaction failed as a whole: one transaction per operation, as a single failure
        # then concerns its operation only.
        results: dict[int, SyncResult] = {}
        for item in chunk:
            if stop.is_set():
                break
            results.update(await self._chunk(actor, [item], language, stop))
        return results

    async def _apply_together(
        self, actor: Actor, chunk: list[Pending], language: Language, stop: asyncio.Event
    ) -> dict[int, SyncResult]:
        results: dict[int, SyncResult] = {}
        outcomes: dict[uuid.UUID, str] = {}
        operations = [op for _, op in chunk]
        claims = [(op.op_id, op.entity, op.entity_id, op.action, operation_fingerprint(op)) for op in operations]
        with deferred() as entries:
            async with db.transaction(), db.connection() as conn:
                claimed = await repo.claim(actor.account_id, actor.device_id, actor.now, claims)
                # Taken meanwhile by a concurrent attempt, which has committed by now (the claim waited).
                taken = [op.op_id for op in operations if op.op_id not in claimed]
                stored = await repo.stored_outcomes(actor.account_id, taken) if taken else {}
                await self.applier.prefetch([op for op in operations if op.op_id in claimed])
                await conn.execute(f"SAVEPOINT {SAVEPOINT}")
                for position, op in chunk:
                    if stop.is_set():
                        break
                    if op.op_id not in claimed:
                        results[position] = self._replayed(op, stored.get(op.op_id), language)
                        continue
                    outcome = await self._apply_one(actor, op, conn, entries, language)
                    results[position] = outcome
                    if outcome.status != "rejected":
                        outcomes[op.op_id] = msgspec.json.encode(outcome).decode()
                unused = [op.op_id for op in operations if op.op_id in claimed and op.op_id not in outcomes]
                await repo.settle(actor.account_id, outcomes, unused)
                await append_many(entries)
        # Counted once committed (a chunk that fails as a whole is applied again, one operation at a time).
        metrics.count_sync_conflicts(
            op.entity for at, op in chunk if op.op_id in outcomes and results[at].status == "conflict"
        )
        return results

    async def _apply_one(
        self, actor: Actor, op: SyncOperation, conn: Any, entries: list[PendingEntry], language: Language
    ) -> SyncResult:
        """One operation in the savepoint opened for it: when rejected, it leaves nothing behind, audit
        entries included; when applied, the next operation's savepoint opens in the same round trip."""
        mark = len(entries)
        try:
            outcome = await self.applier.apply(actor, op)
        except AccessDenied as denied:
            await self._undo(conn, entries, mark)
            await self._audit_denied(actor, op, denied)
            return self._rejected(op, denied, language)
        except AppError as error:
            await self._undo(conn, entries, mark)
            return self._rejected(op, error, language)
        except asyncpg.PostgresError as error:
            await self._undo(conn, entries, mark)
            return self._rejected(op, database_failure(error), language)
        await conn.execute(f"RELEASE SAVEPOINT {SAVEPOINT}; SAVEPOINT {SAVEPOINT}")
        return outcome

    @staticmethod
    async def _undo(conn: Any, entries: list[PendingEntry], mark: int) -> None:
        # ROLLBACK TO keeps the savepoint, ready for the next operation.
        await conn.execute(f"ROLLBACK TO SAVEPOINT {SAVEPOINT}")
        del entries[mark:]

    def _replayed(self, op: SyncOperation, stored: Any | None, language: Language) -> SyncResult:
        try:
            return replayed(op, stored)
        except AppError as error:
            return self._rejected(op, error, language)

    def _rejected(self, op: SyncOperation, error: AppError, language: Language) -> SyncResult:
        return result(op, "rejected", problem=operation_problem(error, language))

    async def _audit_denied(self, actor: Actor, op: SyncOperation, denied: AccessDenied) -> None:
        """As for a denied request (security_audit): kept, though the operation itself rolled back."""
        event = AuditEvent(
            action="access.denied",
            actor=denied.actor,
            unit_path=denied.unit_path,
            details={
                "permission": denied.permission.value,
                "path": SYNC_PATH,
                "entity": op.entity,
                "entity_id": str(op.entity_id),
                "op_id": str(op.op_id),
            },
        )
        await record(event, actor.now)

    # Pull -------------------------------------------------------------------------------------------

    async def _pull(self, principal: Principal, cursor: PullCursor | None) -> tuple[PullPage, bool]:
        read_paths = principal.scope_paths(Permission.read)
        digest = scope_digest(read_paths, self.registry.names)
        # A cursor made for other roles or other entities would skip records now in scope: start over.
        reset = cursor is None or cursor.digest != digest or not self._knows(cursor.entity)
        if cursor is None or reset:
            cursor = PullCursor(format=CURSOR_FORMAT, digest=digest, previous=None)
        current = cursor.current
        if current is None:
            current = await repo.current_snapshot()
            cursor = msgspec.structs.replace(cursor, current=current, entity=None, after_xid=None, after_id=None)
        return await self._collect(principal, read_paths, cursor, current), reset

    def _knows(self, entity: str | None) -> bool:
        return entity is None or self.registry.get(entity) is not None

    async def _collect(
        self, principal: Principal, read_paths: list[str], cursor: PullCursor, current: Snapshot
    ) -> PullPage:
        """Walk the entities in name order from where the cursor stands, up to the pull limit."""
        limit = self.settings.sync_pull_limit
        names = self.registry.names
        start = names.index(cursor.entity) if cursor.entity else 0
        after = _position(cursor)
        changes: list[SyncChange] = []
        for name in names[start:]:
            room = limit - len(changes)
            window = PullWindow(previous=cursor.previous, current=current, after=after)
            rows = await self.registry[name].pull(read_paths, window, room + 1, principal)
            changes.extend(row.change for row in rows[:room])
            if len(rows) > room:
                last = rows[room - 1] if room else None
                position = (last.xid, last.change.entity_id) if last else after
                return PullPage(changes, _page_cursor(cursor, name, position), more=True)
            after = None
        done = PullCursor(format=CURSOR_FORMAT, digest=cursor.digest, previous=current)
        return PullPage(changes, done, more=False)


def _chunks(pending: list[Pending]) -> list[list[Pending]]:
    """Consecutive runs of at most CHUNK_OPERATIONS operations with distinct op_ids (a claim takes an op_id
    once: an op_id sent twice in a batch is answered by a later chunk, as a replay of the first)."""
    chunks: list[list[Pending]] = []
    current: list[Pending] = []
    seen: set[uuid.UUID] = set()
    for item in pending:
        op_id = item[1].op_id
        if len(current) == CHUNK_OPERATIONS or op_id in seen:
            chunks.append(current)
            current, seen = [], set()
        current.append(item)
        seen.add(op_id)
    if current:
        chunks.append(current)
    return chunks


def _position(cursor: PullCursor) -> tuple[int, uuid.UUID] | None:
    if cursor.after_xid is None or cursor.after_id is None:
        return None
    return cursor.after_xid, cursor.after_id


def _page_cursor(cursor: PullCursor, entity: str, position: tuple[int, uuid.UUID] | None) -> PullCursor:
    xid, entity_id = position if position else (None, None)
    return msgspec.structs.replace(cursor, entity=entity, after_xid=xid, after_id=entity_id)
