"""Assistant use cases: ask a question, re-run a figure's query, draft a situation report.

Retrieval and figures run in one read transaction; a configured model is called after it (no transaction
is held open while waiting for it); the question, the sources used and the answer are then written to the
audit log (who, when, scope) in a transaction of their own.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import anyio

from backend import db
from backend.features.assistant import answer, model, repo
from backend.features.assistant.figures import QueryParams, run_query
from backend.features.assistant.intents import choose_queries, period_of
from backend.features.assistant.query import plan
from backend.features.assistant.report import build_report
from backend.features.assistant.retrieval import retrieve
from backend.features.audit.service import AuditEvent, record
from backend.features.library.views import reader_of
from backend.features.units import repo as units_repo
from backend.lib.access import Permission, Principal
from backend.lib.clock import Clock, today_in_vietnam
from backend.lib.errors import NotFoundError
from backend.lib.text import fold
from backend.settings import Settings
from schemas.assistant import AnswerMode, AskAnswer, AskRequest, Citation, Figure, SituationReport

RETRIEVED = 5


@dataclass(frozen=True)
class Gathered:
    question: str
    unit: Any
    cited: list[Citation]
    figures: list[Figure]
    composed: answer.Composed
    # ref -> the text a model may cite it for
    sources: dict[str, str]


@dataclass(frozen=True)
class Draft:
    """A piece of a model's answer as it is written, before the check."""

    text: str


