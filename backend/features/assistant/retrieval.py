"""Passages that answer a question: candidates from full-text search, then re-ranked here.

Candidates are the visible, in-force passages holding any word of the understood question (an OR query:
a natural question never has all its words in one passage). The re-ranking is BM25 over concepts (a word
of the question, or a synonym of it at a discount) with the corpus statistics of the library, plus a
bonus for the question's two-syllable words found whole (Vietnamese words are mostly two syllables), and
for words found in the passage's headings or document title. Coverage (the share of the question's weight
the passage matches) tells an answer from a passage that merely shares a common word.
"""

from __future__ import annotations

import math
import re
import uuid
from dataclasses import dataclass
from typing import Any

from backend.features.assistant import repo
from backend.features.assistant.query import QueryPlan
from backend.features.library.repo import Reader
from backend.lib.text import fold

CANDIDATES = 200
# A word in at least this share of the visible passages is common: not used to find candidates.
COMMON_SHARE = 0.2
K1 = 1.2
B = 0.75
ALTERNATIVE_WEIGHT = 0.6
HEADING_WEIGHT = 0.3
BIGRAM_WEIGHT = 0.6
# Below this coverage of the question's weight, the best passage is not taken as an answer.
MIN_COVERAGE = 0.5


@dataclass(frozen=True)
class Weights:
    """The re-ranking's knobs (the evaluation compares them switched off)."""

    bigrams: float = BIGRAM_WEIGHT
    headings: float = HEADING_WEIGHT
    alternatives: float = ALTERNATIVE_WEIGHT


DEFAULT_WEIGHTS = Weights()


@dataclass(frozen=True)
class Retrieved:
    document_id: uuid.UUID
    title: str
    number: str
    kind: str
    source_key: str | None
    ordinal: int
    locator: str
    anchor: str
    heading_path: list[str]
    text: str
    score: float
    coverage: float


def _idf(total: int, frequency: int) -> float:
    return math.log(1 + (total - frequency + 0.5) / (frequency + 0.5))


def _contains(words: str, phrase: str) -> bool:
    return re.search(rf"(?<!\S){re.escape(phrase)}(?!\S)", words) is not None


async def retrieve(
    plan: QueryPlan, reader: Reader, limit: int = 5, weights: Weights = DEFAULT_WEIGHTS
) -> list[Retrieved]:
    terms = plan.all_terms
    if not terms:
        return []
    total, frequencies = await repo.term_frequencies(terms, reader)
    # Words in a large share of the library ("mặt trận", "xã") rank every passage alike: candidates come
    # from the others (all of them when every word is common); the ranking still counts them all.
    common = {term for term, frequency in frequencies.items() if frequency >= COMMON_SHARE * total}
    rows = await repo.candidate_passages([t for t in terms if t not in common] or terms, reader, CANDIDATES)
    if not rows:
        return []
    idf = {term: _idf(total, frequencies.get(term, 0)) for term in terms}
    question_weight = sum(idf[concept.term] for concept in plan.concepts) or 1.0
    average_length = sum(len(row["folded"].split()) for row in rows) / len(rows)
    ranked = []
    for row in rows:
        words = row["folded"].split()
        counts: dict[str, int] = {}
        for word in words:
            counts[word] = counts.get(word, 0) + 1
        headings = f"{row['title_folded']} {fold(' '.join(row['heading_path']))}"
        heading_words = set(headings.split())
        norm = K1 * (1 - B + B * len(words) / average_length)
        score = covered = 0.0
        for concept in plan.concepts:
            best = 0.0
            for term in concept.terms:
                factor = 1.0 if term == concept.term else weights.alternatives
                frequency = counts.get(term, 0)
                bm25 = idf[term] * frequency * (K1 + 1) / (frequency + norm) if frequency else 0.0
                best = max(best, factor * bm25, factor * weights.headings * idf[term] * (term in heading_words))
            score += best
            covered += idf[concept.term] if best else 0.0
        text = " ".join(words)
        for bigram in plan.bigrams:
            first, second = bigram.split()
            bonus = weights.bigrams * (idf.get(first, 1.0) + idf.get(second, 1.0)) / 2
            if _contains(text, bigram):
                score += bonus
            elif _contains(headings, bigram):
                score += weights.headings * bonus
        coverage = covered / question_weight
        ranked.append((score * (0.5 + coverage), coverage, row))
    ranked.sort(key=lambda item: (-item[0], str(item[2]["document_id"]), item[2]["ordinal"]))
    return [_retrieved(row, score, coverage) for score, coverage, row in ranked[:limit]]


def _retrieved(row: Any, score: float, coverage: float) -> Retrieved:
    return Retrieved(
        document_id=row["document_id"],
        title=row["title"],
        number=row["number"],
        kind=row["kind"],
        source_key=row["source_key"],
        ordinal=row["ordinal"],
        locator=row["locator"],
        anchor=row["anchor"],
        heading_path=list(row["heading_path"]),
        text=row["body"],
        score=round(score, 4),
        coverage=round(coverage, 4),
    )
