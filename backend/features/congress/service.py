"""Congress tracking use cases: one transaction each, the audit entry inside it, scope from the caller's
roles (outside scope answers 404).

Terms open a congress for every unit of their levels; deadlines are set from above and may only tighten;
progress is reported per milestone (dependencies first); results are saved and submitted by the unit and
approved, returned or reopened by the level above (states.py), each step on the result's timeline.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from typing import Any, cast

import msgspec

from backend import db
from backend.features.audit.service import AuditEvent, record
from backend.features.congress import repo, rules, states
from backend.features.notify.service import notify
from backend.features.units import repo as units_repo
from backend.lib.access import Permission, Principal, scope_sql
from backend.lib.clock import Clock, today_in_vietnam
from backend.lib.errors import ConflictError, InvalidInputError, NotFoundError
from backend.lib.i18n import translate
from backend.lib.pagination import decode_cursor, encode_cursor
from backend.settings import Settings
from schemas.common import FieldError
from schemas.congress import (
    ApprovalItem,
    ApprovalPage,
    CongressRead,
    DeadlineRead,
    Evidence,
    MilestoneRead,
    MilestoneTemplateRead,
    MilestoneUpdate,
    ResultDecision,
    ResultEvent,
    ResultFields,
    ResultRead,
    ResultSave,
    TermCreate,
    TermLevelYears,
    TermRead,
)

LEVEL_RANK = {"central": 0, "province": 1, "commune": 2}
ROOT_PATH = "TW"
ApprovalKey = tuple[datetime, uuid.UUID]


class DeadlineTooLate(InvalidInputError):
    slug = "congress-deadline-later-than-parent"


class DependencyNotDone(ConflictError):
    slug = "congress-dependency-not-done"


class VersionMismatch(ConflictError):
    slug = "congress-version-mismatch"


def parent_path(unit_path: str) -> str:
    """The unit above (the root has none above it: its own congress is decided at the root)."""
    return unit_path.rsplit("/", 1)[0] if "/" in unit_path else unit_path


def _milestone_read(row: Any, today: date) -> MilestoneRead:
    return MilestoneRead(
        id=row["id"],
        stage=row["stage"],
        position=row["position"],
        due_on=row["due_on"],
        status=rules.shown_status(row["status"], row["due_on"], today),  # type: ignore[arg-type]
        done_on=row["done_on"],
        days_left=rules.days_left(row["status"], row["due_on"], today),
        depends_on=list(row["depends_on"]),
        evidence=msgspec.convert(json.loads(row["evidence"]), list[Evidence]),
        note=row["note"],
        version=row["version"],
        reported_at=row["reported_at"],
    )


RESULT_JSON = ("delegates_structure", "leaders", "standing_committee", "delegation", "documents_adopted")


def _result_read(row: Any, events: list[Any]) -> ResultRead:
    fields = {name: json.loads(value) if name in RESULT_JSON else value for name, value in dict(row).items()}
    fields["locked"] = row["state"] == "approved"
    fields["events"] = [ResultEvent(**dict(event)) for event in events]
    return msgspec.convert(fields, ResultRead)


class CongressService:
    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock

    def today(self) -> date:
        return today_in_vietnam(self.clock)

    async def _audit(self, principal: Principal, action: str, subject: str, unit_path: str, **details: Any) -> None:
        event = AuditEvent(
            action=action,
            actor=principal.actor,
            subject_type="congress",
            subject_id=subject,
            unit_path=unit_path,
            details=details,
        )
        await record(event, self.clock.now())

    # Terms ------------------------------------------------------------------------------------------------

    async def create_term(self, principal: Principal, data: TermCreate) -> TermRead:
        """A new round of congresses: the central level decides it, for the whole country."""
        principal.require(Permission.write, ROOT_PATH)
        levels = [years.level for years in data.levels]
        if len(set(levels)) != len(levels):
            raise rules.invalid("levels", "problem.congress.level_twice", ", ".join(levels))
        for years in data.levels:
            if years.start_year > years.end_year:
                raise rules.invalid("levels", "problem.congress.years_reversed", years.level)
        async with db.transaction():
            if not await repo.insert_term(data.code, data.name, principal.actor, self.clock.now()):
                raise ConflictError("problem.congress.term_exists", code=data.code)
            opened = 0
            for years in data.levels:
                await repo.insert_term_level(data.code, years.level, years.start_year, years.end_year)
                deadlines = rules.default_deadlines(years.congress_by, cast(dict[str, date], years.due_overrides))
                await repo.insert_templates(
                    data.code,
                    years.level,
                    [(rule.stage, position, due, rule.depends_on) for rule, position, due in deadlines],
                )
                opened += await repo.open_congresses(data.code, years.level, data.organisations, self.today())
            await self._audit(principal, "congress.term_created", data.code, ROOT_PATH, milestones=opened)
        await repo.refresh_statistics()
        return await self.term(data.code)

    async def term(self, code: str) -> TermRead:
        levels = await repo.term_levels(code)
        if not levels:
            raise NotFoundError("problem.congress.term_not_found", code=code)
        names = {row["code"]: row["name"] for row in await repo.list_terms()}
        templates = await repo.templates(code)
        congress_by = {t["level"]: t["default_due"] for t in templates if t["stage"] == "congress_day"}
        return TermRead(
            code=code,
            name=names[code],
            levels=[
                TermLevelYears(
                    level=row["level"],
                    start_year=row["start_year"],
                    end_year=row["end_year"],
                    congress_by=congress_by[row["level"]],
                )
                for row in levels
            ],
            templates=[
                MilestoneTemplateRead(
                    level=t["level"],
                    stage=t["stage"],
                    position=t["position"],
                    default_due=t["default_due"],
                    depends_on=list(t["depends_on"]),
                )
                for t in templates
            ],
            congresses=await repo.count_congresses(code),
        )

    async def terms(self) -> list[TermRead]:
        return [await self.term(row["code"]) for row in await repo.list_terms()]

    async def term_or_latest(self, term: str | None) -> str:
        code = await repo.term_code(term)
        if code is None:
            raise NotFoundError("problem.congress.term_not_found", code=term or "")
        return code

    # Deadlines --------------------------------------------------------------------------------------------

    async def set_deadline(
        self, principal: Principal, term: str, unit_code: str, level: str, stage: str, due_on: date
    ) -> DeadlineRead:
        """Set the deadline of a stage for the congresses of a level at the unit and below it. It may only
        tighten what is set above (or the template's default): a later date is refused."""
        unit = await units_repo.get_unit(unit_code)
        if unit is None or unit["valid_to"] is not None:
            raise NotFoundError("problem.unit_not_found.detail", code=unit_code)
        principal.require(Permission.write, unit["path"])
        if LEVEL_RANK.get(unit["level"], 99) > LEVEL_RANK[level]:
            raise rules.invalid("level", "problem.congress.deadline_level_below", level, level=level)
        async with db.transaction():
            bound = await repo.bound_above(term, level, stage, unit["path"])
            if bound is None:
                raise NotFoundError("problem.congress.term_not_found", code=term)
            if due_on > bound:
                raise DeadlineTooLate(
                    "problem.congress.deadline_later_than_parent",
                    due_on=due_on.isoformat(),
                    bound=bound.isoformat(),
                    errors=[FieldError(field="due_on", message=bound.isoformat(), source="body")],
                )
            previous = await repo.upsert_deadline(
                term, level, stage, unit_code, unit["path"], due_on, principal.actor, self.clock.now()
            )
            updated = await repo.refresh_due_dates(term, level, stage, unit["path"])
            await self._audit(
                principal,
                "congress.deadline_set",
                f"{term}:{level}:{stage}",
                unit["path"],
                due_on=due_on.isoformat(),
                previous=previous.isoformat() if previous else None,
                milestones=updated,
            )
        return DeadlineRead(
            term=term,
            unit_code=unit_code,
            stage=stage,  # type: ignore[arg-type]
            due_on=due_on,
            parent_due_on=bound,
            milestones_updated=updated,
        )

    # Congresses and progress ------------------------------------------------------------------------------

    async def _congress(self, principal: Principal, congress_id: uuid.UUID, permission: Permission) -> Any:
        row = await repo.get_congress(congress_id)
        if row is None:
            raise NotFoundError("problem.congress.not_found")
        principal.require(permission, row["unit_path"])
        return row

    async def congress(self, principal: Principal, congress_id: uuid.UUID) -> CongressRead:
        row = await self._congress(principal, congress_id, Permission.read)
        today = self.today()
        result = await repo.get_result(congress_id)
        return CongressRead(
            id=row["id"],
            term=row["term"],
            unit_code=row["unit_code"],
            unit_name=row["unit_name"],
            level=row["level"],
            organisation=row["organisation"],
            follows=row["follows"],
            milestones=[_milestone_read(m, today) for m in await repo.milestones_of(congress_id)],
            result=_result_read(result, await repo.events_of(congress_id)) if result else None,
        )

    async def congress_of_unit(
        self, principal: Principal, unit_code: str, term: str | None, organisation: str
    ) -> CongressRead:
        code = await self.term_or_latest(term)
        congress_id = await repo.find_congress(code, unit_code, organisation)
        if congress_id is None:
            raise NotFoundError("problem.congress.not_found")
        return await self.congress(principal, congress_id)

    async def report_progress(
        self, principal: Principal, congress_id: uuid.UUID, stage: str, data: MilestoneUpdate
    ) -> MilestoneRead:
        """The unit reports a milestone. Done needs its date and every milestone it depends on done no
        later; undoing one is refused while a milestone that depends on it is done."""
        row = await self._congress(principal, congress_id, Permission.write)
        today = self.today()
        done_on = rules.check_progress(data.status, data.done_on, today)
        async with db.transaction():
            await repo.lock_milestones(congress_id)
            milestones = {m["stage"]: m for m in await repo.milestones_of(congress_id)}
            milestone = milestones.get(stage)
            if milestone is None:
                raise NotFoundError("problem.congress.milestone_not_found", stage=stage)
            if milestone["version"] != data.version:
                raise VersionMismatch("problem.congress.version_mismatch", version=milestone["version"])
            if done_on is not None:
                for needed in milestone["depends_on"]:
                    before = milestones.get(needed)
                    if before is not None and (before["status"] != "done" or before["done_on"] > done_on):
                        raise DependencyNotDone("problem.congress.dependency_not_done", stage=stage, needed=needed)
            else:
                for other in milestones.values():
                    if stage in other["depends_on"] and other["status"] == "done":
                        raise DependencyNotDone("problem.congress.dependent_done", stage=stage, needed=other["stage"])
            evidence = [msgspec.to_builtins(item) for item in data.evidence]
            await repo.update_milestone(
                milestone["id"], data.status, done_on, evidence, data.note, principal.actor, self.clock.now()
            )
            await self._audit(
                principal,
                "congress.progress_reported",
                str(congress_id),
                row["unit_path"],
                stage=stage,
                status=data.status,
                done_on=done_on.isoformat() if done_on else None,
            )
            updated = {m["stage"]: m for m in await repo.milestones_of(congress_id)}[stage]
        return _milestone_read(updated, today)

    # Results ----------------------------------------------------------------------------------------------

    async def save_result(self, principal: Principal, congress_id: uuid.UUID, data: ResultSave) -> ResultRead:
        row = await self._congress(principal, congress_id, Permission.write)
        rules.check_result(data, self.today())
        # JSON-valued fields as plain lists and dicts; the date stays a date for the driver.
        fields = {name: msgspec.to_builtins(getattr(data, name)) for name in ResultFields.__struct_fields__}
        fields["held_on"] = data.held_on
        async with db.transaction():
            current = await repo.get_result(congress_id, lock=True)
            self._check_version(current, data.version)
            state = states.next_state("saved", current["state"] if current else None)
            await repo.save_result(congress_id, state, fields, principal.actor, self.clock.now())
            await repo.add_event(congress_id, "saved", state, principal.actor, "", self.clock.now())
            await self._audit(principal, "congress.result_saved", str(congress_id), row["unit_path"])
        return await self._result(congress_id)

    @staticmethod
    def _check_version(current: Any, version: int | None) -> None:
        if current is not None and version != current["version"]:
            raise VersionMismatch("problem.congress.version_mismatch", version=current["version"])
        if current is None and version is not None:
            raise VersionMismatch("problem.congress.version_mismatch", version=0)

    async def _result(self, congress_id: uuid.UUID) -> ResultRead:
        current = await repo.get_result(congress_id)
        if current is None:
            raise NotFoundError("problem.congress.result_not_found")
        return _result_read(current, await repo.events_of(congress_id))

    async def decide(
        self, principal: Principal, congress_id: uuid.UUID, action: str, decision: ResultDecision
    ) -> ResultRead:
        """submit (the unit), return / approve / reopen (the level above). Returning and reopening need a
        reason: it is the trace the unit and any later reader see."""
        if states.actor_of(action) == "unit":
            row = await self._congress(principal, congress_id, Permission.write)
        else:
            row = await self._congress(principal, congress_id, Permission.read)
            principal.require(Permission.approve, parent_path(row["unit_path"]))
        if action in {"returned", "reopened"} and not decision.reason.strip():
            raise rules.invalid("reason", "problem.congress.reason_required", "")
        async with db.transaction():
            current = await repo.get_result(congress_id, lock=True)
            if current is None:
                raise NotFoundError("problem.congress.result_not_found")
            self._check_version(current, decision.version)
            state = states.next_state(action, current["state"])
            if action == "submitted":
                rules.check_result(_result_read(current, []), self.today())
            now = self.clock.now()
            await repo.set_result_state(congress_id, state, principal.actor, now)
            await repo.add_event(congress_id, action, state, principal.actor, decision.reason.strip(), now)
            await self._audit(
                principal, f"congress.result_{action}", str(congress_id), row["unit_path"], reason=decision.reason
            )
            if action == "submitted" and row["parent_code"] is not None:
                await self._tell_approvers(row, current["version"] + 1)
        return await self._result(congress_id)

    async def _tell_approvers(self, congress: Any, version: int) -> None:
        """The officers of the unit above hear of a result waiting for them (inbox + Web Push), once per
        submission; in the submitting transaction, so the notice exists exactly when the submission does."""
        language = self.settings.default_language
        for account in await repo.officers_of(congress["parent_code"], self.today()):
            await notify(
                account,
                "assignment",
                translate("congress.approval.title", language, unit=congress["unit_name"]),
                translate("congress.approval.body", language, unit=congress["unit_name"]),
                dedup_key=f"congress:{congress['id']}:submitted:{version}",
                now=self.clock.now(),
                url="/congress/approvals",
                tag=f"congress-approval-{congress['id']}",
            )

    async def approvals(self, principal: Principal, cursor: str | None, limit: int) -> ApprovalPage:
        """Submitted results of the units just below where the caller may approve."""
        scope, args = scope_sql("p.parent_path", principal.scope_paths(Permission.approve), 1)
        after: ApprovalKey | None = decode_cursor(cursor, ApprovalKey) if cursor else None
        rows = await repo.submitted_below(scope, args, after, limit + 1)
        next_cursor = None
        if len(rows) > limit:
            last = rows[limit - 1]
            next_cursor = encode_cursor((last["updated_at"], last["id"]))
        return ApprovalPage(
            items=[
                ApprovalItem(
                    congress_id=r["id"],
                    unit_code=r["unit_code"],
                    unit_name=r["unit_name"],
                    organisation=r["organisation"],
                    held_on=r["held_on"],
                    state=r["state"],
                    version=r["version"],
                    submitted_at=r["updated_at"],
                )
                for r in rows[:limit]
            ],
            next_cursor=next_cursor,
        )