class AssistantService:
    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock

    async def _unit(self, principal: Principal, unit_code: str | None, question: str = "") -> Any:
        """The unit asked about: the one given, else one the question names (within the asker's read scope),
        else the asker's widest; outside the asker's scope it is not found."""
        paths = principal.scope_paths(Permission.read)
        named = await repo.unit_named_in(fold(question), paths) if question and not unit_code else None
        code = unit_code or named or home_unit(principal)
        unit = await units_repo.get_unit(code) if code else None
        if unit is None or not principal.may(Permission.read, unit["path"]):
            raise NotFoundError("problem.unit_not_found.detail", code=code or "")
        return unit

    async def _gather(self, principal: Principal, request: AskRequest) -> Gathered:
        """Everything an answer is made from: the unit, the cited passages, the figures, the extractive answer."""
        question = request.question.strip()
        understood = plan(question)
        async with db.transaction():
            unit = await self._unit(principal, request.unit_code, question)
            retrieved = await retrieve(understood, reader_of(principal), limit=RETRIEVED)
            period = period_of(question, today_in_vietnam(self.clock))
            params = QueryParams(unit["code"], period.since, period.until)
            figures = [
                await run_query(query_id, params, principal, self.settings, self.clock)
                for query_id in choose_queries(question)
            ]
        cited = answer.citations(answer.relevant(retrieved), understood)
        answer.number_figures(figures)
        composed = answer.extractive(question, cited, figures)
        sources = model.sources_block(cited, figures, self.settings)
        return Gathered(question, unit, cited, figures, composed, sources)

    def _asks_model(self, gathered: Gathered) -> bool:
        return bool(self.settings.assistant_model_url) and gathered.composed.answered

    async def ask(self, principal: Principal, request: AskRequest) -> AskAnswer:
        gathered = await self._gather(principal, request)
        generated = None
        if self._asks_model(gathered):
            # A model that fails (logged by generate) leaves the extractive answer.
            with contextlib.suppress(model.ModelUnavailable):
                generated = await model.generate(gathered.question, gathered.sources, self.settings)
        return await self._finish(principal, request, gathered, generated)

    async def ask_streamed(self, principal: Principal, request: AskRequest) -> AsyncIterator[Draft | AskAnswer]:
        """Gathers the sources now (so a unit outside the asker's scope fails before anything is streamed), then
        gives an iterator of the model's text as it is written (Draft pieces) ending with the checked answer,
        which replaces the draft. A model that fails or times out midway leaves the extractive answer."""
        gathered = await self._gather(principal, request)
        return self._streamed(principal, request, gathered)

    async def _streamed(
        self, principal: Principal, request: AskRequest, gathered: Gathered
    ) -> AsyncIterator[Draft | AskAnswer]:
        generated = None
        pieces: list[str] = []
        finished = False
        try:
            if self._asks_model(gathered):
                try:
                    async for piece in model.stream(gathered.question, gathered.sources, self.settings):
                        pieces.append(piece)
                        yield Draft(piece)
                    generated = "".join(pieces)
                except model.ModelUnavailable:
                    pass  # logged by stream; the extractive answer stands
            result = await self._finish(principal, request, gathered, generated)
            finished = True
            yield result
        finally:
            if not finished:
                # The client went away (the response task is cancelled or the iterator closed) before the
                # answer was finished: the question is audited all the same, with what was shown of the
                # draft. Shielded: the cancellation that stopped the stream must not stop the audit write.
                with anyio.CancelScope(shield=True):
                    await self._finish(principal, request, gathered, None, interrupted="".join(pieces))

    async def _finish(
        self,
        principal: Principal,
        request: AskRequest,
        gathered: Gathered,
        generated: str | None,
        interrupted: str | None = None,
    ) -> AskAnswer:
        """The answer, checked if a model wrote one, logged once per answer id and asker. `interrupted`: the
        caller left before the answer was finished; the draft they were shown is logged with it."""
        composed = gathered.composed
        mode: AnswerMode = "extractive"
        text, removed = composed.text, []
        if generated is not None:
            checked = model.check(generated, gathered.sources)
            # A model answer with no cited fact left says nothing the sources back: quote them instead.
            if checked.cites:
                mode, text, removed = "model", checked.text, checked.removed
        result = AskAnswer(
            id=request.id or uuid.uuid4(),
            question=gathered.question,
            unit_code=gathered.unit["code"],
            mode=mode,
            answered=composed.answered,
            answer=text,
            citations=gathered.cited,
            figures=gathered.figures,
            suggestions=composed.suggestions,
            removed=removed,
            asked_at=self.clock.now(),
        )
        async with db.transaction():
            if not await repo.answer_logged(str(result.id), principal.actor, gathered.question):
                await self._log(principal, gathered.unit, result, interrupted)
        return result

    async def _log(self, principal: Principal, unit: Any, result: AskAnswer, interrupted: str | None) -> None:
        extra = {} if interrupted is None else {"interrupted": True, "draft": interrupted}
        event = AuditEvent(
            action="assistant.ask",
            actor=principal.actor,
            subject_type="assistant_answer",
            subject_id=str(result.id),
            unit_path=unit["path"],
            details={
                "question": result.question,
                "scope": principal.scope_paths(Permission.read),
                "mode": result.mode,
                "answered": result.answered,
                "sources": [{"document_id": str(c.document_id), "locator": c.locator} for c in result.citations],
                "figures": [{"query_id": f.query_id, "params": f.params} for f in result.figures],
                "answer": result.answer,
                "removed": result.removed,
            }
            | extra,
        )
        await record(event, self.clock.now())

    async def query(self, principal: Principal, query_id: str, params: QueryParams) -> Figure:
        async with db.transaction():
            figure = await run_query(query_id, params, principal, self.settings, self.clock)
        figure.ref = "F1"
        return figure

    async def situation_report(self, principal: Principal, params: QueryParams) -> SituationReport:
        async with db.transaction():
            unit = await self._unit(principal, params.unit_code)
            report = await build_report(principal, self.settings, self.clock, unit, params)
            await record(
                AuditEvent(
                    action="assistant.report",
                    actor=principal.actor,
                    subject_type="unit",
                    subject_id=unit["code"],
                    unit_path=unit["path"],
                    details=params.as_dict(),
                ),
                self.clock.now(),
            )
        return report


def home_unit(principal: Principal) -> str | None:
    """The unit of the asker's widest read role (the first of their read scopes)."""
    paths = principal.scope_paths(Permission.read)
    return next((role.unit_code for role in principal.roles if paths and role.unit_path == paths[0]), None)
