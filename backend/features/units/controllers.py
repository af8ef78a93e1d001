"""GET /api/v1/units: the org-unit tree, public reference data (no sign-in needed)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody, PathParameter, QueryParameter

from backend.features.identity.auth import require_principal
from backend.features.units.service import UnitService
from backend.lib.access import Principal
from backend.lib.clock import Clock
from backend.lib.errors import problem_responses
from backend.lib.pagination import DEFAULT_PAGE_SIZE, PageCursor, PageLimit
from schemas.units import ResidentialAreaCreate, ResidentialAreaRename, UnitDetail, UnitLevel, UnitPage, UnitRead

UnitCode = Annotated[str, PathParameter(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9._-]+$")]


def provide_unit_service(clock: NamedDependency[Clock]) -> UnitService:
    return UnitService(clock)


class UnitController(Controller):
    path = "/api/v1/units"
    tags = ["units"]
    dependencies = {"unit_service": Provide(provide_unit_service, sync_to_thread=False)}

    @get("/", summary="List or search org units", responses=problem_responses(400))
    async def list_units(
        self,
        unit_service: NamedDependency[UnitService],
        level: Annotated[UnitLevel | None, QueryParameter(description="Only units of this level.")] = None,
        parent: Annotated[
            str | None,
            QueryParameter(min_length=1, max_length=32, description="Only the direct children of this unit."),
        ] = None,
        q: Annotated[
            str | None,
            QueryParameter(
                max_length=200,
                description="Search by name, ignoring diacritics and case; each word matches a word prefix.",
            ),
        ] = None,
        include_retired: Annotated[bool, QueryParameter(description="Also list units merged or dissolved.")] = False,
        cursor: PageCursor = None,
        limit: PageLimit = DEFAULT_PAGE_SIZE,
    ) -> UnitPage:
        return await unit_service.list_units(
            level=level, parent=parent, query=q, include_retired=include_retired, cursor=cursor, limit=limit
        )

    @post(
        "/{code:str}/areas",
        summary="Create a residential area under a commune",
        dependencies={"principal": Provide(require_principal)},
        responses=problem_responses(400, 401, 404, 409),
    )
    async def create_area(
        self,
        unit_service: NamedDependency[UnitService],
        principal: NamedDependency[Principal],
        code: UnitCode,
        data: JSONBody[ResidentialAreaCreate],
    ) -> UnitRead:
        return await unit_service.create_residential_area(principal, code, data)

    @patch(
        "/{code:str}",
        summary="Rename a residential area",
        dependencies={"principal": Provide(require_principal)},
        responses=problem_responses(400, 401, 404, 409),
    )
    async def rename_area(
        self,
        unit_service: NamedDependency[UnitService],
        principal: NamedDependency[Principal],
        code: UnitCode,
        data: JSONBody[ResidentialAreaRename],
    ) -> UnitRead:
        return await unit_service.rename_residential_area(principal, code, data)

    @get("/{code:str}", summary="One org unit with its ancestors and lineage", responses=problem_responses(400, 404))
    async def get_unit(self, unit_service: NamedDependency[UnitService], code: UnitCode) -> UnitDetail:
        return await unit_service.get_unit(code)
