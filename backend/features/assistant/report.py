"""Situation reports (báo cáo tình hình): a draft for a unit and a period, assembled from the same queries
the assistant answers with, so every number carries the query id and parameters that produced it; exported
as Markdown and DOCX (python-docx) for a person to edit and sign.
"""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.shared import Pt

from backend.features.assistant.figures import QueryParams, run_query
from backend.lib.access import Principal
from backend.lib.clock import VIETNAM, Clock
from backend.lib.i18n import translate
from backend.settings import Settings
from schemas.assistant import Figure, FigureRow, ReportSection, SituationReport

# (section title key, the queries whose figures it holds), in the order of the report.
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("assistant.report.petitions", ("petitions.stats", "petitions.by_unit", "petitions.overdue")),
    ("assistant.report.visits", ("visits.coverage", "visits.concerns")),
    ("assistant.report.congress", ("congress.progress", "congress.late")),
)
EXTRA_COLUMNS = ("answered", "late", "overdue")


async def build_report(
    principal: Principal, settings: Settings, clock: Clock, unit: Any, params: QueryParams
) -> SituationReport:
    sections = []
    number = 0
    for title_key, query_ids in SECTIONS:
        figures = []
        for query_id in query_ids:
            figure = await run_query(query_id, params, principal, settings, clock)
            number += 1
            figure.ref = f"F{number}"
            figures.append(figure)
        sections.append(
            ReportSection(
                title=translate(title_key),
                paragraphs=[f"{figure.summary} [{figure.ref}]" for figure in figures],
                figures=figures,
            )
        )
    return SituationReport(
        unit_code=unit["code"],
        unit_name=unit["name"],
        since=params.since,
        until=params.until,
        title=translate(
            "assistant.report.title",
            unit=unit["name"],
            since=params.since.strftime("%d/%m/%Y"),
            until=params.until.strftime("%d/%m/%Y"),
        ),
        sections=sections,
        generated_at=clock.now(),
    )


def _header(figure: Figure) -> list[str]:
    extra = list(figure.rows[0].extra) if figure.rows and figure.rows[0].extra else []
    share = any(row.of is not None for row in figure.rows)
    return [
        translate("assistant.report.column.item"),
        translate("assistant.report.column.value"),
        *([translate("assistant.report.column.of")] if share else []),
        *(translate(f"assistant.report.column.{name}") for name in extra),
    ]


def _cells(row: FigureRow, header_size: int) -> list[str]:
    cells = [row.label, str(row.value)]
    if row.of is not None:
        cells.append(str(row.of))
    cells.extend(str(value) for value in row.extra.values())
    return cells + [""] * (header_size - len(cells))


def _source_line(figure: Figure) -> str:
    return translate("assistant.report.source", ref=figure.ref, query=figure.query_id, link=figure.link)


def to_markdown(report: SituationReport) -> str:
    generated = report.generated_at.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")
    lines = [f"# {report.title}", "", translate("assistant.report.draft_note", at=generated), ""]
    for number, section in enumerate(report.sections, start=1):
        lines += [f"## {number}. {section.title}", "", *(f"{p}\n" for p in section.paragraphs)]
        for figure in section.figures:
            if figure.rows:
                header = _header(figure)
                lines += [f"**{figure.title}** [{figure.ref}]", "", "| " + " | ".join(header) + " |"]
                lines.append("|" + "---|" * len(header))
                for row in figure.rows:
                    cells = [cell.replace("|", "/").replace("\n", " ") for cell in _cells(row, len(header))]
                    lines.append("| " + " | ".join(cells) + " |")
                lines.append("")
    lines += [f"## {translate('assistant.report.sources')}", ""]
    lines += [f"- {_source_line(f)}" for s in report.sections for f in s.figures]
    return "\n".join(lines) + "\n"


def to_docx(report: SituationReport) -> bytes:
    document = Document()
    document.styles["Normal"].font.size = Pt(12)
    document.add_heading(report.title, level=1)
    generated = report.generated_at.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")
    document.add_paragraph(translate("assistant.report.draft_note", at=generated)).runs[0].italic = True
    for number, section in enumerate(report.sections, start=1):
        document.add_heading(f"{number}. {section.title}", level=2)
        for paragraph in section.paragraphs:
            document.add_paragraph(paragraph)
        for figure in section.figures:
            if not figure.rows:
                continue
            document.add_paragraph(f"{figure.title} [{figure.ref}]").runs[0].bold = True
            header = _header(figure)
            table = document.add_table(rows=1, cols=len(header))
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, header, strict=True):
                cell.text = text
            for row in figure.rows:
                for cell, text in zip(table.add_row().cells, _cells(row, len(header)), strict=True):
                    cell.text = text
    document.add_heading(translate("assistant.report.sources"), level=2)
    for section in report.sections:
        for figure in section.figures:
            document.add_paragraph(_source_line(figure), style="List Bullet")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
