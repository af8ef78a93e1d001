"""/api/v1/households, /api/v1/residents, /api/v1/visits: thin controllers over RegistryService.

Creates answer 201 with the new record, or 200 with the same record when the request is a replay of one
already applied (same id, same content).
"""

from __future__ import annotations

import uuid
from typing import Annotated, TypeVar

from litestar import Controller, Response, delete, get, patch, post
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, QueryParameter

from backend.features.identity.auth import require_principal
from backend.features.registry.service import RegistryService
from backend.lib.access import Principal
from backend.lib.errors import problem_responses
from backend.lib.pagination import DEFAULT_PAGE_SIZE, PageCursor, PageLimit
from schemas.registry import (
    ConsentCreate,
    ConsentRead,
    DuplicateList,
    HouseholdCreate,
    HouseholdCreated,
    HouseholdDetail,
    HouseholdPage,
    HouseholdRead,
    HouseholdUpdate,
    ResidentCreate,
    ResidentCreated,
    ResidentPage,
    ResidentRead,
    ResidentUpdate,
    VisitCreate,
    VisitPage,
    VisitRead,
    VisitUpdate,
)

T = TypeVar("T")

SearchQuery = Annotated[
    str | None,
    QueryParameter(
        max_length=200,
        description="Search by name, phone, address or ID number; diacritics and case are ignored and each "
        "word matches a word prefix (`nguyen van an`, `to 5 hang bai`).",
    ),
]
UnitFilter = Annotated[
    str | None,
    QueryParameter(min_length=1, max_length=32, description="Only this unit and the units below it."),
]
ExpectedVersion = Annotated[int, QueryParameter(ge=1, description="The version last read (else 409).")]


def provide_registry(state: State) -> RegistryService:
    return RegistryService(state.settings, state.clock)


DEPENDENCIES = {
    "registry": Provide(provide_registry, sync_to_thread=False),
    "principal": Provide(require_principal),
}


def created_or_replayed(body: T, created: bool) -> Response[T]:
    return Response(body, status_code=201 if created else 200)


class HouseholdController(Controller):
    path = "/api/v1/households"
    tags = ["registry"]
    dependencies = DEPENDENCIES

    @post("/", summary="Record a household (idempotent on its id)", responses=problem_responses(400, 401, 404, 409))
    async def create(
        self,
        registry: NamedDependency[RegistryService],
        principal: NamedDependency[Principal],
        data: JSONBody[HouseholdCreate],
    ) -> Response[HouseholdCreated]:
        return created_or_replayed(*await registry.create_household(principal, data))

    @post(
        "/duplicates",
        summary="Households that may already be the one about to be recorded",
        status_code=200,
        responses=problem_responses(400, 401, 404),
    )
    async def duplicates(
        self,
        registry: NamedDependency[RegistryService],
        principal: NamedDependency[Principal],
        data: JSONBody[HouseholdCreate],
    ) -> DuplicateList:
        return await registry.household_duplicates(principal, data)

    @get("/", summary="List or search the households you may see", responses=problem_responses(400, 401, 404))
    async def list_households(
        self,
        registry: NamedDependency[RegistryService],
        principal: NamedDependency[Principal],
        q: SearchQuery = None,
        unit: UnitFilter = None,
        cursor: PageCursor = None,
        limit: PageLimit = DEFAULT_PAGE_SIZE,
    ) -> HouseholdPage:
        return await registry.list_households(principal, q, unit, cursor, limit)

    @get("/{household_id:uuid}", summary="One household with its members", responses=problem_responses(401, 404))
    async def get_household(
        self,
        registry: NamedDependency[RegistryService],
        principal: NamedDependency[Principal],
        household_id: FromPath[uuid.UUID],
    ) -> HouseholdDetail:
        return await registry.get_household(principal, household_id)

    @patch("/{household_id:uuid}", summary="Change a household", responses=problem_responses(400, 401, 404, 409))
    async def update(
        self,
        registry: NamedDependency[RegistryService],
        principal: NamedDependency[Principal],
        household_id: FromPath[uuid.UUID],
        data: JSONBody[HouseholdUpdate],
    ) -> HouseholdRead:
        return await registry.update_household(principal, household_id, data)

    @delete(
        "/{household_id:uuid}",
        summary="Remove a household without members (kept as a tombstone)",
        responses=problem_responses(400, 401, 404, 409),
    )
    async def remove(
        self,
        registry: NamedDependency[RegistryService],
        principal: NamedDependency[Principal],
        household_id: FromPath[uuid.UUID],
        version: ExpectedVersion,
    ) -> None:
        await registry.delete_household(principal, household_id, version)


