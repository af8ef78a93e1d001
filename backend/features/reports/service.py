"""Unit report use cases: one transaction each, the audit entry inside it.

A report moves draft -> submitted (locked). A submitted report is corrected by opening a new revision
(a draft copy); when that is submitted, the one it corrects becomes `superseded`, so the roll-up always
counts one standing submission per unit and week and every earlier revision stays readable.

Who: the unit's own officers (a role bound to that unit with the write permission) write and submit;
anyone who may read the unit (its officers and the units above) reads its report and its roll-up.
Outside the read scope everything is 404.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import msgspec

from backend import db
from backend.features.audit.service import AuditEvent, record
from backend.features.registry import repo as registry_repo
from backend.features.registry.exports import encode
from backend.features.registry.service import current_unit
from backend.features.reports import repo, rules
from backend.features.units import repo as units_repo
from backend.lib.access import ROLE_PERMISSIONS, Permission, Principal
from backend.lib.clock import Clock, today_in_vietnam
from backend.lib.errors import AppError, ConflictError, NotFoundError
from backend.lib.i18n import Language, translate
from backend.settings import Settings
from schemas.reports import (
    LevelTotals,
    ReportCorrection,
    ReportDraftWrite,
    ReportNote,
    ReportPrefill,
    ReportRead,
    ReportRevision,
    ReportRollUp,
    ReportSubmit,
    UnitMissing,
)


class NotUnitOfficer(AppError):
    """The caller may read the unit's report but is not one of its officers (the units above read only)."""

    status = 403
    slug = "not-unit-officer"
    title_key = "problem.forbidden.title"


class Week(msgspec.Struct, frozen=True):
    label: str
    start: date

    @property
    def last_day(self) -> date:
        return self.start + timedelta(days=rules.WEEK_DAYS - 1)


def officer_units(principal: Principal) -> list[str]:
    """The units whose report this caller writes: those a role with the write permission is bound to
    (a role also covers the units below for reading, but each unit reports for itself)."""
    return list(
        dict.fromkeys(role.unit_code for role in principal.roles if Permission.write in ROLE_PERMISSIONS[role.role])
    )


def _revision(row: Any) -> ReportRevision:
    return ReportRevision(
        id=row["id"],
        revision=row["revision"],
        status=row["status"],
        submitted_at=row["submitted_at"],
        submitted_by=row["submitted_by"],
        correction_reason=row["correction_reason"],
    )


