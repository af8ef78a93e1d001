"""Passages that answer a question: candidates from full-text search, then re-ranked here.

Candidates are the visible, in-force passages holding the understood question's rarer words: as many of
them together as still find enough passages, else any of them (a natural question never has all its words
in one passage; see _tiers). The re-ranking is BM25 over concepts (a word
of the question, or a synonym of it at a discount) with the corpus statistics of the library, plus a
bonus for the question's two-syllable words found whole (Vietnamese words are mostly two syllables), and
for words found in the passage's headings or document title. Coverage (the share of the question's weight
the passage matches) tells an answer from a passage that merely shares a common word.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from itertools import combinations, pairwise
from typing import Any

from backend.features.assistant import repo
from backend.features.assistant.query import QueryPlan
from backend.features.library.repo import Reader, term_statistics
from backend.lib.text import fold

CANDIDATES = 200
# A word in at least this share of the library's passages is common: not used to find candidates.
COMMON_SHARE = 0.2
# Candidates must hold at least two of the question's rarest concepts, up to this many, when enough do.
REQUIRED_CONCEPTS = 6
K1 = 1.2
B = 0.75
ALTERNATIVE_WEIGHT = 0.6
HEADING_WEIGHT = 0.3
BIGRAM_WEIGHT = 0.6
# Below this coverage of the question's weight, the best passage is not taken as an answer.
MIN_COVERAGE = 0.51


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


def _pairs(words: list[str]) -> set[str]:
    """The two-word phrases of a text (adjacent words), to find the question's two-syllable words whole."""
    return {f"{first} {second}" for first, second in pairwise(words)}


def _tiers(plan: QueryPlan, frequencies: dict[str, int], total: int) -> list[str]:
    """The tsqueries that may find candidates, strictest first: passages holding all of the question's
    REQUIRED_CONCEPTS rarest uncommon concepts (any term of each), then all but one of them, … down to two of
    them, and last any uncommon term. The first that finds enough passages is used: at a large library a
    question's rarer words together already find more candidates than are ranked, and the many passages
    holding just one frequent word of the question are never read (an index lookup per tier; reading and
    weighing every passage holding any word of the question took most of a question's time)."""
    groups = []
    for concept in plan.concepts:
        # A word in no passage matches nothing: left out, it would empty every tier that requires it.
        uncommon = [term for term in concept.terms if 0 < frequencies[term] < COMMON_SHARE * total]
        if uncommon:
            groups.append((sum(frequencies[term] for term in uncommon), uncommon))
    if not groups:  # every word is common (or in no passage): the rarest found finds the candidates
        found = [term for term in plan.all_terms if frequencies[term]]
        return [min(found, key=lambda term: (frequencies[term], term))] if found else []
    groups.sort(key=lambda group: group[0])
    either = [f"({' | '.join(terms)})" for _, terms in groups[:REQUIRED_CONCEPTS]]
    tiers = [
        " | ".join(f"({' & '.join(chosen)})" for chosen in combinations(either, size))
        for size in range(len(either), 1, -1)
    ]
    return [*tiers, " | ".join(dict.fromkeys(term for _, terms in groups for term in terms))]


async def retrieve(
    plan: QueryPlan, reader: Reader, limit: int = 5, weights: Weights = DEFAULT_WEIGHTS
) -> list[Retrieved]:
    terms = plan.all_terms
    if not terms:
        return []
    # The library's statistics over all its stored passages, kept as it indexes (not counted per question):
    # they weigh words by how rare they are in the library, whoever asks.
    statistics = await term_statistics(terms)
    total = statistics.passages
    frequencies = {term: statistics.count(term).passages for term in terms}
    idf = {term: _idf(total, frequencies[term]) for term in terms}
    concepts = [(list(concept.terms), idf[concept.term]) for concept in plan.concepts]
    tiers = _tiers(plan, frequencies, total)
    if not tiers:  # no word of the question is in the library
        return []
    for tsquery in tiers[:-1]:
        if await repo.visible_matches(tsquery, reader, CANDIDATES) >= CANDIDATES:
            break
    else:
        tsquery = tiers[-1]
    rows = await repo.candidate_passages(tsquery, concepts, reader, CANDIDATES)
    if not rows:
        return []
    question_weight = sum(idf[concept.term] for concept in plan.concepts) or 1.0
    average_length = sum(len(row["folded"].split()) for row in rows) / len(rows)
    ranked = []
    for row in rows:
        words = row["folded"].split()
        counts: dict[str, int] = {}
        for word in words:
            counts[word] = counts.get(word, 0) + 1
        headings = f"{row['title_folded']} {fold(' '.join(row['heading_path']))}"
        heading_list = headings.split()
        heading_words = set(heading_list)
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
        pairs, heading_pairs = _pairs(words), _pairs(heading_list)
        for bigram in plan.bigrams:
            first, second = bigram.split()
            bonus = weights.bigrams * (idf.get(first, 1.0) + idf.get(second, 1.0)) / 2
            if bigram in pairs:
                score += bonus
            elif bigram in heading_pairs:
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