class ResidentController(Controller):
    path = "/api/v1/residents"
    tags = ["registry"]
    dependencies = DEPENDENCIES

    @post(
        "/",
        summary="Record a resident in a household (idempotent)",
        responses=problem_responses(400, 401, 403, 404, 409),
    )
    async def create(
        self,
        registry: NamedDependency[RegistryService],
        principal: NamedDependency[Principal],
        data: JSONBody[ResidentCreate],
    ) -> Response[ResidentCreated]:
        return created_or_replayed(*await registry.create_resident(principal, data))

    @post(
        "/duplicates",
        summary="Residents who may already be the person about to be recorded",
        status_code=200,
        responses=problem_responses(400, 401, 404),
    )
    async def duplicates(
        self,
        registry: NamedDependency[RegistryService],
        principal: NamedDependency[Principal],
        data: JSONBody[ResidentCreate],
    ) -> DuplicateList:
        return await registry.resident_duplicates(principal, data)

    @get("/", summary="List or search residents (sensitive fields masked)", responses=problem_responses(400, 401, 404))
    async def list_residents(
        self,
        registry: NamedDependency[RegistryService],
        principal: NamedDependency[Principal],
        q: SearchQuery = None,
        unit: UnitFilter = None,
        household_id: Annotated[uuid.UUID | None, QueryParameter(description="Only this household.")] = None,
        cursor: PageCursor = None,
        limit: PageLimit = DEFAULT_PAGE_SIZE,
    ) -> ResidentPage:
        return await registry.list_residents(
            principal, query=q, unit=unit, household_id=household_id, cursor=cursor, limit=limit
        )

    @get(
        "/{resident_id:uuid}",
        summary="One resident; sensitive fields shown (and the reading audited) only to roles that need them",
        responses=problem_responses(401, 404),
    )
    async def get_resident(
        self,
        registry: NamedDependency[RegistryService],
        principal: NamedDependency[Principal],
        resident_id: FromPath[uuid.UUID],
    ) -> ResidentRead:
        return await registry.get_resident(principal, resident_id)

    @patch("/{resident_id:uuid}", summary="Change a resident", responses=problem_responses(400, 401, 403, 404, 409))
    async def update(
        self,
        registry: NamedDependency[RegistryService],
        principal: NamedDependency[Principal],
        resident_id: FromPath[uuid.UUID],
        data: JSONBody[ResidentUpdate],
    ) -> ResidentRead:
        return await registry.update_resident(principal, resident_id, data)

    @delete(
        "/{resident_id:uuid}",
        summary="Remove a resident (kept as a tombstone)",
        responses=problem_responses(400, 401, 404, 409),
    )
    async def remove(
        self,
        registry: NamedDependency[RegistryService],
        principal: NamedDependency[Principal],
        resident_id: FromPath[uuid.UUID],
        version: ExpectedVersion,
    ) -> None:
        await registry.delete_resident(principal, resident_id, version)

    @get("/{resident_id:uuid}/consents", summary="A resident's consents", responses=problem_responses(401, 404))
    async def consents(
        self,
        registry: NamedDependency[RegistryService],
        principal: NamedDependency[Principal],
        resident_id: FromPath[uuid.UUID],
    ) -> list[ConsentRead]:
        return await registry.list_consents(principal, resident_id)

    @post(
        "/{resident_id:uuid}/consents",
        summary="Record a resident's consent for one purpose (idempotent)",
        responses=problem_responses(400, 401, 404, 409),
    )
    async def record_consent(
        self,
        registry: NamedDependency[RegistryService],
        principal: NamedDependency[Principal],
        resident_id: FromPath[uuid.UUID],
        data: JSONBody[ConsentCreate],
    ) -> Response[ConsentRead]:
        return created_or_replayed(*await registry.record_consent(principal, resident_id, data))

    @post(
        "/{resident_id:uuid}/consents/{consent_id:uuid}/withdraw",
        summary="Withdraw a consent",
        status_code=200,
        responses=problem_responses(401, 404),
    )
    async def withdraw_consent(
        self,
        registry: NamedDependency[RegistryService],
        principal: NamedDependency[Principal],
        resident_id: FromPath[uuid.UUID],
        consent_id: FromPath[uuid.UUID],
    ) -> ConsentRead:
        return await registry.withdraw_consent(principal, resident_id, consent_id)


class VisitController(Controller):
    path = "/api/v1/visits"
    tags = ["registry"]
    dependencies = DEPENDENCIES

    @post("/", summary="Record a door-to-door visit (idempotent)", responses=problem_responses(400, 401, 404, 409))
    async def create(
        self,
        registry: NamedDependency[RegistryService],
        principal: NamedDependency[Principal],
        data: JSONBody[VisitCreate],
    ) -> Response[VisitRead]:
        return created_or_replayed(*await registry.record_visit(principal, data))

    @get("/", summary="Visits you may see, newest first", responses=problem_responses(400, 401, 404))
    async def list_visits(
        self,
        registry: NamedDependency[RegistryService],
        principal: NamedDependency[Principal],
        household_id: Annotated[uuid.UUID | None, QueryParameter(description="Only this household.")] = None,
        cursor: PageCursor = None,
        limit: PageLimit = DEFAULT_PAGE_SIZE,
    ) -> VisitPage:
        return await registry.list_visits(principal, household_id, cursor, limit)

    @get("/{visit_id:uuid}", summary="One visit", responses=problem_responses(401, 404))
    async def get_visit(
        self,
        registry: NamedDependency[RegistryService],
        principal: NamedDependency[Principal],
        visit_id: FromPath[uuid.UUID],
    ) -> VisitRead:
        return await registry.get_visit(principal, visit_id)

    @patch("/{visit_id:uuid}", summary="Change a visit", responses=problem_responses(400, 401, 404, 409))
    async def update(
        self,
        registry: NamedDependency[RegistryService],
        principal: NamedDependency[Principal],
        visit_id: FromPath[uuid.UUID],
        data: JSONBody[VisitUpdate],
    ) -> VisitRead:
        return await registry.update_visit(principal, visit_id, data)

    @delete(
        "/{visit_id:uuid}",
        summary="Remove a visit (kept as a tombstone)",
        responses=problem_responses(400, 401, 404, 409),
    )
    async def remove(
        self,
        registry: NamedDependency[RegistryService],
        principal: NamedDependency[Principal],
        visit_id: FromPath[uuid.UUID],
        version: ExpectedVersion,
    ) -> None:
        await registry.delete_visit(principal, visit_id, version)


REGISTRY_CONTROLLERS = [HouseholdController, ResidentController, VisitController]
