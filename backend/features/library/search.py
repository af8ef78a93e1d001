"""Library search, callable from Python (the assistant cites its passages) and behind /api/v1/library/search.

The query is folded like the stored text (no diacritics, lower case). Quoted parts are phrases (words in
that order); other words match whole words, and the last one also as a prefix (search as you type) when
whole words find less than a page. Documents rank in tiers: the number (số ký hiệu) equal to
the query, then title matches, then other metadata, then documents found only through passages; within a
tier by full-text rank plus their best passage's. Snippets are cut from the original text, with the words
that matched wrapped in <mark> (everything else HTML-escaped).
"""

from __future__ import annotations

import html
import itertools
import re
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from backend import db
from backend.features.library import repo
from backend.features.library.views import document_read, reader_of
from backend.lib.access import Principal
from backend.lib.errors import InvalidInputError
from backend.lib.text import fold, search_terms
from schemas.common import FieldError
from schemas.library import PassageHit, SearchHit, SearchResult

MAX_HITS = 50
PASSAGES_PER_HIT = 3
# Matching passages ranked before grouping by document: enough for a page of hits, bounded for speed.
PASSAGES_RANKED = 300
# Matches a query's passages are ranked among (see repo.search_passages): every query stays fast. Each is a
# table page read; 1,000 instead of 300 took a quarter longer in passage search at a million passages.
PASSAGE_CANDIDATES = 300
# The most common words of a query are left out of finding candidate passages (library_terms) and only checked
# on the candidates, as long as the product of their shares of all passages stays at least this: merging the
# commonest word's index entries (900,000 at a million passages) cost more than the 10 % more rows it let
# through, while leaving out a word in a third of the passages tripled the rows read and made the query slower
# (docs/library.md, "Search").
MIN_KEPT_SHARE = 0.5
SNIPPET_CHARS = 240
_PHRASE = re.compile(r'"([^"]*)"')
_WORD = re.compile(r"\w+")
TIER_MATCH = {3: "number", 2: "title", 1: "metadata", 0: "passage"}


@dataclass(frozen=True)
class SearchParams:
    q: str
    kind: str | None = None
    status: str | None = None
    category: str | None = None
    issued_from: date | None = None
    issued_to: date | None = None
    issuer: str | None = None
    # Legal texts (laws, decrees, guidance) that were replaced or expired are hidden unless asked for.
    in_force_only: bool = True
    limit: int = 20


@dataclass(frozen=True)
class Round:
    """One try of the query: phrases ('(rut <-> lai)') and words ('quy', or 'quy:*' as a prefix)."""

    phrases: list[str]
    terms: list[str]

    @property
    def tsquery(self) -> str:
        return " & ".join(self.phrases + self.terms)

    def candidates(self, common: set[str], pairs: str) -> str:
        """What the passages index finds candidates by (the whole query is then checked on them): without
        common words, and without the phrases when their word pairs find them; the whole query when every
        word is common (the planner then reads the table in order, as matches are dense)."""
        kept = [term for term in self.terms if term.removesuffix(":*") not in common]
        parts = ([] if pairs else self.phrases) + kept
        if not parts and not pairs:
            return self.tsquery
        return " & ".join(parts)


@dataclass(frozen=True)
class ParsedQuery:
    # Tried in order until one finds a page of documents: whole words, then the last word also as a prefix.
    rounds: list[Round]
    # Every folded word, for highlighting.
    words: list[str] = field(default_factory=list)
    # The words outside phrases (whose share of passages decides whether they find candidates).
    terms: list[str] = field(default_factory=list)
    number: str = ""
    # The adjacent word pairs of the phrases ('rutlai & laisu'): passages holding a phrase are found through
    # them (see repo.search_passages); empty without a phrase of two words or more.
    pairs: str = ""


def parse_query(query: str) -> ParsedQuery:
    """A tsquery from the user's words; 400 when nothing searchable remains (punctuation only)."""
    parts: list[str] = []
    pairs: list[str] = []
    for phrase in _PHRASE.findall(query):
        words = search_terms(phrase)
        if words:
            parts.append("(" + " <-> ".join(words) + ")")
            pairs.extend(first + second for first, second in itertools.pairwise(words))
    words = search_terms(_PHRASE.sub(" ", query))
    if not parts and not words:
        raise InvalidInputError(
            "problem.library.empty_query",
            errors=[FieldError(field="q", message="no letters or digits", source="query")],
        )
    # Whole words first: the index skips through them fast. The last word may still be being typed, so when
    # they find less than a page, it is also taken as a prefix, which merges the index entries of every
    # longer word (costly for a short word over a million passages, hence second).
    rounds = [Round(parts, words)]
    if words:
        rounds.append(Round(parts, [*words[:-1], f"{words[-1]}:*"]))
    return ParsedQuery(
        rounds=rounds,
        words=search_terms(query.replace('"', " ")),
        terms=words,
        number=fold(query),
        pairs=" & ".join(dict.fromkeys(pairs)),
    )