class ReportService:
    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock

    # shared steps

    def week(self, week: str) -> Week:
        start = rules.week_start_of(week)
        rules.check_not_future(start, today_in_vietnam(self.clock))
        return Week(rules.week_label(start), start)

    def _deadline(self, week: Week) -> Any:
        return rules.deadline_of(week.start, self.settings.reports_deadline_hours)

    async def _readable_unit(self, principal: Principal, unit_code: str) -> Any:
        unit = await current_unit(unit_code)
        principal.require(Permission.read, unit["path"])
        return unit

    async def _own_unit(self, principal: Principal, unit_code: str) -> Any:
        """The unit, when the caller is one of its officers (read scope first, so nothing leaks outside it)."""
        unit = await self._readable_unit(principal, unit_code)
        if unit["code"] not in officer_units(principal):
            raise NotUnitOfficer("problem.reports.not_officer", code=unit["code"])
        return unit

    async def _audit(self, principal: Principal, action: str, report_id: uuid.UUID, unit: Any, **details: Any) -> None:
        event = AuditEvent(
            action=action,
            actor=principal.actor,
            subject_type="unit_report",
            subject_id=str(report_id),
            unit_path=unit["path"],
            details=details,
        )
        await record(event, self.clock.now())

    async def _visited(self, unit: Any, week: Week) -> int:
        return await registry_repo.households_visited(unit["path"], week.start, week.last_day)

    async def _read(self, unit: Any, week: Week) -> ReportRead:
        row = await repo.latest(unit["code"], week.start)
        if row is None:
            raise NotFoundError("problem.reports.not_found", code=unit["code"], week=week.label)
        deadline = self._deadline(week)
        return ReportRead(
            id=row["id"],
            unit_code=unit["code"],
            unit_name=unit["name"],
            week=week.label,
            week_start=week.start,
            deadline=deadline,
            revision=row["revision"],
            status=row["status"],
            members=row["members"],
            cadres=row["cadres"],
            households_visited=row["households_visited"],
            households_visited_registry=row["households_visited_registry"],
            activities=row["activities"],
            petitions=row["petitions"],
            difficulties=row["difficulties"],
            recommendations=row["recommendations"],
            version=row["version"],
            late=rules.is_late(row["first_submitted_at"], deadline, self.clock.now()),
            submitted_at=row["submitted_at"],
            submitted_by=row["submitted_by"],
            correction_reason=row["correction_reason"],
            updated_at=row["updated_at"],
            revisions=[_revision(r) for r in await repo.revisions(unit["code"], week.start)],
        )

    @staticmethod
    def _stale(row: Any, version: int | None) -> None:
        if row["version"] != version:
            raise ConflictError("problem.reports.stale_version", sent=version or 0, current=row["version"])

    # use cases

    async def prefill(self, principal: Principal, unit_code: str, week: str) -> ReportPrefill:
        unit, wk = await self._readable_unit(principal, unit_code), self.week(week)
        return ReportPrefill(
            unit_code=unit["code"],
            unit_name=unit["name"],
            week=wk.label,
            week_start=wk.start,
            deadline=self._deadline(wk),
            households_visited=await self._visited(unit, wk),
        )

    async def get_report(self, principal: Principal, unit_code: str, week: str) -> ReportRead:
        unit = await self._readable_unit(principal, unit_code)
        return await self._read(unit, self.week(week))

    async def save_draft(
        self, principal: Principal, unit_code: str, week: str, data: ReportDraftWrite
    ) -> tuple[ReportRead, bool]:
        """Create the week's draft (True) or change it; a submitted report is locked (409)."""
        wk = self.week(week)
        await self._own_unit(principal, unit_code)
        async with db.transaction():
            # The unit's row serialises writers of its reports (two first drafts cannot both be created).
            unit = await _locked_unit(unit_code)
            current = await repo.latest(unit["code"], wk.start, lock=True)
            if current is not None and current["status"] != "draft":
                raise ConflictError("problem.reports.locked", week=wk.label)
            visited = await self._visited(unit, wk)
            figures = msgspec.structs.asdict(data)
            del figures["version"]
            if figures["households_visited"] is msgspec.UNSET:
                figures["households_visited"] = visited
            now = self.clock.now()
            stamp = {"households_visited_registry": visited, "updated_by": principal.actor, "updated_at": now}
            if current is None:
                if data.version is not None:
                    raise ConflictError("problem.reports.stale_version", sent=data.version, current=0)
                report_id = uuid.uuid4()
                await repo.insert(
                    {
                        "id": report_id, "unit_code": unit["code"], "unit_path": unit["path"], "week_start": wk.start,
                        "revision": 1, "status": "draft", **figures, **stamp, "created_by": principal.actor,
                        "created_at": now,
                    }
                )  # fmt: skip
                await self._audit(principal, "report.drafted", report_id, unit, week=wk.label, revision=1)
            else:
                self._stale(current, data.version)
                if not await repo.update(current["id"], current["version"], {**figures, **stamp}):
                    raise ConflictError("problem.reports.stale_version", sent=data.version, current=0)
                await self._audit(
                    principal, "report.updated", current["id"], unit, week=wk.label, revision=current["revision"]
                )
            return await self._read(unit, wk), current is None

    async def submit(self, principal: Principal, unit_code: str, week: str, data: ReportSubmit) -> ReportRead:
        """Lock the draft; a correction replaces the revision it corrects in the roll-up."""
        wk = self.week(week)
        await self._own_unit(principal, unit_code)
        async with db.transaction():
            unit = await _locked_unit(unit_code)
            current = await repo.latest(unit["code"], wk.start, lock=True)
            if current is None:
                raise NotFoundError("problem.reports.not_found", code=unit["code"], week=wk.label)
            if current["status"] != "draft":
                raise ConflictError("problem.reports.locked", week=wk.label)
            self._stale(current, data.version)
            if current["supersedes"] is not None:
                await repo.supersede(current["supersedes"])
            now = self.clock.now()
            first_submitted_at = current["first_submitted_at"] or now
            values = {
                "status": "submitted",
                "submitted_at": now,
                "submitted_by": principal.actor,
                "first_submitted_at": first_submitted_at,
                "updated_by": principal.actor,
                "updated_at": now,
            }
            if not await repo.update(current["id"], current["version"], values):
                raise ConflictError("problem.reports.stale_version", sent=data.version, current=0)
            late = rules.is_late(first_submitted_at, self._deadline(wk), now)
            await self._audit(
                principal, "report.submitted", current["id"], unit, week=wk.label, revision=current["revision"],
                late=late,
            )  # fmt: skip
            return await self._read(unit, wk)

    async def correct(self, principal: Principal, unit_code: str, week: str, data: ReportCorrection) -> ReportRead:
        """Open a new revision of the submitted report (a draft copy); the submitted one stays as it was."""
        wk = self.week(week)
        await self._own_unit(principal, unit_code)
        async with db.transaction():
            unit = await _locked_unit(unit_code)
            current = await repo.latest(unit["code"], wk.start, lock=True)
            if current is None:
                raise NotFoundError("problem.reports.not_found", code=unit["code"], week=wk.label)
            if current["status"] != "submitted":
                raise ConflictError("problem.reports.not_submitted", week=wk.label)
            self._stale(current, data.version)
            now, report_id, revision = self.clock.now(), uuid.uuid4(), current["revision"] + 1
            await repo.insert(
                {
                    "id": report_id, "unit_code": unit["code"], "unit_path": unit["path"], "week_start": wk.start,
                    "revision": revision, "status": "draft", **{name: current[name] for name in repo.FIGURE_COLUMNS},
                    "households_visited_registry": await self._visited(unit, wk), "supersedes": current["id"],
                    "correction_reason": data.reason, "first_submitted_at": current["first_submitted_at"],
                    "created_by": principal.actor, "created_at": now, "updated_by": principal.actor, "updated_at": now,
                }
            )  # fmt: skip
            await self._audit(
                principal, "report.correction_opened", report_id, unit, week=wk.label, revision=revision,
                corrects=str(current["id"]),
            )  # fmt: skip
            return await self._read(unit, wk)

    async def roll_up(self, principal: Principal, unit_code: str, week: str) -> ReportRollUp:
        """The standing submissions of every unit below (any depth), per level: sums, who reported and who
        did not (distinct from a zero), and the difficulties and recommendations from below."""
        unit, wk = await self._readable_unit(principal, unit_code), self.week(week)
        deadline = self._deadline(wk)
        totals = sorted(await repo.totals_by_level(unit, wk.start, deadline), key=lambda t: rules.level_rank(t.level))
        notes, notes_total = await repo.notes(unit, wk.start)
        missing = await repo.not_reported(unit, wk.start)
        return ReportRollUp(
            unit_code=unit["code"],
            unit_name=unit["name"],
            week=wk.label,
            week_start=wk.start,
            deadline=deadline,
            levels=[LevelTotals(**t._asdict(), not_reported=t.units - t.reported) for t in totals],
            notes=[
                ReportNote(
                    unit_code=n["code"],
                    unit_name=n["name"],
                    level=n["level"],
                    difficulties=n["difficulties"],
                    recommendations=n["recommendations"],
                )
                for n in notes
            ],
            notes_total=notes_total,
            not_reported=[UnitMissing(code=m["code"], name=m["name"], level=m["level"]) for m in missing],
        )

    async def roll_up_xlsx(self, principal: Principal, unit_code: str, week: str, language: Language) -> bytes:
        roll_up = await self.roll_up(principal, unit_code, week)
        return encode(rollup_rows(roll_up, language), "xlsx", roll_up.week)


