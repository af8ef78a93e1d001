"""/api/v1/assistant: ask a question, re-run the query behind a figure, draft a situation report (JSON,
Markdown or DOCX). Thin controllers over AssistantService."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import date
from typing import Annotated, Any, Literal

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody, PathParameter, QueryParameter
from litestar.response import ServerSentEvent
from litestar.response.sse import ServerSentEventMessage
from msgspec import json

from backend.features.assistant.figures import QueryParams
from backend.features.assistant.report import to_docx, to_markdown
from backend.features.assistant.service import AssistantService, Draft
from backend.features.identity.auth import require_principal
from backend.lib.access import Principal
from backend.lib.errors import build_problem, problem_responses, request_language
from backend.lib.i18n import Language, translate
from schemas.assistant import AskAnswer, AskRequest, Figure, SituationReport

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
UnitQuery = Annotated[str, QueryParameter(min_length=1, max_length=32, description="The unit (and everything below).")]
log = logging.getLogger(__name__)
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

    @post("/ask/stream", summary="The same answer streamed: the model's draft as it is written, then the checked one",
          status_code=200, responses=problem_responses(400, 401, 404), media_type="text/event-stream",
          description="`text/event-stream`: `draft` events (`{\"text\": piece}`, the model's text as it arrives;"
          " none without a model), then one `final` event (the AskAnswer the non-streaming endpoint returns, which"
          " replaces the draft) or, if the answer could not be finished, one `error` event (a problem).")  # fmt: skip
    async def ask_stream(
        self,
        request: Request[Any, Any, Any],
        assistant: NamedDependency[AssistantService],
        principal: NamedDependency[Principal],
        data: JSONBody[AskRequest],
    ) -> ServerSentEvent:
        # Failures before the first event (bad unit, outside scope) are answered as problems, not streamed.
        answer = await assistant.ask_streamed(principal, data)
        return ServerSentEvent(_events(answer, request_language(request), request.url.path))

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


async def _events(
    answer: AsyncIterator[Draft | AskAnswer], language: Language, path: str
) -> AsyncIterator[ServerSentEventMessage]:
    try:
        async for part in answer:
            if isinstance(part, Draft):
                yield ServerSentEventMessage(event="draft", data=json.encode({"text": part.text}).decode())
            else:
                yield ServerSentEventMessage(event="final", data=json.encode(part).decode())
    except Exception as error:  # the response has started: the client is told, not left waiting
        log.exception("assistant stream failed", exc_info=error)
        problem = build_problem(
            500,
            "server-error",
            translate("problem.server_error.title", language),
            detail=translate("problem.server_error.detail", language),
            instance=path,
        )
        yield ServerSentEventMessage(event="error", data=json.encode(problem).decode())


ASSISTANT_CONTROLLERS = [AssistantController]
