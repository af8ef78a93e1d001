"""The advisory assistant (trợ lý ảo tham mưu): questions answered from the library and live figures, each
fact with its source; situation reports (báo cáo tình hình) assembled from the data.

A citation names a library passage (document, article/clause locator, link to the reader at it); a figure
names the query behind it (a stable query id and its parameters, re-run at `link`).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

Question = Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]
UnitCode = Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
AnswerMode = Literal["extractive", "model"]


class AskRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    question: Question
    # Chosen by the client: asking again with the same id (a page loaded twice) is logged once.
    id: uuid.UUID | None = None
    # The unit the figures are about; unset: the asker's own (highest) unit. Must be within their scope.
    unit_code: UnitCode | None = None


class Sentence(msgspec.Struct, kw_only=True):
    text: str
    # The sentences that answer the question (highlighted on the page).
    answers: bool


class Citation(msgspec.Struct, kw_only=True):
    ref: str  # "S1": how the answer cites it
    document_id: uuid.UUID
    title: str
    number: str
    locator: str
    anchor: str
    link: str
    sentences: list[Sentence]
    score: float


class FigureRow(msgspec.Struct, kw_only=True):
    key: str
    label: str
    value: int
    # The whole the value is a share of (households of the area, for visit coverage).
    of: int | None = None
    # Further counts of the row, by name (petitions by category: answered, late, overdue).
    extra: dict[str, int] = msgspec.field(default_factory=dict)


class Figure(msgspec.Struct, kw_only=True):
    ref: str  # "F1"
    query_id: str
    params: dict[str, str]
    title: str
    summary: str
    total: int
    rows: list[FigureRow]
    link: str


class AskAnswer(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    question: str
    unit_code: str
    mode: AnswerMode
    # False: no source in the library or the data answers the question (the answer says so).
    answered: bool
    answer: str
    citations: list[Citation]
    figures: list[Figure]
    # Where to look when nothing answers.
    suggestions: list[str]
    # Sentences of a model's answer removed because they stated a fact without a valid citation.
    removed: list[str]
    asked_at: datetime


class ReportSection(msgspec.Struct, kw_only=True):
    title: str
    paragraphs: list[str]
    figures: list[Figure]


class SituationReport(msgspec.Struct, kw_only=True):
    unit_code: str
    unit_name: str
    since: date
    until: date
    title: str
    sections: list[ReportSection]
    generated_at: datetime
