"""/api/v1/petitions: thin controllers over PetitionService.

Filing answers 201 with the receipt (tracking code), or 200 with the same receipt when it is a replay
(same `id` or `Idempotency-Key`, same content). Each workflow step is `POST /api/v1/petitions/{id}/<action>`.
The tracking routes (`/api/v1/petitions/track/{code}…`) and the published answers are public.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, HeaderParameter, JSONBody, QueryParameter

from backend.features.identity.auth import optional_principal, require_principal
from backend.features.petitions.service import PetitionService
from backend.features.petitions.stats import StatsService
from backend.features.registry.exports import MEDIA_TYPES, ExportFormat
from backend.lib.access import Principal
from backend.lib.errors import problem_responses, request_language
from backend.lib.pagination import DEFAULT_PAGE_SIZE, PageCursor, PageLimit
from schemas.petitions import (
    AnswerCommand,
    AssignCommand,
    AttachmentRead,
    CategoryList,
    ClassifyCommand,
    DuplicateList,
    ForwardCommand,
    MergeCommand,
    NoteCommand,
    PetitionCreate,
    PetitionPage,
    PetitionRead,
    PetitionReceipt,
    PetitionState,
    PetitionStats,
    PetitionTracking,
    PublishedPage,
    RatingCreate,
    RejectCommand,
    ReopenCommand,
)

IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="idempotency-key",
        min_length=8,
        max_length=100,
        description="Makes a retried filing answer the same receipt.",
    ),
]
StateFilter = Annotated[list[PetitionState] | None, QueryParameter(name="state", description="Only these states.")]
TrackingCodeQuery = Annotated[str | None, QueryParameter(max_length=40, description="The filer's tracking code.")]
FileName = Annotated[str, QueryParameter(max_length=200, description="The file's name, shown to staff.")]
UnitQuery = Annotated[str, QueryParameter(min_length=1, max_length=32, description="This unit and everything below.")]
SearchQuery = Annotated[
    str | None, QueryParameter(max_length=200, description="Words of the title or text; diacritics ignored.")
]


def provide_petitions(state: State) -> PetitionService:
    return PetitionService(state.settings, state.clock)


def client_key(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"


DEPENDENCIES = {
    "petitions": Provide(provide_petitions, sync_to_thread=False),
    "principal": Provide(require_principal),
    "caller": Provide(optional_principal),
}
TRANSITION_RESPONSES = problem_responses(400, 401, 404, 409)


class PetitionController(Controller):
    path = "/api/v1/petitions"
    tags = ["petitions"]
    dependencies = DEPENDENCIES

    @get("/categories", summary="Fields (lĩnh vực) with their deadlines", responses=problem_responses())
    async def categories(
        self, request: Request[Any, Any, Any], petitions: NamedDependency[PetitionService]
    ) -> CategoryList:
        return await petitions.categories(request_language(request))

    @post(
        "/",
        summary="File a petition (without an account, signed in, on a citizen's behalf, or as staff)",
        responses=problem_responses(400, 401, 404, 409),
    )
    async def file(
        self,
        petitions: NamedDependency[PetitionService],
        caller: NamedDependency[Principal | None],
        data: JSONBody[PetitionCreate],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[PetitionReceipt]:
        receipt, created = await petitions.file(caller, data, idempotency_key)
        return Response(receipt, status_code=201 if created else 200)

    @get("/", summary="Staff inbox: open petitions by due date", responses=problem_responses(400, 401, 404))
    async def inbox(
        self,
        petitions: NamedDependency[PetitionService],
        principal: NamedDependency[Principal],
        states: StateFilter = None,
        mine: Annotated[bool, QueryParameter(description="Only the petitions assigned to you.")] = False,
        unit: Annotated[str | None, QueryParameter(max_length=32)] = None,
        cursor: PageCursor = None,
        limit: PageLimit = DEFAULT_PAGE_SIZE,
    ) -> PetitionPage:
        return await petitions.inbox(principal, list(states) if states else None, mine, unit, cursor, limit)

    @get("/mine", summary="The petitions you filed", responses=problem_responses(401))
    async def mine(
        self, petitions: NamedDependency[PetitionService], principal: NamedDependency[Principal]
    ) -> PetitionPage:
        return await petitions.mine(principal)

    @get(
        "/published", summary="Published answers (public; search ignores diacritics)", responses=problem_responses(400)
    )
    async def published(
        self,
        petitions: NamedDependency[PetitionService],
        q: SearchQuery = None,
        cursor: PageCursor = None,
        limit: PageLimit = DEFAULT_PAGE_SIZE,
    ) -> PublishedPage:
        return await petitions.published(q, cursor, limit)

    @get(
        "/stats",
        summary="Figures for a period, by category and by the units below (rolled up)",
        responses=problem_responses(400, 401, 404),
    )
    async def stats(
        self,
        state: State,
        principal: NamedDependency[Principal],
        unit: UnitQuery,
        since: Annotated[date, QueryParameter(description="First day (Viet Nam date).")],
        until: Annotated[date, QueryParameter(description="Last day, included.")],
    ) -> PetitionStats:
        return await StatsService(state.clock).figures(principal, unit, since, until)

    @get(
        "/stats/export",
        summary="The same figures as CSV or XLSX",
        responses=problem_responses(400, 401, 404),
        media_type="application/octet-stream",
    )
    async def export_stats(
        self,
        request: Request[Any, Any, Any],
        state: State,
        principal: NamedDependency[Principal],
        unit: UnitQuery,
        since: Annotated[date, QueryParameter()],
        until: Annotated[date, QueryParameter()],
        file_format: Annotated[ExportFormat, QueryParameter(name="format")] = "xlsx",
    ) -> Response[bytes]:
        content = await StatsService(state.clock).export(
            principal, unit, since, until, file_format, request_language(request)
        )
        disposition = f'attachment; filename="kien-nghi-{unit}-{since}-{until}.{file_format}"'
        return Response(content, media_type=MEDIA_TYPES[file_format], headers={"Content-Disposition": disposition})

    @get(
        "/track/{code:str}",
        summary="Follow a petition by its tracking code (public, throttled)",
        responses=problem_responses(404, 429),
    )
    async def track(
        self, request: Request[Any, Any, Any], petitions: NamedDependency[PetitionService], code: FromPath[str]
    ) -> PetitionTracking:
        return await petitions.track(code, client_key(request), request_language(request))

    @post(
        "/track/{code:str}/reopen",
        summary="Reopen with a reason (holder of the code)",
        status_code=200,
        responses=problem_responses(400, 404, 409),
    )
    async def reopen_by_code(
        self, petitions: NamedDependency[PetitionService], code: FromPath[str], data: JSONBody[ReopenCommand]
    ) -> PetitionTracking:
        return await petitions.reopen(None, data, code=code)

    @post(
        "/track/{code:str}/rating",
        summary="Rate the answer (holder of the code)",
        status_code=200,
        responses=problem_responses(400, 404, 409),
    )
    async def rate_by_code(
        self, petitions: NamedDependency[PetitionService], code: FromPath[str], data: JSONBody[RatingCreate]
    ) -> PetitionTracking:
        return await petitions.rate(None, data, code=code)

    @get("/{petition_id:uuid}", summary="One petition with its timeline", responses=problem_responses(401, 404))
    async def detail(
        self,
        petitions: NamedDependency[PetitionService],
        principal: NamedDependency[Principal],
        petition_id: FromPath[uuid.UUID],
    ) -> PetitionRead:
        return await petitions.get(principal, petition_id)

    @get(
        "/{petition_id:uuid}/duplicates",
        summary="Petitions that may be the same matter (when classifying)",
        responses=problem_responses(401, 404),
    )
    async def duplicates(
        self,
        petitions: NamedDependency[PetitionService],
        principal: NamedDependency[Principal],
        petition_id: FromPath[uuid.UUID],
    ) -> DuplicateList:
        return await petitions.duplicates(principal, petition_id)

    @post(
        "/{petition_id:uuid}/classify",
        summary="Classify (choose the field)",
        status_code=200,
        responses=TRANSITION_RESPONSES,
    )
    async def classify(
        self,
        petitions: NamedDependency[PetitionService],
        principal: NamedDependency[Principal],
        petition_id: FromPath[uuid.UUID],
        data: JSONBody[ClassifyCommand],
    ) -> PetitionRead:
        return await petitions.classify(principal, petition_id, data)

    @post(
        "/{petition_id:uuid}/assign",
        summary="Assign to a cadre or officer",
        status_code=200,
        responses=TRANSITION_RESPONSES,
    )
    async def assign(
        self,
        petitions: NamedDependency[PetitionService],
        principal: NamedDependency[Principal],
        petition_id: FromPath[uuid.UUID],
        data: JSONBody[AssignCommand],
    ) -> PetitionRead:
        return await petitions.assign(principal, petition_id, data)

    @post(
        "/{petition_id:uuid}/forward",
        summary="Forward to the competent body (dispatch number and date)",
        status_code=200,
        responses=TRANSITION_RESPONSES,
    )
    async def forward(
        self,
        petitions: NamedDependency[PetitionService],
        principal: NamedDependency[Principal],
        petition_id: FromPath[uuid.UUID],
        data: JSONBody[ForwardCommand],
    ) -> PetitionRead:
        return await petitions.forward(principal, petition_id, data)

    @post("/{petition_id:uuid}/answer", summary="Answer with evidence", status_code=200, responses=TRANSITION_RESPONSES)
    async def answer(
        self,
        petitions: NamedDependency[PetitionService],
        principal: NamedDependency[Principal],
        petition_id: FromPath[uuid.UUID],
        data: JSONBody[AnswerCommand],
    ) -> PetitionRead:
        return await petitions.answer(principal, petition_id, data)

    @post("/{petition_id:uuid}/publish", summary="Publish the answer", status_code=200, responses=TRANSITION_RESPONSES)
    async def publish(
        self,
        petitions: NamedDependency[PetitionService],
        principal: NamedDependency[Principal],
        petition_id: FromPath[uuid.UUID],
        data: JSONBody[NoteCommand],
    ) -> PetitionRead:
        return await petitions.publish(principal, petition_id, data)

    @post("/{petition_id:uuid}/close", summary="Close", status_code=200, responses=TRANSITION_RESPONSES)
    async def close(
        self,
        petitions: NamedDependency[PetitionService],
        principal: NamedDependency[Principal],
        petition_id: FromPath[uuid.UUID],
        data: JSONBody[NoteCommand],
    ) -> PetitionRead:
        return await petitions.close(principal, petition_id, data)

    @post(
        "/{petition_id:uuid}/reject",
        summary="Reject (a reason is required)",
        status_code=200,
        responses=TRANSITION_RESPONSES,
    )
    async def reject(
        self,
        petitions: NamedDependency[PetitionService],
        principal: NamedDependency[Principal],
        petition_id: FromPath[uuid.UUID],
        data: JSONBody[RejectCommand],
    ) -> PetitionRead:
        return await petitions.reject(principal, petition_id, data)

    @post(
        "/{petition_id:uuid}/merge",
        summary="Merge into another petition as a duplicate",
        status_code=200,
        responses=TRANSITION_RESPONSES,
    )
    async def merge(
        self,
        petitions: NamedDependency[PetitionService],
        principal: NamedDependency[Principal],
        petition_id: FromPath[uuid.UUID],
        data: JSONBody[MergeCommand],
    ) -> PetitionRead:
        return await petitions.merge(principal, petition_id, data)

    @post(
        "/{petition_id:uuid}/reopen",
        summary="Reopen your own petition with a reason",
        status_code=200,
        responses=TRANSITION_RESPONSES,
    )
    async def reopen(
        self,
        petitions: NamedDependency[PetitionService],
        principal: NamedDependency[Principal],
        petition_id: FromPath[uuid.UUID],
        data: JSONBody[ReopenCommand],
    ) -> PetitionTracking:
        return await petitions.reopen(principal, data, petition_id=petition_id)

    @post(
        "/{petition_id:uuid}/rating",
        summary="Rate the answer to your own petition",
        status_code=200,
        responses=TRANSITION_RESPONSES,
    )
    async def rate(
        self,
        petitions: NamedDependency[PetitionService],
        principal: NamedDependency[Principal],
        petition_id: FromPath[uuid.UUID],
        data: JSONBody[RatingCreate],
    ) -> PetitionTracking:
        return await petitions.rate(principal, data, petition_id=petition_id)

    @post(
        "/{petition_id:uuid}/attachments",
        summary="Attach a photo or PDF (the raw file as the body): evidence by staff, or the filer's own files",
        responses=problem_responses(400, 404, 413),
    )
    async def attach(
        self,
        request: Request[Any, Any, Any],
        petitions: NamedDependency[PetitionService],
        caller: NamedDependency[Principal | None],
        petition_id: FromPath[uuid.UUID],
        filename: FileName = "",
        code: TrackingCodeQuery = None,
    ) -> Response[AttachmentRead]:
        content = await request.body()
        read = await petitions.add_attachment(caller, petition_id, content, filename, code=code)
        return Response(read, status_code=201)

    @get(
        "/{petition_id:uuid}/attachments/{attachment_id:uuid}",
        summary="An attachment's public copy",
        responses=problem_responses(404),
        media_type="application/octet-stream",
    )
    async def attachment(
        self,
        petitions: NamedDependency[PetitionService],
        caller: NamedDependency[Principal | None],
        petition_id: FromPath[uuid.UUID],
        attachment_id: FromPath[uuid.UUID],
    ) -> Response[bytes]:
        content, media_type = await petitions.attachment_content(caller, petition_id, attachment_id)
        headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=300"}
        return Response(content, media_type=media_type, headers=headers)
