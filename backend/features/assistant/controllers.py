"""/api/v1/assistant: ask a question, re-run the query behind a figure, draft a situation report (JSON,
Markdown or DOCX). Thin controllers over AssistantService."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from litestar import Controller, Response, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody, PathParameter, QueryParameter

from backend.features.assistant.figures import QueryParams
from backend.features.assistant.report import to_docx, to_markdown
from backend.features.assistant.service import AssistantService
from backend.features.identity.auth import require_principal
from backend.lib.access import Principal
from backend.lib.errors import problem_responses
from schemas.assistant import AskAnswer, AskRequest, Figure, SituationReport

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
UnitQuery = Annotated[str, QueryParameter(min_length=1, max_length=32, description="The unit (and everything below).")]
Since = Annotated[date, QueryParameter(description="First day of the period (Viet Nam date).")]
Until = Annotated[date, QueryParameter(description="Last day of the period, included.")]


def provide_assistant(state: State) -> AssistantService:
    return AssistantService(state.settings, state.clock)


class AssistantController(Controller):
    path = "/api/v1/assistant"
    tags = ["assistant"]
    dependencies = {
        "assistant": Provide(provide_assistant, sync_to_thread=False),
        "principal": Provide(require_principal),
    }

    @post("/ask", summary="Answer a question from the library and live figures, citing every source", status_code=200,
          responses=problem_responses(400, 401, 404))  # fmt: skip
    async def ask(
        self,
        assistant: NamedDependency[AssistantService],
        principal: NamedDependency[Principal],
        data: JSONBody[AskRequest],
    ) -> AskAnswer:
        return await assistant.ask(principal, data)

    @get("/queries/{query_id:str}", summary="Re-run the query behind a figure of an answer or a report",
         responses=problem_responses(400, 401, 404))  # fmt: skip
    async def query(
        self,
        assistant: NamedDependency[AssistantService],
        principal: NamedDependency[Principal],
        query_id: Annotated[str, PathParameter(max_length=60, description="e.g. `petitions.stats`.")],
        unit_code: UnitQuery,
        since: Since,
        until: Until,
    ) -> Figure:
        return await assistant.query(principal, query_id, QueryParams(unit_code, since, until))

    @get("/reports", summary="A draft situation report (báo cáo tình hình) of a unit for a period",
         responses=problem_responses(400, 401, 404))  # fmt: skip
    async def report(
        self,
        assistant: NamedDependency[AssistantService],
        principal: NamedDependency[Principal],
        unit_code: UnitQuery,
        since: Since,
        until: Until,
        file_format: Annotated[
            Literal["json", "md", "docx"], QueryParameter(name="format", description="json (default), md or docx.")
        ] = "json",
    ) -> Response[bytes] | SituationReport:
        report = await assistant.situation_report(principal, QueryParams(unit_code, since, until))
        if file_format == "json":
            return report
        filename = f"bao-cao-tinh-hinh-{report.unit_code}-{since}-{until}.{file_format}"
        content, media_type = (
            (to_docx(report), DOCX) if file_format == "docx" else (to_markdown(report).encode(), "text/markdown")
        )
        return Response(
            content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
        )


ASSISTANT_CONTROLLERS = [AssistantController]
