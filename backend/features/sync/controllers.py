"""/api/v1/sync (push a batch of offline operations, pull changes), its conflicts, and /api/v1/drafts."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, QueryParameter

from backend.features.identity.auth import require_principal
from backend.features.sync.conflicts import ConflictService
from backend.features.sync.drafts import DraftService
from backend.features.sync.service import SyncService
from backend.lib.access import Principal
from backend.lib.errors import problem_responses, request_language
from backend.lib.pagination import DEFAULT_PAGE_SIZE, PageCursor, PageLimit
from schemas.sync import (
    ConflictPage,
    ConflictRead,
    ConflictResolution,
    ConflictStatus,
    DraftPage,
    DraftRead,
    SyncRequest,
    SyncResponse,
)


def provide_sync_service(state: State) -> SyncService:
    return SyncService(state.settings, state.clock)


def provide_conflict_service(state: State) -> ConflictService:
    return ConflictService(state.clock)


class SyncController(Controller):
    path = "/api/v1/sync"
    tags = ["sync"]
    dependencies = {
        "sync_service": Provide(provide_sync_service, sync_to_thread=False),
        "conflict_service": Provide(provide_conflict_service, sync_to_thread=False),
        "principal": Provide(require_principal),
    }

    @post(
        "/",
        status_code=200,
        summary="Push offline operations and pull the changes since a cursor",
        description="Each operation is answered applied, duplicate (already applied: a replay), conflict "
        "(fields changed on both sides are kept for a person; the others are applied) or rejected (with a "
        "problem). Operations are atomic one by one and idempotent by op_id.",
        responses=problem_responses(400, 401, 403, 404, 413),
    )
    async def sync(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[SyncRequest],
        sync_service: NamedDependency[SyncService],
        principal: NamedDependency[Principal],
    ) -> SyncResponse:
        return await sync_service.sync(principal, data, request_language(request))

    @get("/conflicts", summary="Sync conflicts within your scope, oldest first", responses=problem_responses(400, 401))
    async def list_conflicts(
        self,
        conflict_service: NamedDependency[ConflictService],
        principal: NamedDependency[Principal],
        status: Annotated[ConflictStatus, QueryParameter(description="open (default) or resolved.")] = "open",
        cursor: PageCursor = None,
        limit: PageLimit = DEFAULT_PAGE_SIZE,
    ) -> ConflictPage:
        return await conflict_service.list_conflicts(principal, status, cursor, limit)

    @get("/conflicts/{conflict_id:uuid}", summary="One sync conflict", responses=problem_responses(401, 404))
    async def get_conflict(
        self,
        conflict_id: FromPath[uuid.UUID],
        conflict_service: NamedDependency[ConflictService],
        principal: NamedDependency[Principal],
    ) -> ConflictRead:
        return await conflict_service.get_conflict(principal, conflict_id)

    @post(
        "/conflicts/{conflict_id:uuid}/resolve",
        status_code=200,
        summary="Resolve a sync conflict, field by field",
        responses=problem_responses(400, 401, 403, 404, 409),
    )
    async def resolve_conflict(
        self,
        conflict_id: FromPath[uuid.UUID],
        data: JSONBody[ConflictResolution],
        conflict_service: NamedDependency[ConflictService],
        principal: NamedDependency[Principal],
    ) -> ConflictRead:
        return await conflict_service.resolve(principal, conflict_id, data)


class DraftController(Controller):
    path = "/api/v1/drafts"
    tags = ["sync"]
    dependencies = {
        "draft_service": Provide(DraftService, sync_to_thread=False),
        "principal": Provide(require_principal),
    }

    @get("/", summary="Drafts within your scope, most recently changed first", responses=problem_responses(400, 401))
    async def list_drafts(
        self,
        draft_service: NamedDependency[DraftService],
        principal: NamedDependency[Principal],
        cursor: PageCursor = None,
        limit: PageLimit = DEFAULT_PAGE_SIZE,
    ) -> DraftPage:
        return await draft_service.list_drafts(principal, cursor, limit)

    @get("/{draft_id:uuid}", summary="One draft, if within your scope", responses=problem_responses(401, 404))
    async def get_draft(
        self,
        draft_id: FromPath[uuid.UUID],
        draft_service: NamedDependency[DraftService],
        principal: NamedDependency[Principal],
    ) -> DraftRead:
        return await draft_service.get_draft(principal, draft_id)
