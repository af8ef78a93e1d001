"""Library speed (issue 8 targets): search over 10,000 documents / 1,000,000 passages with p95 ≤ 50 ms, and
indexing a 300-page PDF (extract, split, store) in ≤ 10 s.

The corpus is loaded with COPY (the passage search indexes built after the load, as a bulk import would):
Zipf-distributed words, the demo guides' own words most frequent, with topical bursts per document (see
Corpus). Queries are what people type: a few consecutive words of the guides without diacritics, phrases,
numbers. Run with `pytest -m bench tests/bench/test_library_search_bench.py -s` for the figures.

Loading takes about ten minutes on a shared 2-core machine. With LIBRARY_BENCH_DATABASE_URL set (a database
of its own, e.g. postgresql://postgres@127.0.0.1:5432/bench_library), the search benchmark migrates that
database, loads the corpus only when it holds no documents, and keeps it for the next run.
"""

from __future__ import annotations

import itertools
import os
import random
import re
import statistics
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from backend import db
from backend.features.library.demo import DEMO_CONTENT
from backend.features.library.search import SearchParams, search
from backend.features.library.service import LibraryService
from backend.features.library.upload import spooled
from backend.lib.clock import FrozenClock
from backend.lib.text import fold
from backend.migrations import migrate
from backend.settings import Settings
from schemas.library import DocumentCreate
from support.config import settings_for
from support.documents import pdf_with_lines

pytestmark = pytest.mark.bench

DOCUMENTS = 10_000
PASSAGES_PER_DOCUMENT = 100
WORDS_PER_PASSAGE = 40
QUERIES = 300
QUERY_SEED = 2027
RUNS = 3
PDF_PAGES = 300
BATCH = 50_000
# Building a GIN index over a million passages takes minutes on a shared 2-core machine (the word pairs' took
# 30 minutes with eight other test runs on it).
INDEX_TIMEOUT_SECONDS = 3600
KINDS = ("law", "decree", "guidance", "guide", "template", "qa", "news")
DOCUMENT_COLUMNS = (
    "id", "title", "title_folded", "kind", "number", "number_folded", "issuer", "issuer_folded", "status",
    "categories", "meta_folded", "unit_code", "unit_path", "state", "passage_count", "created_by", "created_at",
    "updated_by", "updated_at", "published_at",
)  # fmt: skip
CATEGORIES = ("petitions", "congress", "household_work", "personal_data", "front_law", "forms")


ONSETS = ("b", "c", "ch", "d", "g", "gi", "h", "k", "kh", "l", "m", "n", "ng", "nh", "ph", "qu", "r", "s", "t", "th",
          "tr", "v", "x", "")  # fmt: skip
RHYMES = ("a", "ai", "am", "an", "ang", "anh", "ao", "at", "ac", "ach", "e", "em", "en", "eo", "et", "i", "ia", "im",
          "in", "inh", "it", "o", "oi", "om", "on", "ong", "ot", "oc", "u", "ui", "um", "un", "ung", "ut", "uc", "uy",
          "uyen", "uong", "uoc", "ien")  # fmt: skip
TOPIC_WORDS = 400


def demo_lines() -> list[str]:
    return [line for path in sorted(Path(DEMO_CONTENT).glob("*.md")) for line in path.read_text().splitlines()]


def vocabulary() -> list[str]:
    """Words by rank: the demo guides' words by frequency, then the other syllables and numbers. Folded
    Vietnamese has few distinct words (syllables without tones, a few thousand): search must cope with
    long posting lists, which is what this corpus makes it do."""
    counts: dict[str, int] = {}
    for word in re.findall(r"\w+", " ".join(demo_lines()).lower()):
        counts[word] = counts.get(word, 0) + 1
    words = sorted(counts, key=lambda word: -counts[word])
    known = {fold(word) for word in words}
    syllables = [onset + rhyme for onset in ONSETS for rhyme in RHYMES if onset + rhyme not in known]
    return words + syllables + [str(number) for number in range(1, 3000) if str(number) not in known]


