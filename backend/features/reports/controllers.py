"""/api/v1/reports/{unit_code}/{week}: a unit's weekly report, its submission and corrections, and the
roll-up of the units below (JSON or XLSX). Thin controllers over ReportService."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post, put
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody, PathParameter

from backend.features.identity.auth import require_principal
from backend.features.registry.exports import MEDIA_TYPES
from backend.features.reports.service import ReportService
from backend.lib.access import Principal
from backend.lib.errors import problem_responses, request_language
from schemas.reports import ReportCorrection, ReportDraftWrite, ReportPrefill, ReportRead, ReportRollUp, ReportSubmit

UnitCode = Annotated[str, PathParameter(min_length=1, max_length=32, description="The reporting unit's code.")]
WeekPath = Annotated[str, PathParameter(pattern=r"^[0-9]{4}-W[0-9]{2}$", description="ISO 8601 week, e.g. `2026-W10`.")]


def provide_reports(state: State) -> ReportService:
    return ReportService(state.settings, state.clock)


class ReportController(Controller):
    path = "/api/v1/reports/{unit_code:str}/{week:str}"
    tags = ["reports"]
    dependencies = {"reports": Provide(provide_reports, sync_to_thread=False), "principal": Provide(require_principal)}

    @get("/", summary="The unit's report of the week (newest revision, with the list of revisions)",
         responses=problem_responses(400, 401, 404))  # fmt: skip
    async def get_report(
        self,
        reports: NamedDependency[ReportService],
        principal: NamedDependency[Principal],
        unit_code: UnitCode,
        week: WeekPath,
    ) -> ReportRead:
        return await reports.get_report(principal, unit_code, week)

    @get("/prefill", summary="What a new report starts from (households visited, from the registry)",
         responses=problem_responses(400, 401, 404))  # fmt: skip
    async def prefill(
        self,
        reports: NamedDependency[ReportService],
        principal: NamedDependency[Principal],
        unit_code: UnitCode,
        week: WeekPath,
    ) -> ReportPrefill:
        return await reports.prefill(principal, unit_code, week)

    @put("/", summary="Create (no version) or change (version last read) the week's draft",
         responses=problem_responses(400, 401, 403, 404, 409))  # fmt: skip
    async def save_draft(
        self,
        reports: NamedDependency[ReportService],
        principal: NamedDependency[Principal],
        unit_code: UnitCode,
        week: WeekPath,
        data: JSONBody[ReportDraftWrite],
    ) -> Response[ReportRead]:
        report, created = await reports.save_draft(principal, unit_code, week, data)
        return Response(report, status_code=201 if created else 200)

    @post("/submit", summary="Submit the draft (then locked)", status_code=200,
          responses=problem_responses(400, 401, 403, 404, 409))  # fmt: skip
    async def submit(
        self,
        reports: NamedDependency[ReportService],
        principal: NamedDependency[Principal],
        unit_code: UnitCode,
        week: WeekPath,
        data: JSONBody[ReportSubmit],
    ) -> ReportRead:
        return await reports.submit(principal, unit_code, week, data)

    @post("/corrections", summary="Open a correction of the submitted report (a new revision, as a draft)",
          responses=problem_responses(400, 401, 403, 404, 409))  # fmt: skip
    async def correct(
        self,
        reports: NamedDependency[ReportService],
        principal: NamedDependency[Principal],
        unit_code: UnitCode,
        week: WeekPath,
        data: JSONBody[ReportCorrection],
    ) -> ReportRead:
        return await reports.correct(principal, unit_code, week, data)

    @get("/rollup", summary="Totals of the units below, per level, with who has not reported",
         responses=problem_responses(400, 401, 404))  # fmt: skip
    async def roll_up(
        self,
        reports: NamedDependency[ReportService],
        principal: NamedDependency[Principal],
        unit_code: UnitCode,
        week: WeekPath,
    ) -> ReportRollUp:
        return await reports.roll_up(principal, unit_code, week)

    @get("/rollup.xlsx", summary="The roll-up as an Excel workbook", media_type=MEDIA_TYPES["xlsx"],
         responses=problem_responses(400, 401, 404))  # fmt: skip
    async def roll_up_xlsx(
        self,
        request: Request[Any, Any, Any],
        reports: NamedDependency[ReportService],
        principal: NamedDependency[Principal],
        unit_code: UnitCode,
        week: WeekPath,
    ) -> Response[bytes]:
        content = await reports.roll_up_xlsx(principal, unit_code, week, request_language(request))
        return Response(
            content,
            media_type=MEDIA_TYPES["xlsx"],
            headers={"Content-Disposition": f'attachment; filename="bao-cao-{unit_code}-{week}.xlsx"'},
        )


REPORT_CONTROLLERS = [ReportController]
