"""Demo congress data: one term across the centre, all provinces and all communes, with a realistic
spread of progress (most units on time, some late, a few silent), deterministic for a seed.

Each congress gets a pace (days ahead of or behind its deadlines); each stage is done at its deadline plus
that pace, never before what it depends on, and only if that date has passed. A few congresses never
report at all, so "not reported" shows up as its own figure. Results exist for congresses already held:
most approved, some waiting for approval, a few drafts. Loaded with COPY and one UPDATE per table.
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from typing import Any

from backend import db
from backend.features.congress import repo
from backend.features.congress.service import CongressService
from backend.lib.access import Principal, Role, ScopedRole
from backend.lib.clock import Clock, today_in_vietnam
from backend.settings import Settings
from schemas.congress import TermCreate, TermLevelYears

DEMO_TERM = "2025-2030"
SILENT_SHARE = 0.04
STALLED_SHARE = 0.12
RESULT_STATES = ("approved",) * 7 + ("submitted",) * 2 + ("draft",)
SEED_PRINCIPAL = Principal(account_id=None, client_id="seed", roles=(ScopedRole(Role.central_admin, "TW", "TW"),))


def demo_term() -> TermCreate:
    """The reported deadlines: communes by 31 Oct 2025, provinces by 31 Dec 2025, the national congress
    (11th, 2026–2031) in May 2026."""
    return TermCreate(
        code=DEMO_TERM,
        name="Nhiệm kỳ 2025–2030 (Trung ương 2026–2031)",
        levels=[
            TermLevelYears(level="central", start_year=2026, end_year=2031, congress_by=date(2026, 5, 31)),
            TermLevelYears(level="province", start_year=2025, end_year=2030, congress_by=date(2025, 12, 31)),
            TermLevelYears(level="commune", start_year=2025, end_year=2030, congress_by=date(2025, 10, 31)),
        ],
    )


def progress_of(rng: random.Random, milestones: list[Any], today: date) -> list[tuple[Any, ...]]:
    """(id, status, done_on, evidence) for one congress's milestones, dependencies respected."""
    if rng.random() < SILENT_SHARE:
        return []
    pace = round(rng.gauss(-4, 10))
    # Some congresses stall at a stage (personnel disputes, a merger of units) and report nothing past it.
    stall_at = rng.randint(3, len(milestones)) if rng.random() < STALLED_SHARE else len(milestones) + 1
    done: dict[str, date] = {}
    rows = []
    for position, m in enumerate(milestones, start=1):
        if position > stall_at:
            break
        ready_after = max((done[s] for s in m["depends_on"] if s in done), default=None)
        blocked = any(s not in done for s in m["depends_on"])
        finish = m["due_on"] + timedelta(days=pace + rng.randint(-3, 3))
        if ready_after is not None:
            finish = max(finish, ready_after + timedelta(days=1))
        if not blocked and finish <= today and position < stall_at:
            done[m["stage"]] = finish
            evidence = [{"kind": "minutes", "title": "Biên bản", "ref": f"/thu-vien/bien-ban/{m['id']}"}]
            rows.append((m["id"], "done", finish, json.dumps(evidence)))
        elif not blocked and rng.random() < 0.8:
            rows.append((m["id"], "in_progress", None, "[]"))
        elif rng.random() < 0.7:
            rows.append((m["id"], "not_started", None, "[]"))
    return rows


def _result(rng: random.Random, congress: Any, held_on: date) -> tuple[Any, ...]:
    size = rng.randint(80, 150) if congress["level"] != "commune" else rng.randint(30, 65)
    vice = rng.randint(3, 8) if congress["level"] != "commune" else rng.randint(2, 4)
    leaders = [{"name": "Chủ tịch", "role": "chair", "full_time": True}] + [
        {"name": f"Phó Chủ tịch {n}", "role": "vice_chair", "full_time": n <= 2} for n in range(1, vice + 1)
    ]
    delegates = size * rng.randint(2, 4)
    structure = {"women": round(delegates * rng.uniform(0.3, 0.5)), "youth": round(delegates * rng.uniform(0.05, 0.2))}
    return (
        congress["id"], rng.choice(RESULT_STATES), held_on, delegates, json.dumps(structure), size,
        round(rng.uniform(25, 50), 1), round(rng.uniform(20, 45), 1), round(rng.uniform(0, 40), 1),
        round(rng.uniform(0, 15), 1), round(rng.uniform(5, 20), 1), json.dumps(leaders, ensure_ascii=False),
        "[]", "[]", json.dumps(["Báo cáo chính trị", "Chương trình hành động"], ensure_ascii=False),
    )  # fmt: skip


async def seed_demo_congresses(settings: Settings, clock: Clock, seed: int) -> dict[str, int]:
    """Open the demo term and report progress on it; nothing when the term exists already."""
    if await repo.term_levels(DEMO_TERM):
        return {"congresses": 0, "milestones_reported": 0, "results": 0}
    await CongressService(settings, clock).create_term(SEED_PRINCIPAL, demo_term())
    rng = random.Random(seed)
    today = today_in_vietnam(clock)
    async with db.transaction(), db.connection() as conn:
        milestones = await conn.fetch(
            "SELECT m.id, m.congress, m.stage, m.due_on, t.depends_on, c.level FROM congress_milestones m"
            " JOIN congress_milestone_templates t ON t.term = m.term AND t.level = m.level AND t.stage = m.stage"
            " JOIN congresses c ON c.id = m.congress WHERE m.term = $1 ORDER BY c.unit_path, c.organisation,"
            " m.position",
            DEMO_TERM,
        )
        by_congress: dict[Any, list[Any]] = {}
        for m in milestones:
            by_congress.setdefault(m["congress"], []).append(m)
        progress: list[tuple[Any, ...]] = []
        results: list[tuple[Any, ...]] = []
        for congress_id, rows in by_congress.items():
            reported = progress_of(rng, rows, today)
            progress.extend(reported)
            congress_day = next(r["id"] for r in rows if r["stage"] == "congress_day")
            held = next((r[2] for r in reported if r[0] == congress_day and r[1] == "done"), None)
            if held is not None:
                results.append(_result(rng, {"id": congress_id, "level": rows[0]["level"]}, held))
        await conn.execute(
            "CREATE TEMP TABLE demo_progress (id uuid, status text, done_on date, evidence text) ON COMMIT DROP"
        )
        await conn.copy_records_to_table("demo_progress", records=progress)
        await conn.execute(
            "UPDATE congress_milestones m SET status = p.status, done_on = p.done_on, evidence = p.evidence::jsonb,"
            " reported_by = 'demo', reported_at = $1 FROM demo_progress p WHERE p.id = m.id",
            clock.now(),
        )
        await conn.executemany(
            "INSERT INTO congress_results (congress, state, held_on, delegates_count, delegates_structure,"
            " committee_size, women_pct, non_party_pct, ethnic_minority_pct, religious_pct, youth_pct, leaders,"
            " standing_committee, delegation, documents_adopted, version, updated_by, updated_at)"
            " VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10, $11, $12::jsonb, $13::jsonb, $14::jsonb,"
            " $15::jsonb, 1, 'demo', $16)",
            [(*row, clock.now()) for row in results],
        )
    await repo.refresh_statistics()
    return {"congresses": len(by_congress), "milestones_reported": len(progress), "results": len(results)}
