"""Demo reports for `mattran seed demo`: the last full week of the demo areas that have households."""

from __future__ import annotations

from datetime import timedelta

from backend import db
from backend.features.reports import rules
from backend.lib.clock import Clock, today_in_vietnam

# About one area in five has not reported, so the roll-up shows "not reported" beside the zeros.
SILENT_ONE_IN = 5


async def seed_demo_reports(clock: Clock, seed: int) -> dict[str, int]:
    """Submitted reports with figures derived from the area's code and the seed (deterministic); the
    households visited are the registry's own count. Idempotent: a week already reported is left alone."""
    week_start = rules.monday_of(today_in_vietnam(clock)) - timedelta(days=rules.WEEK_DAYS)
    async with db.transaction(), db.connection() as conn:
        status = await conn.execute(
            """
            INSERT INTO unit_reports (id, unit_code, unit_path, week_start, revision, status, members, cadres,
                households_visited, households_visited_registry, activities, petitions, difficulties,
                recommendations, first_submitted_at, submitted_at, submitted_by, created_by, created_at,
                updated_by, updated_at)
            SELECT gen_random_uuid(), a.code, a.path, $1, 1, 'submitted', 20 + k % 60, 2 + k % 4, visited, visited,
                   k % 5, CASE WHEN k % 3 = 0 THEN NULL ELSE k % 4 END,
                   CASE WHEN k % 4 = 0 THEN 'Kinh phí hoạt động của khu dân cư còn hạn hẹp.' ELSE '' END,
                   CASE WHEN k % 6 = 0 THEN 'Đề nghị hỗ trợ sửa chữa nhà văn hóa.' ELSE '' END,
                   $2, $2, 'seed', 'seed', $2, 'seed', $2
            FROM units a
            CROSS JOIN LATERAL (SELECT abs(hashtext(a.code || ':' || $3)) AS k) figures
            -- The registry's count, as a unit's own report would be prefilled (registry.repo.households_visited).
            CROSS JOIN LATERAL (
                SELECT count(DISTINCT v.household_id) AS visited FROM visits v
                WHERE v.unit_path = a.path AND v.deleted_at IS NULL AND v.visited_on BETWEEN $1 AND $1 + 6
            ) registry
            WHERE a.level = 'residential_area' AND a.valid_to IS NULL AND k % $4 <> 0
              AND EXISTS (SELECT 1 FROM households h WHERE h.unit_code = a.code)
            ON CONFLICT DO NOTHING
            """,
            week_start,
            clock.now(),
            str(seed),
            SILENT_ONE_IN,
        )
    return {"unit_reports": int(status.split()[-1])}