def highlight(text: str, words: list[str], width: int = SNIPPET_CHARS) -> str:
    """HTML-escaped text around the first matching word (the whole text when width is 0), matches marked."""
    matches = [m for m in _WORD.finditer(text) if any(fold(m.group()).startswith(w) for w in words)]
    start, end = 0, len(text)
    if width and len(text) > width:
        first = matches[0].start() if matches else 0
        start = max(0, min(first - width // 3, len(text) - width))
        start = text.rfind(" ", 0, start) + 1 if start else 0
        end = min(len(text), start + width)
    out: list[str] = ["…" if start else ""]
    cursor = start
    for match in matches:
        if match.start() < start or match.end() > end:
            continue
        out.append(html.escape(text[cursor : match.start()]))
        out.append(f"<mark>{html.escape(match.group())}</mark>")
        cursor = match.end()
    out.append(html.escape(text[cursor:end]))
    out.append("…" if end < len(text) else "")
    return "".join(out)


async def search(principal: Principal | None, params: SearchParams) -> SearchResult:
    """Ranked hits visible to principal (None: an anonymous reader sees public documents)."""
    parsed = parse_query(params.q)
    reader = reader_of(principal)
    filters = repo.Filters(
        kind=params.kind,
        status=params.status,
        category=params.category,
        issued_from=params.issued_from,
        issued_to=params.issued_to,
        issuer_folded=fold(params.issuer) if params.issuer else None,
        in_force_only=params.in_force_only,
    )
    limit = min(params.limit, MAX_HITS)
    async with db.transaction():
        await db.plan_for_each_query()
        common = common_terms(parsed.terms, await repo.term_statistics(parsed.terms))
        for round_ in parsed.rounds:
            documents = await repo.search_documents(round_.tsquery, parsed.number, reader, filters, limit)
            passages = await repo.search_passages(
                round_.tsquery,
                round_.candidates(common, parsed.pairs),
                parsed.pairs,
                reader,
                filters,
                PASSAGES_RANKED,
                PASSAGE_CANDIDATES,
            )
            ranked = _rank(documents, passages)[:limit]
            if len(ranked) >= limit:
                break
        by_document: dict[uuid.UUID, list[Any]] = defaultdict(list)
        for row in passages:
            if len(by_document[row["document_id"]]) < PASSAGES_PER_HIT:
                by_document[row["document_id"]].append(row)
        chosen_ids = {document_id for document_id, _, _ in ranked}
        keys = [(r["document_id"], r["ordinal"]) for d in chosen_ids for r in by_document.get(d, [])]
        passage_rows = {(r["document_id"], r["ordinal"]): r for r in await repo.passages_by_key(keys)}
        rows = {row["id"]: row for row in await repo.get_documents(list(chosen_ids))}
    hits = []
    for document_id, tier, score in ranked:
        row = rows[document_id]
        found = [passage_rows[(document_id, r["ordinal"])] for r in by_document.get(document_id, [])]
        hits.append(
            SearchHit(
                document=document_read(row),
                matched=TIER_MATCH[tier],  # type: ignore[arg-type]
                score=round(score, 4),
                title_snippet=highlight(row["title"], parsed.words, width=0),
                passages=[_passage_hit(p, parsed.words) for p in found],
            )
        )
    return SearchResult(query=params.q, in_force_only=params.in_force_only, hits=hits)


def common_terms(terms: list[str], stats: repo.TermStatistics) -> set[str]:
    """The words left out of finding candidates: the most common first, while the rows read to find the same
    matches at most double (the product of their shares of all passages stays at least MIN_KEPT_SHARE)."""
    shares = sorted(((stats.count(term).passages / (stats.passages or 1), term) for term in terms), reverse=True)
    common: set[str] = set()
    kept = 1.0
    for share, term in shares:
        if kept * share < MIN_KEPT_SHARE:
            break
        common.add(term)
        kept *= share
    return common


def _rank(documents: list[Any], passages: list[Any]) -> list[tuple[uuid.UUID, int, float]]:
    """(document id, tier, score), best first: tier decides, then metadata rank plus best passage rank."""
    best_passage: dict[uuid.UUID, float] = {}
    for row in passages:
        best_passage.setdefault(row["document_id"], float(row["rank"]))
    scored = {row["id"]: (int(row["tier"]), float(row["rank"])) for row in documents}
    for document_id in best_passage:
        scored.setdefault(document_id, (0, 0.0))
    ranked = [(d, tier, rank + best_passage.get(d, 0.0)) for d, (tier, rank) in scored.items()]
    return sorted(ranked, key=lambda item: (-item[1], -item[2], str(item[0])))


def _passage_hit(row: Any, words: list[str]) -> PassageHit:
    return PassageHit(
        ordinal=row["ordinal"],
        locator=row["locator"],
        anchor=row["anchor"],
        heading_path=list(row["heading_path"]),
        snippet=highlight(row["body"], words),
        text=row["body"],
    )
