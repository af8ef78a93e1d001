"""Deadline alerts: the unit's officers hear of a milestone at T-7, at T-1 and once it is overdue, each
once; the level above gets a daily digest of its late units.

The scan is set-based: one INSERT … SELECT claims every (milestone, threshold) not yet alerted (the unique
index on congress_alerts is the deduplication, so a re-run or a second worker claims nothing twice), and
only the claimed alerts of units that have officers become notifications (inbox + Web Push through notify,
in the same transaction, each with a dedup key of unit, milestone and threshold).
Only the most urgent threshold reached is sent: a milestone first seen overdue does not also get T-7.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from backend import db
from backend.features.congress.repo import OFFICER_ROLES
from backend.features.notify.service import notify
from backend.lib.clock import Clock, today_in_vietnam
from backend.lib.i18n import translate
from backend.settings import Settings

# Thresholds by days before the deadline (T-7 covers 7 down to 2 days, T-1 the last day and the day itself).
WEEK_AHEAD = 7
DIGEST_LISTED = 8

_CLAIM_SQL = """
    WITH due AS (
        SELECT m.id, CASE WHEN m.due_on < $1 THEN 'overdue' WHEN m.due_on <= $1 + 1 THEN 't1' ELSE 't7' END AS threshold
        FROM congress_milestones m
        WHERE m.status <> 'done' AND m.due_on <= $1 + $2::int
    )
    INSERT INTO congress_alerts (milestone, threshold, sent_on)
    SELECT id, threshold, $1 FROM due
    ON CONFLICT (milestone, threshold) DO NOTHING
    RETURNING milestone, threshold
"""

_RECIPIENTS_SQL = """
    SELECT a.milestone, a.threshold, m.stage, m.due_on, m.congress, c.unit_code, u.name AS unit_name,
           c.organisation, r.account
    FROM unnest($1::uuid[], $2::text[]) AS a(milestone, threshold)
    JOIN congress_milestones m ON m.id = a.milestone
    JOIN congresses c ON c.id = m.congress
    JOIN units u ON u.code = c.unit_code
    JOIN role_assignments r ON r.unit = c.unit_code AND r.role = ANY($3::text[])
         AND (r.valid_from IS NULL OR r.valid_from <= $4) AND (r.valid_to IS NULL OR r.valid_to > $4)
    JOIN accounts acc ON acc.id = r.account AND acc.status = 'active'
    ORDER BY r.account, m.due_on, c.unit_code, m.position
"""

# Parents with officers, and their child units' Front congresses with milestones past due.
_DIGEST_SQL = """
    WITH officers AS (
        SELECT r.unit, r.account FROM role_assignments r JOIN accounts acc ON acc.id = r.account
        WHERE r.role = ANY($2::text[]) AND acc.status = 'active'
          AND (r.valid_from IS NULL OR r.valid_from <= $1) AND (r.valid_to IS NULL OR r.valid_to > $1)
    )
    SELECT o.account, u.parent, p.name AS parent_name, u.code, u.name,
           array_agg(m.stage ORDER BY m.position) AS stages
    FROM officers o
    JOIN units u ON u.parent = o.unit
    JOIN units p ON p.code = u.parent
    JOIN congresses c ON c.unit_code = u.code AND c.organisation = 'front'
    JOIN congress_milestones m ON m.congress = c.id AND m.status <> 'done' AND m.due_on < $1
    GROUP BY o.account, u.parent, p.name, u.code, u.name
    ORDER BY o.account, u.parent, u.code
"""


@dataclass(frozen=True)
class ScanReport:
    claimed: int
    notified: int
    digests: int


class AlertService:
    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock
        self.language = settings.default_language

    def t(self, key: str, **params: object) -> str:
        return translate(key, self.language, **params)

    async def scan(self) -> ScanReport:
        """Claim and send the due alerts, then the digests; one transaction, so a crash sends nothing twice
        and loses nothing (the claim and the notifications commit together)."""
        today = today_in_vietnam(self.clock)
        async with db.transaction(), db.connection() as conn:
            claimed = await conn.fetch(_CLAIM_SQL, today, WEEK_AHEAD)
            notified = 0
            if claimed:
                rows = await conn.fetch(
                    _RECIPIENTS_SQL,
                    [row["milestone"] for row in claimed],
                    [row["threshold"] for row in claimed],
                    list(OFFICER_ROLES),
                    today,
                )
                for row in rows:
                    notified += await self._alert(row, today) is not None
            digests = await self._digests(conn, today)
        return ScanReport(claimed=len(claimed), notified=notified, digests=digests)

    async def _alert(self, row: Any, today: date) -> Any:
        stage = self.t(f"congress.stage.{row['stage']}")
        days = (row["due_on"] - today).days
        body_key = "congress.alert.overdue_body" if row["threshold"] == "overdue" else "congress.alert.due_body"
        return await notify(
            row["account"],
            "deadline",
            self.t(f"congress.alert.{row['threshold']}_title", stage=stage),
            self.t(
                body_key, unit=row["unit_name"], stage=stage, due_on=row["due_on"].strftime("%d/%m/%Y"), days=abs(days)
            ),
            dedup_key=f"congress:{row['unit_code']}:{row['milestone']}:{row['threshold']}",
            now=self.clock.now(),
            url=f"/congress?id={row['congress']}",
            tag=f"congress-{row['milestone']}",
        )

    async def _digests(self, conn: Any, today: date) -> int:
        rows = await conn.fetch(_DIGEST_SQL, today, list(OFFICER_ROLES))
        by_recipient: dict[tuple[Any, str], list[Any]] = {}
        for row in rows:
            by_recipient.setdefault((row["account"], row["parent"]), []).append(row)
        sent = 0
        for (account, parent), units in by_recipient.items():
            lines = [
                f"{unit['name']}: {', '.join(self.t(f'congress.stage.{s}') for s in unit['stages'])}"
                for unit in units[:DIGEST_LISTED]
            ]
            if len(units) > DIGEST_LISTED:
                lines.append(self.t("congress.digest.more", count=len(units) - DIGEST_LISTED))
            notification = await notify(
                account,
                "deadline",
                self.t("congress.digest.title", count=len(units), unit=units[0]["parent_name"]),
                "\n".join(lines),
                dedup_key=f"congress:digest:{parent}:{today.isoformat()}",
                now=self.clock.now(),
                url=f"/congress/dashboard?unit={parent}",
                tag=f"congress-digest-{parent}",
            )
            sent += notification is not None
        return sent
