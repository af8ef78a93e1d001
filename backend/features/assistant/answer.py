"""Answers composed from what was retrieved (pure: no database, no network).

The extractive answer (the default, and what every test without a model sees) quotes the sentences of
the best passages that answer the question, each followed by its citation [S1], and states each figure
in its templated sentence with its reference [F1]. Nothing is written that a source does not say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from backend.features.assistant.query import QueryPlan
from backend.features.assistant.retrieval import MIN_COVERAGE, Retrieved
from backend.lib.i18n import translate
from backend.lib.text import fold
from schemas.assistant import Citation, Figure, Sentence

CITED_PASSAGES = 3
# A sentence scoring at least this share of the best one is highlighted too.
SENTENCE_SHARE = 0.6
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")
LIBRARY_READER = "/library/document"


_NUMBERING = re.compile(r"^(\d{1,3}|[a-zđ])[.)]$")


def split_sentences(text: str) -> list[str]:
    """Sentences and lines of text; a clause's or point's number ("1.", "a)") stays with its sentence."""
    sentences: list[str] = []
    for part in (p.strip() for p in _SENTENCE_END.split(text)):
        if part and sentences and _NUMBERING.match(sentences[-1]):
            sentences[-1] = f"{sentences[-1]} {part}"
        elif part:
            sentences.append(part)
    return sentences


def _sentence_score(sentence: str, plan: QueryPlan) -> float:
    words = set(fold(sentence).split())
    score = sum(1.0 if concept.term in words else 0.6 * any(t in words for t in concept.alternatives)
                for concept in plan.concepts)  # fmt: skip
    folded = f" {fold(sentence)} "
    return score + sum(0.5 for bigram in plan.bigrams if f" {bigram} " in folded)


def answering_sentences(text: str, plan: QueryPlan) -> list[Sentence]:
    sentences = split_sentences(text)
    scores = [_sentence_score(sentence, plan) for sentence in sentences]
    best = max(scores, default=0.0)
    return [
        Sentence(text=sentence, answers=best > 0 and score >= SENTENCE_SHARE * best)
        for sentence, score in zip(sentences, scores, strict=True)
    ]


def relevant(retrieved: list[Retrieved]) -> list[Retrieved]:
    """The passages taken as answers: enough of the question matched, at most CITED_PASSAGES."""
    return [passage for passage in retrieved if passage.coverage >= MIN_COVERAGE][:CITED_PASSAGES]


def citations(passages: list[Retrieved], plan: QueryPlan) -> list[Citation]:
    return [
        Citation(
            ref=f"S{index}",
            document_id=passage.document_id,
            title=passage.title,
            number=passage.number,
            locator=passage.locator,
            anchor=passage.anchor,
            link=f"{LIBRARY_READER}?id={passage.document_id}" + (f"#{passage.anchor}" if passage.anchor else ""),
            sentences=answering_sentences(passage.text, plan),
            score=passage.score,
        )
        for index, passage in enumerate(passages, start=1)
    ]


def number_figures(figures: list[Figure]) -> list[Figure]:
    for index, figure in enumerate(figures, start=1):
        figure.ref = f"F{index}"
    return figures


def source_name(citation: Citation) -> str:
    return f"{citation.title}, {citation.locator}" if citation.locator else citation.title


@dataclass(frozen=True)
class Composed:
    answered: bool
    text: str
    suggestions: list[str]


def extractive(question: str, cited: list[Citation], figures: list[Figure]) -> Composed:
    lines = [f"{figure.summary} [{figure.ref}]" for figure in figures]
    for citation in cited:
        quoted = " ".join(s.text for s in citation.sentences if s.answers)
        lines.append(translate("assistant.answer.quote", source=source_name(citation), text=quoted, ref=citation.ref))
    if lines:
        return Composed(True, "\n".join(lines), [])
    return Composed(False, translate("assistant.answer.no_source"), suggestions(question))


def suggestions(question: str) -> list[str]:
    return [
        translate("assistant.suggest.library", query=question.strip()[:100]),
        translate("assistant.suggest.official"),
        translate("assistant.suggest.ask_above"),
    ]