ROLLUP_COLUMNS = (
    "level", "units", "reported", "not_reported", "late", "members", "cadres", "households_visited", "activities",
    "petitions", "petitions_reported_by",
)  # fmt: skip


def rollup_rows(roll_up: ReportRollUp, language: Language) -> list[list[Any]]:
    """The roll-up as spreadsheet rows: the totals per level, the units that did not report, the notes."""

    def t(key: str) -> str:
        return translate(key, language)

    rows: list[list[Any]] = [
        [f"{roll_up.unit_name} ({roll_up.unit_code})", roll_up.week, roll_up.deadline.isoformat()],
        [],
        [t(f"reports.column.{name}") for name in ROLLUP_COLUMNS],
    ]
    for level in roll_up.levels:
        values = msgspec.structs.asdict(level)
        rows.append([t(f"unit.level.{level.level}"), *(values[name] for name in ROLLUP_COLUMNS[1:])])
    rows += [[], [t("reports.column.not_reported_units")]]
    rows += [[m.code, m.name, t(f"unit.level.{m.level}")] for m in roll_up.not_reported]
    rows += [[], [t("reports.column.unit"), t("reports.column.difficulties"), t("reports.column.recommendations")]]
    rows += [[f"{n.unit_name} ({n.unit_code})", n.difficulties, n.recommendations] for n in roll_up.notes]
    return rows


async def _locked_unit(unit_code: str) -> Any:
    unit = await units_repo.lock_unit(unit_code)
    if unit is None:
        raise NotFoundError("problem.unit_not_found.detail", code=unit_code)
    return unit
