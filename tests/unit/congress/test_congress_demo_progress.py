"""The demo's progress is deterministic for a seed and never breaks a dependency."""

from __future__ import annotations

import random
import uuid
from datetime import date

from backend.features.congress.demo import progress_of
from backend.features.congress.rules import default_deadlines

TODAY = date(2026, 3, 2)


def milestones(congress_by: date) -> list[dict[str, object]]:
    return [
        {"id": uuid.UUID(int=position), "stage": rule.stage, "due_on": due, "depends_on": list(rule.depends_on)}
        for rule, position, due in default_deadlines(congress_by, {})
    ]


def test_same_seed_same_progress_and_dependencies_first() -> None:
    rows = milestones(date(2025, 10, 31))
    runs = [[progress_of(rng, rows, TODAY) for _ in range(300)] for rng in (random.Random(5), random.Random(5))]
    assert runs[0] == runs[1]
    statuses = {status for congress in runs[0] for _, status, _, _ in congress}
    assert statuses == {"done", "in_progress", "not_started"}
    assert any(congress == [] for congress in runs[0])  # some congresses never report
    stage_of = {row["id"]: row for row in rows}
    for congress in runs[0]:
        done = {stage_of[i]["stage"]: on for i, status, on, _ in congress if status == "done"}
        for stage, on in done.items():
            rule = next(row for row in rows if row["stage"] == stage)
            assert all(needed in done and done[needed] < on for needed in rule["depends_on"])  # type: ignore[attr-defined]
            assert on <= TODAY