class Corpus:
    """Zipf-distributed words with topical bursts: half of a passage's words come from its document's own
    few hundred words (documents are about something), half from the whole vocabulary."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.words = vocabulary()
        self.cumulative = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(self.words))))

    def text(self, count: int) -> str:
        return " ".join(self.random.choices(self.words, cum_weights=self.cumulative, k=count))

    def topic(self) -> list[str]:
        """A document's own words: mostly less common words, and a few numbers (dates, amounts)."""
        words = [word for word in self.words[100:] if not word.isdigit()]
        numbers = [word for word in self.words if word.isdigit()]
        return self.random.sample(words, TOPIC_WORDS - 40) + self.random.sample(numbers, 40)

    def passage(self, topic: list[str], count: int) -> str:
        general = self.random.choices(self.words, cum_weights=self.cumulative, k=count // 2)
        words = general + self.random.choices(topic, k=count - len(general))
        self.random.shuffle(words)
        return " ".join(words)


async def load_corpus(corpus: Corpus) -> None:
    now = datetime(2026, 3, 1, tzinfo=UTC)
    async with db.connection() as conn:
        await conn.execute("DROP INDEX library_passages_search, library_passages_pairs")
        documents = []
        for number in range(DOCUMENTS):
            title = corpus.text(8).capitalize()
            doc_number = f"{number}/2025/QH15" if number % 10 == 0 else ""
            documents.append(
                (
                    uuid.uuid4(), title, fold(title), KINDS[number % len(KINDS)], doc_number, fold(doc_number),
                    "Quốc hội", "quoc hoi", "in_force" if number % 9 else "replaced", [CATEGORIES[number % 6]],
                    fold(f"{title} {doc_number} Quốc hội"), "TW", "TW", "published", PASSAGES_PER_DOCUMENT,
                    "bench", now, "bench", now, now,
                )
            )  # fmt: skip
        await conn.copy_records_to_table(
            "library_documents",
            columns=DOCUMENT_COLUMNS,
            records=documents,
        )
        batch = []
        for document in documents:
            topic = corpus.topic()
            for ordinal in range(1, PASSAGES_PER_DOCUMENT + 1):
                body = corpus.passage(topic, WORDS_PER_PASSAGE)
                batch.append((document[0], ordinal, f"Điều {ordinal}", f"dieu-{ordinal}", body, fold(body)))
            if len(batch) >= BATCH:
                await copy_passages(conn, batch)
                batch = []
        await copy_passages(conn, batch)
        await conn.execute("SET maintenance_work_mem = '256MB'")
        for index in (
            "CREATE INDEX library_passages_search ON library_passages USING gin (tsv) WITH (fastupdate = off)",
            "CREATE INDEX library_passages_pairs ON library_passages USING gin (library_word_pairs(folded))"
            " WITH (fastupdate = off)",
        ):
            await conn.execute(index, timeout=INDEX_TIMEOUT_SECONDS)
        await conn.execute("ANALYZE library_documents")
        await conn.execute("ANALYZE library_passages")


async def copy_passages(conn: object, rows: list[tuple[object, ...]]) -> None:
    if rows:
        await conn.copy_records_to_table(  # type: ignore[attr-defined]
            "library_passages", columns=("document_id", "ordinal", "locator", "anchor", "body", "folded"), records=rows
        )


def queries() -> list[str]:
    """What people type: two or three consecutive words of a line of the demo guides (folded), some as a
    quoted phrase, and numbers (of documents in force). The same list on every run, loaded or reused."""
    chooser = random.Random(QUERY_SEED)
    lines = [fold(line).split() for line in demo_lines()]
    lines = [words for words in lines if len(words) >= 3]
    chosen = []
    for number in range(QUERIES):
        words = chooser.choice(lines)
        start = chooser.randrange(len(words) - 2)
        taken = words[start : start + 2 + number % 2]
        if number % 10 == 0:
            in_force = number * 10 + (10 if number * 10 % 9 == 0 else 0)  # every ninth is replaced (hidden)
            chosen.append(f"{in_force}/2025/QH15")
        elif number % 10 == 1:
            chosen.append('"' + " ".join(taken) + '"')
        else:
            chosen.append(" ".join(taken))
    return chosen


@pytest.fixture
async def library_corpus(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """The engine connected to a database holding the corpus: the test's own, or the kept one."""
    kept = os.environ.get("LIBRARY_BENCH_DATABASE_URL")
    if kept is None:
        request.getfixturevalue("connected")
    else:
        await db.connect(kept, min_size=1, max_size=4)
        await migrate(settings_for(kept), FrozenClock(datetime(2026, 3, 2, tzinfo=UTC)))
    async with db.connection() as conn:
        loaded = await conn.fetchval("SELECT count(*) FROM library_documents")
    if not loaded:
        started = time.perf_counter()
        await load_corpus(Corpus(2026))
        print(f"\nloaded {DOCUMENTS:,} documents / {DOCUMENTS * PASSAGES_PER_DOCUMENT:,} passages in "
              f"{time.perf_counter() - started:.0f} s")  # fmt: skip
    yield
    if kept is not None:
        await db.disconnect()


async def test_search_p95_over_a_million_passages(library_corpus: None) -> None:
    for query in queries()[:20]:  # warm the caches as a running server would be
        await search(None, SearchParams(q=query))
    p95s = []
    for run in range(RUNS):
        timings = []
        for query in queries():
            began = time.perf_counter()
            result = await search(None, SearchParams(q=query))
            timings.append((time.perf_counter() - began) * 1000)
            if "/" in query:
                assert result.hits[0].document.number == query.upper()
        timings.sort()
        p95s.append(timings[int(len(timings) * 0.95) - 1])
        print(f"run {run + 1}: {len(timings)} queries, p50 {statistics.median(timings):.1f} ms, p95 {p95s[-1]:.1f} ms, "
              f"max {timings[-1]:.1f} ms")  # fmt: skip
    p95 = statistics.median(p95s)
    assert p95 <= 50


async def test_index_a_300_page_pdf(connected: str, settings: Settings, clock: FrozenClock) -> None:
    corpus = Corpus(7)
    pages = []
    for page in range(PDF_PAGES):
        lines = [f"Dieu {page + 1}. {fold(corpus.text(6))}"]
        lines += [f"{clause}. {fold(corpus.text(12))}" for clause in range(1, 12)]
        lines += [fold(corpus.text(12)) for _ in range(30)]
        pages.append(lines)
    content = pdf_with_lines(pages)
    service = LibraryService(settings, clock)
    document = await service.create_document(
        "bench", DocumentCreate(title="Văn bản 300 trang", kind="law", unit_code="TW")
    )

    async def chunks():  # type: ignore[no-untyped-def]
        yield content

    began = time.perf_counter()
    async with spooled(chunks(), settings.library_upload_max_bytes) as upload:
        indexed = await service.upload_file("bench", document.id, None, "300-trang.pdf", upload)
    seconds = time.perf_counter() - began
    passages = indexed.passage_count
    print(f"\nindexed a {PDF_PAGES}-page PDF ({len(content):,} bytes, {passages:,} passages) in {seconds:.2f} s")
    assert indexed.passage_count >= PDF_PAGES * 12
    assert seconds <= 10
