"""The retrieval evaluation: staff questions over the demo library with the passages that answer them
(eval/questions.tsv), scored by recall@k (share of questions with an answering passage in the first k) and
MRR (mean of 1 / rank of the first answering passage, 0 when none is in the first RANK_DEPTH).

Run by tests/integration/assistant/test_assistant_eval.py and by `mattran assistant eval` (prints the figures
for docs/benchmarks.md); the figures last recorded are in eval/recorded.json.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from backend import db
from backend.features.assistant.answer import relevant
from backend.features.assistant.query import plan
from backend.features.assistant.retrieval import DEFAULT_WEIGHTS, Retrieved, Weights, retrieve
from backend.features.library.repo import Reader

EVAL_DIR = Path(__file__).parent / "eval"
QUESTIONS = EVAL_DIR / "questions.tsv"
UNANSWERABLE = EVAL_DIR / "unanswerable.txt"
RECORDED = EVAL_DIR / "recorded.json"
# The demo library is imported with this source-key prefix (backend/features/library/demo.py).
DEMO_KEY_PREFIX = "demo:"
RANK_DEPTH = 10
# Staff of the central level: they see every published document the demo holds.
EVAL_READER = Reader(is_staff=True, read_paths=["TW"], write_paths=[])


@dataclass(frozen=True)
class Case:
    question: str
    answers: frozenset[str]  # "<file stem>#<locator>"


@dataclass(frozen=True)
class Scores:
    questions: int
    recall_at_1: float
    recall_at_5: float
    mrr: float
    misses: list[str]


@dataclass(frozen=True)
class Abstention:
    """How the answer threshold (MIN_COVERAGE) splits questions: the share of answerable ones whose best
    passage is taken as an answer, and the share of unanswerable ones the assistant declines."""

    answered: float
    declined: float
    wrongly_answered: list[str]


def load_cases(path: Path = QUESTIONS) -> list[Case]:
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        question, answers = line.split("\t")
        cases.append(Case(question.strip(), frozenset(a.strip() for a in answers.split("|"))))
    return cases


def load_unanswerable(path: Path = UNANSWERABLE) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def passage_key(passage: Retrieved) -> str:
    stem = (passage.source_key or "").removeprefix(DEMO_KEY_PREFIX).rsplit(".", 1)[0]
    return f"{stem}#{passage.locator}"


async def evaluate(cases: list[Case], weights: Weights = DEFAULT_WEIGHTS) -> Scores:
    reciprocal = at_1 = at_5 = 0.0
    misses = []
    for case in cases:
        async with db.transaction():
            found = await retrieve(plan(case.question), EVAL_READER, limit=RANK_DEPTH, weights=weights)
        ranks = [i for i, passage in enumerate(found, start=1) if passage_key(passage) in case.answers]
        first = ranks[0] if ranks else None
        reciprocal += 1 / first if first else 0.0
        at_1 += first == 1
        at_5 += first is not None and first <= 5
        if first is None or first > 5:
            misses.append(case.question)
    n = len(cases)
    return Scores(n, round(at_1 / n, 3), round(at_5 / n, 3), round(reciprocal / n, 3), misses)


async def abstention(cases: list[Case], unanswerable: list[str]) -> Abstention:
    async def answers(question: str) -> bool:
        async with db.transaction():
            return bool(relevant(await retrieve(plan(question), EVAL_READER, limit=RANK_DEPTH)))

    answered = [await answers(case.question) for case in cases]
    wrong = [question for question in unanswerable if await answers(question)]
    return Abstention(
        answered=round(sum(answered) / len(cases), 3),
        declined=round(1 - len(wrong) / len(unanswerable), 3),
        wrongly_answered=wrong,
    )


def recorded() -> dict[str, float]:
    return dict(json.loads(RECORDED.read_text(encoding="utf-8")))
