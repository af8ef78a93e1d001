"""/api/v1/congress-terms, /api/v1/congresses, /api/v1/congress-approvals, /api/v1/congress-dashboard:
thin controllers over CongressService and RollupService."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post, put
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, QueryParameter

from backend.features.congress.rollup import RollupService, dashboard_xlsx
from backend.features.congress.rules import STAGE_NAMES
from backend.features.congress.service import CongressService
from backend.features.identity.auth import require_principal
from backend.lib.access import Principal
from backend.lib.errors import NotFoundError, problem_responses, request_language
from backend.lib.pagination import DEFAULT_PAGE_SIZE, PageCursor, PageLimit
from schemas.congress import (
    ApprovalPage,
    CongressRead,
    Dashboard,
    DeadlineRead,
    DeadlineSet,
    Level,
    MilestoneRead,
    MilestoneUpdate,
    Organisation,
    ResultDecision,
    ResultRead,
    ResultSave,
    TermCreate,
    TermRead,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# URL word -> the result workflow's action (states.TRANSITIONS)
DECISIONS = {"submit": "submitted", "return": "returned", "approve": "approved", "reopen": "reopened"}
LEVELS = ("central", "province", "commune")

TermQuery = Annotated[
    str | None, QueryParameter(min_length=1, max_length=32, description="Term code; the latest term when omitted.")
]
LevelQuery = Annotated[
    Level | None, QueryParameter(description="Count only the congresses of this level (all levels when omitted).")
]
OrganisationQuery = Annotated[
    Organisation, QueryParameter(description="The Front's congresses (default) or a member organisation's.")
]


def provide_congresses(state: State) -> CongressService:
    return CongressService(state.settings, state.clock)


DEPENDENCIES = {
    "congresses": Provide(provide_congresses, sync_to_thread=False),
    "principal": Provide(require_principal),
}


def known_stage(stage: str) -> str:
    if stage not in STAGE_NAMES:
        raise NotFoundError("problem.congress.milestone_not_found", stage=stage)
    return stage


class TermController(Controller):
    path = "/api/v1/congress-terms"
    tags = ["congress"]
    dependencies = DEPENDENCIES

    @post(
        "/",
        summary="Open a term: congresses for every unit of its levels",
        responses=problem_responses(400, 401, 404, 409),
    )
    async def create(
        self,
        congresses: NamedDependency[CongressService],
        principal: NamedDependency[Principal],
        data: JSONBody[TermCreate],
    ) -> TermRead:
        return await congresses.create_term(principal, data)

    @get(
        "/",
        summary="Terms with their years, milestone templates and default deadlines",
        responses=problem_responses(401),
    )
    async def list_terms(
        self, congresses: NamedDependency[CongressService], principal: NamedDependency[Principal]
    ) -> list[TermRead]:
        return await congresses.terms()

    @put(
        "/{term:str}/deadlines/{unit_code:str}/{level:str}/{stage:str}",
        summary="Set a deadline for the congresses of a level at a unit and below (only tighter than above)",
        responses=problem_responses(400, 401, 404),
    )
    async def set_deadline(
        self,
        congresses: NamedDependency[CongressService],
        principal: NamedDependency[Principal],
        term: FromPath[str],
        unit_code: FromPath[str],
        level: FromPath[str],
        stage: FromPath[str],
        data: JSONBody[DeadlineSet],
    ) -> DeadlineRead:
        if level not in LEVELS:
            raise NotFoundError("problem.not_found.detail")
        return await congresses.set_deadline(principal, term, unit_code, level, known_stage(stage), data.due_on)


class CongressController(Controller):
    path = "/api/v1/congresses"
    tags = ["congress"]
    dependencies = DEPENDENCIES

    @get("/by-unit/{unit_code:str}", summary="A unit's congress in a term", responses=problem_responses(400, 401, 404))
    async def of_unit(
        self,
        congresses: NamedDependency[CongressService],
        principal: NamedDependency[Principal],
        unit_code: FromPath[str],
        term: TermQuery = None,
        organisation: OrganisationQuery = "front",
    ) -> CongressRead:
        return await congresses.congress_of_unit(principal, unit_code, term, organisation)

    @get(
        "/{congress_id:uuid}",
        summary="A congress: milestones, deadlines, results",
        responses=problem_responses(401, 404),
    )
    async def get_congress(
        self,
        congresses: NamedDependency[CongressService],
        principal: NamedDependency[Principal],
        congress_id: FromPath[uuid.UUID],
    ) -> CongressRead:
        return await congresses.congress(principal, congress_id)

    @put(
        "/{congress_id:uuid}/milestones/{stage:str}",
        summary="Report progress on a milestone (status, date done, evidence, note)",
        responses=problem_responses(400, 401, 404, 409),
    )
    async def report(
        self,
        congresses: NamedDependency[CongressService],
        principal: NamedDependency[Principal],
        congress_id: FromPath[uuid.UUID],
        stage: FromPath[str],
        data: JSONBody[MilestoneUpdate],
    ) -> MilestoneRead:
        return await congresses.report_progress(principal, congress_id, known_stage(stage), data)

    @put(
        "/{congress_id:uuid}/result",
        summary="Save the results (the unit; refused once approved)",
        responses=problem_responses(400, 401, 404, 409),
    )
    async def save_result(
        self,
        congresses: NamedDependency[CongressService],
        principal: NamedDependency[Principal],
        congress_id: FromPath[uuid.UUID],
        data: JSONBody[ResultSave],
    ) -> ResultRead:
        return await congresses.save_result(principal, congress_id, data)

    @post(
        "/{congress_id:uuid}/result/{decision:str}",
        summary="submit (the unit); return, approve, reopen (the level above)",
        status_code=200,
        responses=problem_responses(400, 401, 404, 409),
    )
    async def decide(
        self,
        congresses: NamedDependency[CongressService],
        principal: NamedDependency[Principal],
        congress_id: FromPath[uuid.UUID],
        decision: FromPath[str],
        data: JSONBody[ResultDecision],
    ) -> ResultRead:
        if decision not in DECISIONS:
            raise NotFoundError("problem.not_found.detail")
        return await congresses.decide(principal, congress_id, DECISIONS[decision], data)


class ApprovalController(Controller):
    path = "/api/v1/congress-approvals"
    tags = ["congress"]
    dependencies = DEPENDENCIES

    @get("/", summary="Submitted results waiting for your approval", responses=problem_responses(400, 401))
    async def pending(
        self,
        congresses: NamedDependency[CongressService],
        principal: NamedDependency[Principal],
        cursor: PageCursor = None,
        limit: PageLimit = DEFAULT_PAGE_SIZE,
    ) -> ApprovalPage:
        return await congresses.approvals(principal, cursor, limit)


class DashboardController(Controller):
    path = "/api/v1/congress-dashboard"
    tags = ["congress"]
    dependencies = DEPENDENCIES

    @get("/", summary="Roll-up of the congresses below a unit", responses=problem_responses(400, 401, 404))
    async def dashboard(
        self,
        congresses: NamedDependency[CongressService],
        principal: NamedDependency[Principal],
        unit: Annotated[str, QueryParameter(min_length=1, max_length=32)] = "TW",
        term: TermQuery = None,
        level: LevelQuery = None,
        organisation: OrganisationQuery = "front",
    ) -> Dashboard:
        return await RollupService(congresses).dashboard(principal, unit, term, level, organisation)

    @get(
        "/export",
        summary="The dashboard as an XLSX workbook",
        media_type=XLSX,
        responses=problem_responses(400, 401, 404),
    )
    async def export(
        self,
        request: Request[Any, Any, Any],
        congresses: NamedDependency[CongressService],
        principal: NamedDependency[Principal],
        unit: Annotated[str, QueryParameter(min_length=1, max_length=32)] = "TW",
        term: TermQuery = None,
        level: LevelQuery = None,
        organisation: OrganisationQuery = "front",
    ) -> Response[bytes]:
        dashboard = await RollupService(congresses).dashboard(principal, unit, term, level, organisation)
        stem = f"dai-hoi-{dashboard.unit_code}-{dashboard.as_of.isoformat()}"
        return Response(
            dashboard_xlsx(dashboard, request_language(request)),
            media_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="{stem}.xlsx"'},
        )


CONGRESS_CONTROLLERS = [TermController, CongressController, ApprovalController, DashboardController]
