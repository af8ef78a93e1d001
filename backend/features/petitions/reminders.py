"""The deadline scan: reminders to the assignee at T-2 days, T-1 day and when overdue, then escalation to
the level above once the grace has passed. Run by the periodic job (jobs.py); safe to run concurrently
(claimed steps are locked, others skip them) and to re-run (each reminder's notification is deduplicated by
a key naming the step and the stage, and the step then moves on to its next reminder)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from backend import db
from backend.features.audit.service import AuditEvent, record
from backend.features.notify.service import notify
from backend.features.petitions import deadlines, repo
from backend.features.petitions.service import PARENT_LEVELS, local_date
from backend.features.units import repo as units_repo
from backend.lib.clock import Clock, today_in_vietnam
from backend.lib.i18n import translate
from backend.settings import Settings

SYSTEM_ACTOR = "system:deadlines"
BATCH = 500


@dataclass
class ScanReport:
    reminded: int = 0
    escalated: int = 0
    steps: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"reminded": self.reminded, "escalated": self.escalated, "steps": self.steps}


class DeadlineScanner:
    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.clock = clock
        self.grace = timedelta(hours=settings.petitions_escalation_grace_hours)

    async def scan(self, max_batches: int = 1000) -> ScanReport:
        """Handle every step whose next reminder is due, a batch per transaction."""
        report = ScanReport()
        for _ in range(max_batches):
            async with db.transaction():
                steps = await repo.claim_due_steps(self.clock.now(), BATCH)
                for step in steps:
                    await self._handle(step, report)
            report.steps += len(steps)
            if len(steps) < BATCH:
                break
        return report

    async def _handle(self, step: Any, report: ScanReport) -> None:
        now = self.clock.now()
        stage = deadlines.to_send(step["due_at"], self.grace, now, step["next_reminder"])
        petition = await repo.get_unscoped(step["petition_id"], lock=True)
        if stage == "escalate":
            await self._escalate(petition, step)
            report.escalated += 1
        elif stage is not None and step["assignee"] is not None:
            await self._remind(petition, step, stage)
            report.reminded += 1
        await repo.set_reminder(step["id"], deadlines.first_pending(step["due_at"], self.grace, now))

    async def _remind(self, petition: Any, step: Any, stage: str) -> None:
        await notify(
            step["assignee"],
            "deadline",
            translate(f"petitions.notify.{stage}.title"),
            translate(f"petitions.notify.{stage}.body", title=petition["title"], due=local_date(step["due_at"]))[:500],
            dedup_key=f"petition:{petition['id']}:step:{step['id']}:{stage}",
            now=self.clock.now(),
            url=f"/petition?id={petition['id']}",
            tag=f"kn-{petition['id'].hex[:20]}",
            urgency="high" if stage == "overdue" else "normal",
        )

    async def _escalate(self, petition: Any, step: Any) -> None:
        """Hand the petition to the unit above (its officers are told); the assignee stays until reassigned."""
        current = await units_repo.get_unit(petition["unit_code"])
        parent_level = PARENT_LEVELS.get(current["level"]) if current else None
        parent = await repo.ancestor_at_level(petition["unit_code"], parent_level) if parent_level else None
        if parent is None:
            return  # the central level has nobody above it
        now = self.clock.now()
        changes = {
            "unit_code": parent["code"],
            "unit_path": parent["path"],
            "escalations": petition["escalations"] + 1,
            "updated_at": now,
        }
        await repo.update(petition["id"], changes)
        await repo.set_step(step["id"], step["assignee"], parent["path"])
        await repo.add_event(
            petition["id"],
            now,
            SYSTEM_ACTOR,
            "escalate",
            petition["state"],
            petition["state"],
            details={"from": petition["unit_code"], "to": parent["code"]},
        )
        await record(
            AuditEvent(
                action="petition.escalated",
                actor=SYSTEM_ACTOR,
                subject_type="petition",
                subject_id=str(petition["id"]),
                unit_path=parent["path"],
                details={"from": petition["unit_code"], "to": parent["code"]},
            ),
            now,
        )
        for officer in await repo.officers_of(parent["code"], today_in_vietnam(self.clock)):
            await notify(
                officer,
                "deadline",
                translate("petitions.notify.escalated.title"),
                translate("petitions.notify.escalated.body", title=petition["title"], unit=petition["unit_code"])[:500],
                dedup_key=f"petition:{petition['id']}:step:{step['id']}:escalated",
                now=now,
                url=f"/petition?id={petition['id']}",
                tag=f"kn-{petition['id'].hex[:20]}",
                urgency="high",
            )
