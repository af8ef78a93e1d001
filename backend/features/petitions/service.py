"""Petition use cases: filing, the workflow's transitions, tracking by code, attachments, ratings.

Each use case is one transaction with its audit entry, its timeline event and its notifications (the
notify outbox) inside it. Every transition goes through `_transition`, which locks the petition within the
caller's scope (outside it: 404), checks the move against the state machine (`states.TRANSITIONS`; an
illegal one is a 409 that changes nothing), applies the action's own step and records what happened.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any

import msgspec

from backend import db
from backend.features.audit.service import AuditEvent, record
from backend.features.identity import throttle
from backend.features.notify.service import notify
from backend.features.petitions import attachments, calendar, deadlines, repo
from backend.features.petitions.states import Action, Actor, IllegalTransition, State, allowed_actions, next_state
from backend.features.registry import repo as registry_repo
from backend.features.units import repo as units_repo
from backend.lib.access import Permission, Principal
from backend.lib.clock import Clock, today_in_vietnam
from backend.lib.errors import AppError, ConflictError, InvalidInputError, NotFoundError
from backend.lib.i18n import Language, translate
from backend.lib.pagination import decode_cursor, encode_cursor
from backend.lib.text import fold, prefix_tsquery, search_terms
from backend.settings import Settings
from schemas.common import FieldError
from schemas.petitions import (
    AnswerCommand,
    AssignCommand,
    AttachmentRead,
    CategoryList,
    CategoryRead,
    ClassifyCommand,
    DuplicateList,
    DuplicateSuggestion,
    ForwardCommand,
    MergeCommand,
    NoteCommand,
    PetitionCreate,
    PetitionPage,
    PetitionRead,
    PetitionReceipt,
    PetitionSummary,
    PetitionTracking,
    PublishedAnswer,
    PublishedPage,
    RatingCreate,
    RejectCommand,
    ReopenCommand,
    TimelineEntry,
)

# 20 characters of base32 (100 bits): guessing one among millions of petitions is hopeless even unthrottled.
TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
TRACKING_LENGTH = 20
STAFF_CHANNELS = frozenset({"cadre", "phone", "reception"})
DEFAULT_CATEGORY = "khac"
# The tracking lookup's back-off once the allowed failures are spent: 1 min doubling to 1 h, forgotten after 1 h.
TRACK_BASE_SECONDS, TRACK_MAX_SECONDS, TRACK_RESET_SECONDS = 60, 3600, 3600
MAX_DUPLICATES = 5
SIMILAR_SHARE = 0.6
PARENT_LEVELS = {"commune": "province", "province": "central", "residential_area": "commune"}


class IllegalTransitionError(ConflictError):
    slug = "illegal-transition"


class TrackingLocked(AppError):
    status = 429
    slug = "rate-limited"
    title_key = "problem.rate_limited.title"

    def __init__(self, retry_after: int) -> None:
        super().__init__("problem.petitions.track_locked", seconds=retry_after)
        # AppError's headers are class-level by default; this one's depend on the lock.
        self.headers = {"Retry-After": str(retry_after)}  # type: ignore[misc]


def invalid(field: str, key: str, **params: object) -> InvalidInputError:
    return InvalidInputError(
        key, errors=[FieldError(field=field, message=translate(key, "vi", **params), source="body")]
    )


def new_tracking_code() -> str:
    raw = "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))
    return "KN-" + "-".join(raw[i : i + 5] for i in range(0, TRACKING_LENGTH, 5))


def normal_tracking_code(code: str) -> str:
    """Codes are read out on the phone and typed on keypads: ignore case, spaces and dashes."""
    compact = "".join(ch for ch in code.upper() if ch.isalnum())
    compact = compact.removeprefix("KN")
    return "KN-" + "-".join(compact[i : i + 5] for i in range(0, len(compact), 5))


def similar_titles(one: str, other: str) -> bool:
    """Most words in common once folded ("Đèn đường hỏng ngõ 12" and "den duong hong"): at least
    SIMILAR_SHARE of the shorter title's words appear in the other."""
    words, other_words = set(search_terms(one)), set(search_terms(other))
    shorter = min(len(words), len(other_words))
    return shorter > 0 and len(words & other_words) >= SIMILAR_SHARE * shorter


def status_text(state: str, language: Language = "vi") -> str:
    return translate(f"petitions.status.{state}", language)


def category_read(row: Any, language: Language = "vi") -> CategoryRead:
    return CategoryRead(
        code=row["code"],
        name=row["name_en"] if language == "en" else row["name_vi"],
        handling_level=row["handling_level"],
        deadline_unit=row["deadline_unit"],
        acknowledge_within=row["acknowledge_within"],
        classify_within=row["classify_within"],
        answer_within=row["answer_within"],
        sensitive=row["sensitive"],
    )


def summary_of(row: Any, now: datetime) -> PetitionSummary:
    return PetitionSummary(
        id=row["id"],
        title=row["title"],
        state=row["state"],
        category_code=row["category_code"],
        unit_code=row["unit_code"],
        channel=row["channel"],
        assignee=row["assignee"],
        due_at=row["due_at"],
        overdue=row["due_at"] is not None and row["due_at"] < now,
        created_at=row["created_at"],
    )


def attachment_read(row: Any, petition_id: uuid.UUID) -> AttachmentRead:
    return AttachmentRead(
        id=row["id"],
        purpose=row["purpose"],
        media_type=row["media_type"],
        filename=row["filename"],
        size_bytes=row["size_bytes"],
        width=row["width"],
        height=row["height"],
        url=f"/api/v1/petitions/{petition_id}/attachments/{row['id']}",
    )


InboxKey = tuple[datetime | None, uuid.UUID]


class PetitionService:
    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock

    @cached_property
    def holidays(self) -> frozenset[date]:
        return calendar.parse_holidays(self.settings.petitions_holidays)

    @cached_property
    def storage(self) -> attachments.Storage:
        return attachments.LocalStorage(self.settings.petitions_storage_path)

    @property
    def grace(self) -> timedelta:
        return timedelta(hours=self.settings.petitions_escalation_grace_hours)

    # shared steps

    async def _audit(self, actor: str, action: str, row: Any, **details: Any) -> None:
        event = AuditEvent(
            action=f"petition.{action}",
            actor=actor,
            subject_type="petition",
            subject_id=str(row["id"]),
            unit_path=row["unit_path"],
            details=details,
        )
        await record(event, self.clock.now())

    async def _category(self, code: str, field: str) -> Any:
        row = await repo.category(code)
        if row is None or not row["active"]:
            raise invalid(field, "problem.petitions.category_unknown", code=code)
        return row

    def _due(self, start: datetime, category: Any, step: str) -> datetime:
        amount = category["classify_within"] if step == "classify" else category["answer_within"]
        return calendar.due_at(start, amount, category["deadline_unit"], self.holidays)

    async def _open_step(self, row: Any, step: str, category: Any, assignee: uuid.UUID | None) -> datetime:
        now = self.clock.now()
        due = self._due(now, category, step)
        reminder = deadlines.first_pending(due, self.grace, now)
        await repo.open_step(row["id"], step, row["unit_path"], assignee, now, due, reminder)
        return due

    async def _notify(
        self, account_id: uuid.UUID | None, kind: str, key: str, row: Any, dedup: str, **params: object
    ) -> None:
        """Tell one person about a petition (inbox + push); nobody to tell when there is no account."""
        if account_id is None:
            return
        await notify(
            account_id,
            kind,
            translate(f"petitions.notify.{key}.title", "vi", **params),
            translate(f"petitions.notify.{key}.body", "vi", title=row["title"], **params)[:500],
            dedup_key=dedup,
            now=self.clock.now(),
            url=f"/petition?id={row['id']}",
            tag=f"kn-{row['id'].hex[:20]}",
        )

    # categories

    async def categories(self, language: Language = "vi") -> CategoryList:
        return CategoryList(items=[category_read(row, language) for row in await repo.categories()])

    # filing

    async def file(
        self,
        principal: Principal | None,
        data: PetitionCreate,
        idempotency_key: str | None = None,
        channel: str | None = None,
    ) -> tuple[PetitionReceipt, bool]:
        """A new petition and True, or (a replay of the same filing) its receipt and False. `channel` names
        an intake other than the form's own (Open311)."""
        key = idempotency_key or (str(data.id) if data.id else None)
        actor = principal.actor if principal else "anonymous"
        fingerprint = hashlib.sha256(actor.encode() + msgspec.json.encode(data, order="sorted")).hexdigest()
        async with db.transaction():
            if key is not None and (replayed := await self._replay(key, fingerprint, principal)) is not None:
                return replayed, False
            unit = await units_repo.get_unit(data.unit_code)
            if unit is None or unit["valid_to"] is not None:
                raise invalid("unit_code", "problem.unit_not_found.detail", code=data.unit_code)
            category = await self._category(data.category_code or DEFAULT_CATEGORY, "category_code")
            values = await self._filing_values(principal, data, unit) | ({"channel": channel} if channel else {})
            now = self.clock.now()
            petition_id = data.id or uuid.uuid4()
            values |= {
                "id": petition_id,
                "tracking_code": new_tracking_code(),
                "idempotency_key": key,
                "create_fingerprint": fingerprint,
                "filed_by": actor,
                "category_code": data.category_code,
                "state": State.received.value,
                "due_at": self._due(now, category, "classify"),
                "created_at": now,
                "updated_at": now,
            }
            if not await repo.insert_petition(values):
                # A concurrent double submit won the insert: answer its receipt.
                replayed = await self._replay(str(key), fingerprint, principal)
                assert replayed is not None
                return replayed, False
            row = await repo.get_unscoped(petition_id)
            await self._open_step(row, "classify", category, None)
            await repo.add_event(
                petition_id, now, actor, "file", None, State.received, details={"channel": data.channel}
            )
            await self._audit(actor, "filed", row, channel=data.channel)
            duplicates = await self._duplicates(row, principal)
        return self._receipt(row, duplicates), True

    async def _replay(self, key: str, fingerprint: str, principal: Principal | None) -> PetitionReceipt | None:
        existing = await repo.by_idempotency_key(key)
        if existing is None:
            return None
        if existing["create_fingerprint"] != fingerprint:
            raise ConflictError("problem.petitions.idempotency_conflict")
        return self._receipt(existing, await self._duplicates(existing, principal))

    def _receipt(self, row: Any, duplicates: list[DuplicateSuggestion]) -> PetitionReceipt:
        return PetitionReceipt(
            id=row["id"],
            tracking_code=row["tracking_code"],
            state=row["state"],
            status_text=status_text(row["state"]),
            expected_at=row["due_at"],
            duplicates=duplicates,
        )

    async def _filing_values(self, principal: Principal | None, data: PetitionCreate, unit: Any) -> dict[str, Any]:
        """Who filed and on whose behalf; staff channels need write access where it happened."""
        values: dict[str, Any] = {
            "channel": data.channel,
            "filer_account": None,
            "contact_name": data.contact_name.strip(),
            "contact_phone": data.contact_phone.strip(),
            "contact_email": data.contact_email.strip(),
            "anonymous": data.anonymous,
            "denunciation": data.denunciation,
            "consent_at": None,
            "household_id": None,
            "visit_id": None,
            "title": data.title.strip(),
            "description": data.description,
            "text_folded": fold(f"{data.title} {data.description}"),
            "origin_unit_code": unit["code"],
            "origin_unit_path": unit["path"],
            "unit_code": unit["code"],
            "unit_path": unit["path"],
            "address": data.address.strip(),
            "latitude": data.latitude,
            "longitude": data.longitude,
        }
        if (data.latitude is None) != (data.longitude is None):
            raise invalid("longitude" if data.longitude is None else "latitude", "problem.petitions.coordinates")
        if data.channel in STAFF_CHANNELS:
            if principal is None:
                raise invalid("channel", "problem.petitions.staff_channel")
            principal.require(Permission.write, unit["path"])
            if data.channel == "cadre":
                await self._on_behalf(principal, data, values)
        elif principal is not None and principal.account_id is not None:
            values["filer_account"] = principal.account_id
        if values["filer_account"] is None and not (values["contact_phone"] or values["contact_email"]):
            raise invalid("contact_phone", "problem.petitions.contact_required")
        return values

    async def _on_behalf(self, principal: Principal, data: PetitionCreate, values: dict[str, Any]) -> None:
        if not data.consent_given:
            raise invalid("consent_given", "problem.petitions.consent_required")
        values["consent_at"] = self.clock.now()
        paths = principal.scope_paths(Permission.read)
        if data.household_id is not None and await registry_repo.get_household(data.household_id, paths) is None:
            raise invalid("household_id", "problem.petitions.household_unknown")
        if data.visit_id is not None:
            visit = await registry_repo.get_visit(data.visit_id, paths)
            if visit is None or (data.household_id is not None and visit["household_id"] != data.household_id):
                raise invalid("visit_id", "problem.petitions.visit_unknown")
            values["household_id"] = visit["household_id"]
        values["household_id"] = values["household_id"] or data.household_id
        values["visit_id"] = data.visit_id

    async def _duplicates(self, row: Any, principal: Principal | None) -> list[DuplicateSuggestion]:
        """Petitions that may be the same matter, among those the caller may see: staff, within their scope;
        anyone, the published ones (unpublished petitions are nobody else's business)."""
        probe = repo.DuplicateProbe(
            category_code=row["category_code"],
            origin_unit_path=row["origin_unit_path"],
            latitude=row["latitude"],
            longitude=row["longitude"],
            # Any word of the title finds candidates; similar_titles() then keeps those sharing most words.
            tsquery=" | ".join(f"{term}:*" for term in search_terms(row["title"])),
        )
        suggestions = []
        for hit in await repo.duplicates(probe, row["id"]):
            if not similar_titles(row["title"], hit["title"]):
                continue
            public = hit["published_at"] is not None and not hit["denunciation"]
            if not (public or (principal is not None and principal.may(Permission.read, hit["unit_path"]))):
                continue
            reasons = ["similar_text"] + [r for r in ("same_category", "same_area", "nearby") if hit[r]]
            suggestions.append(
                DuplicateSuggestion(
                    id=hit["id"],
                    title=hit["title"],
                    state=hit["state"],
                    category_code=hit["category_code"],
                    created_at=hit["created_at"],
                    reasons=reasons,
                )
            )
        return suggestions[:MAX_DUPLICATES]

    async def duplicates(self, principal: Principal, petition_id: uuid.UUID) -> DuplicateList:
        """Suggestions while classifying: the same matter filed by others, within the caller's scope."""
        row = await repo.get(petition_id, self._reader_access(principal, Permission.read))
        if row is None:
            raise NotFoundError("problem.petitions.not_found")
        return DuplicateList(items=await self._duplicates(row, principal))

    # reading

    def _reader_access(self, principal: Principal, permission: Permission) -> repo.Access:
        return repo.Access(principal.scope_paths(permission), principal.account_id)

    async def get(self, principal: Principal, petition_id: uuid.UUID) -> PetitionRead:
        row = await repo.get(petition_id, self._reader_access(principal, Permission.read))
        if row is None:
            if await self._owned(principal, petition_id) is None:
                raise NotFoundError("problem.petitions.not_found")
            return await self.get_own(principal, petition_id)
        read = await self._read(principal, row)
        if not read.filer_hidden and (row["anonymous"] or row["denunciation"]):
            # Seeing a protected filer's identity is itself worth a trace.
            async with db.transaction():
                await self._audit(principal.actor, "filer_read", row)
        return read

    async def _owned(self, principal: Principal, petition_id: uuid.UUID) -> Any | None:
        row = await repo.get_unscoped(petition_id)
        return row if row is not None and principal.is_owner(row["filer_account"]) else None

    async def get_own(self, principal: Principal, petition_id: uuid.UUID) -> PetitionRead:
        row = await self._owned(principal, petition_id)
        if row is None:
            raise NotFoundError("problem.petitions.not_found")
        return await self._read(principal, row, staff=False)

    async def _read(self, principal: Principal, row: Any, *, staff: bool = True) -> PetitionRead:
        protected = row["anonymous"] or row["denunciation"]
        hidden = protected and not principal.is_owner(row["assignee"]) and not principal.is_owner(row["filer_account"])
        actor = Actor.staff if staff else Actor.filer
        events = await repo.timeline(row["id"])
        files = await repo.attachments(row["id"])
        return PetitionRead(
            id=row["id"],
            tracking_code=row["tracking_code"],
            title=row["title"],
            description=row["description"],
            state=row["state"],
            channel=row["channel"],
            category_code=row["category_code"],
            origin_unit_code=row["origin_unit_code"],
            unit_code=row["unit_code"],
            address=row["address"],
            latitude=None if hidden else row["latitude"],
            longitude=None if hidden else row["longitude"],
            anonymous=row["anonymous"],
            denunciation=row["denunciation"],
            filer_hidden=hidden,
            contact_name=None if hidden else row["contact_name"],
            contact_phone=None if hidden else row["contact_phone"],
            contact_email=None if hidden else row["contact_email"],
            consent_at=row["consent_at"],
            household_id=None if hidden else row["household_id"],
            visit_id=None if hidden else row["visit_id"],
            assignee=row["assignee"],
            due_at=row["due_at"],
            escalations=row["escalations"],
            forwarded_to=row["forwarded_to"],
            dispatch_number=row["dispatch_number"],
            dispatch_date=row["dispatch_date"],
            answer=row["answer"],
            reject_reason=row["reject_reason"],
            merged_into=row["merged_into"],
            reopen_reason=row["reopen_reason"],
            created_at=row["created_at"],
            answered_at=row["answered_at"],
            published_at=row["published_at"],
            actions=[a.value for a in allowed_actions(State(row["state"]), actor)],
            timeline=[
                TimelineEntry(
                    at=e["at"],
                    action=e["action"],
                    from_state=e["from_state"],
                    to_state=e["to_state"],
                    note=e["note"],
                    actor=e["actor"] if staff else "",
                )
                for e in events
            ],
            attachments=[attachment_read(a, row["id"]) for a in files],
            rating=await repo.rating(row["id"]),
        )

    async def inbox(
        self,
        principal: Principal,
        states: list[str] | None,
        mine: bool,
        unit: str | None,
        cursor: str | None,
        limit: int,
    ) -> PetitionPage:
        unit_path = None
        if unit is not None:
            found = await units_repo.get_unit(unit)
            if found is None:
                raise NotFoundError("problem.unit_not_found.detail", code=unit)
            unit_path = found["path"]
        wanted = repo.InboxFilter(
            states=states or list(repo.INBOX_STATES),
            assignee=principal.account_id if mine else None,
            unit_path=unit_path,
        )
        after: InboxKey | None = decode_cursor(cursor, InboxKey) if cursor else None
        rows = await repo.inbox(principal.scope_paths(Permission.read), wanted, after, limit + 1)
        next_cursor = None
        if len(rows) > limit:
            last = rows[limit - 1]
            next_cursor = encode_cursor((last["due_at"], str(last["id"])))
        now = self.clock.now()
        return PetitionPage(items=[summary_of(row, now) for row in rows[:limit]], next_cursor=next_cursor)

    async def mine(self, principal: Principal, limit: int = 50) -> PetitionPage:
        if principal.account_id is None:
            return PetitionPage(items=[], next_cursor=None)
        now = self.clock.now()
        rows = await repo.of_filer(principal.account_id, limit)
        return PetitionPage(items=[summary_of(row, now) for row in rows], next_cursor=None)

    # transitions

    async def _transition(
        self,
        principal: Principal,
        petition_id: uuid.UUID,
        action: Action,
        apply: Callable[[Any, dict[str, Any]], Awaitable[str]],
    ) -> PetitionRead:
        """Lock the petition in the caller's write scope (or as its assignee), check the move, let `apply` set
        the action's fields (it returns the timeline note), then save, record and audit it."""
        async with db.transaction():
            row = await repo.get(petition_id, self._reader_access(principal, Permission.write), lock=True)
            if row is None:
                raise NotFoundError("problem.petitions.not_found")
            target = self._next(row, action)
            now = self.clock.now()
            changes: dict[str, Any] = {"state": target.value, "updated_at": now}
            note = await apply(row, changes)
            await repo.update(row["id"], changes)
            await repo.add_event(row["id"], now, principal.actor, action.value, row["state"], target.value, note)
            await self._audit(principal.actor, action.value, {**row, **changes}, from_state=row["state"])
            saved = await repo.get_unscoped(row["id"])
        return await self._read(principal, saved)

    def _next(self, row: Any, action: Action) -> State:
        try:
            return next_state(State(row["state"]), action)
        except IllegalTransition as error:
            raise IllegalTransitionError(
                "problem.petitions.illegal_transition",
                action=translate(f"petitions.action.{action.value}"),
                state=status_text(row["state"]),
            ) from error

    async def classify(self, principal: Principal, petition_id: uuid.UUID, command: ClassifyCommand) -> PetitionRead:
        async def apply(row: Any, changes: dict[str, Any]) -> str:
            category = await self._category(command.category_code, "category_code")
            handling = await repo.ancestor_at_level(row["origin_unit_code"], category["handling_level"])
            if handling is not None:
                changes["unit_code"], changes["unit_path"] = handling["code"], handling["path"]
            changes["category_code"] = category["code"]
            await repo.close_steps(row["id"], self.clock.now())
            # The answer deadline runs from classification (the matter is accepted), assigned or not.
            changes["due_at"] = await self._open_step({**row, **changes}, "answer", category, None)
            return command.note

        return await self._transition(principal, petition_id, Action.classify, apply)

    async def assign(self, principal: Principal, petition_id: uuid.UUID, command: AssignCommand) -> PetitionRead:
        async def apply(row: Any, changes: dict[str, Any]) -> str:
            if not await repo.eligible_assignee(command.assignee, row["unit_path"], today_in_vietnam(self.clock)):
                raise invalid("assignee", "problem.petitions.assignee_ineligible")
            changes["assignee"] = command.assignee
            step = await repo.current_step(row["id"])
            if step is None:
                category = await self._category(row["category_code"] or DEFAULT_CATEGORY, "category_code")
                changes["due_at"] = await self._open_step(row, "answer", category, command.assignee)
            else:
                await repo.set_step(step["id"], command.assignee)
            event_id = await repo.add_event(
                row["id"],
                self.clock.now(),
                principal.actor,
                "assignee",
                row["state"],
                row["state"],
                details={"assignee": str(command.assignee)},
            )
            due = changes.get("due_at", row["due_at"])
            await self._notify(
                command.assignee,
                "assignment",
                "assigned",
                row,
                f"petition:{row['id']}:assigned:{event_id}",
                due=local_date(due),
            )
            return command.note

        return await self._transition(principal, petition_id, Action.assign, apply)

    async def forward(self, principal: Principal, petition_id: uuid.UUID, command: ForwardCommand) -> PetitionRead:
        async def apply(row: Any, changes: dict[str, Any]) -> str:
            if command.dispatch_date > today_in_vietnam(self.clock):
                raise invalid("dispatch_date", "problem.petitions.dispatch_future")
            changes |= {
                "forwarded_to": command.forwarded_to.strip(),
                "dispatch_number": command.dispatch_number.strip(),
                "dispatch_date": command.dispatch_date,
            }
            return command.note

        return await self._transition(principal, petition_id, Action.forward, apply)

    async def answer(self, principal: Principal, petition_id: uuid.UUID, command: AnswerCommand) -> PetitionRead:
        async def apply(row: Any, changes: dict[str, Any]) -> str:
            if not command.evidence:
                raise invalid("evidence", "problem.petitions.evidence_required")
            evidence = {a["id"] for a in await repo.attachments(row["id"], "evidence")}
            if not set(command.evidence) <= evidence:
                raise invalid("evidence", "problem.petitions.evidence_unknown")
            now = self.clock.now()
            await repo.close_steps(row["id"], now)
            changes |= {"answer": command.answer, "answered_at": now, "due_at": None}
            return ""

        return await self._transition(principal, petition_id, Action.answer, apply)

    async def publish(self, principal: Principal, petition_id: uuid.UUID, command: NoteCommand) -> PetitionRead:
        async def apply(row: Any, changes: dict[str, Any]) -> str:
            changes["published_at"] = self.clock.now()
            await self._notify(
                row["filer_account"], "announcement", "published", row, f"petition:{row['id']}:published"
            )
            return command.note

        return await self._transition(principal, petition_id, Action.publish, apply)

    async def close(self, principal: Principal, petition_id: uuid.UUID, command: NoteCommand) -> PetitionRead:
        async def apply(row: Any, changes: dict[str, Any]) -> str:
            changes["closed_at"] = self.clock.now()
            return command.note

        return await self._transition(principal, petition_id, Action.close, apply)

    async def reject(self, principal: Principal, petition_id: uuid.UUID, command: RejectCommand) -> PetitionRead:
        async def apply(row: Any, changes: dict[str, Any]) -> str:
            now = self.clock.now()
            await repo.close_steps(row["id"], now)
            changes |= {"reject_reason": command.reason.strip(), "closed_at": now, "due_at": None}
            await self._notify(row["filer_account"], "announcement", "rejected", row, f"petition:{row['id']}:rejected")
            return command.reason.strip()

        return await self._transition(principal, petition_id, Action.reject, apply)

    async def merge(self, principal: Principal, petition_id: uuid.UUID, command: MergeCommand) -> PetitionRead:
        """Merge a duplicate into another petition: both texts stay, each timeline names the other, and both
        filers are told."""

        async def apply(row: Any, changes: dict[str, Any]) -> str:
            access = self._reader_access(principal, Permission.write)
            target = None if command.into == row["id"] else await repo.get(command.into, access, lock=True)
            if target is None or target["state"] in (State.merged, State.rejected):
                raise invalid("into", "problem.petitions.merge_target")
            now = self.clock.now()
            await repo.close_steps(row["id"], now)
            changes |= {"merged_into": target["id"], "closed_at": now, "due_at": None}
            await repo.add_event(
                target["id"],
                now,
                principal.actor,
                "merged_in",
                target["state"],
                target["state"],
                command.note,
                {"duplicate": str(row["id"]), "title": row["title"]},
            )
            for filer, petition in ((row["filer_account"], row), (target["filer_account"], target)):
                await self._notify(
                    filer,
                    "announcement",
                    "merged",
                    petition,
                    f"petition:{row['id']}:merged:{filer}",
                    other=target["title"],
                )
            return command.note

        return await self._transition(principal, petition_id, Action.merge, apply)

    # the filer's own actions (signed in as the filer, or holding the tracking code)

    async def _as_filer(self, principal: Principal | None, petition_id: uuid.UUID | None, code: str | None) -> Any:
        if code is not None:
            row = await repo.by_tracking_code(normal_tracking_code(code))
        elif principal is not None and petition_id is not None:
            row = await repo.get_unscoped(petition_id)
            row = row if row is not None and principal.is_owner(row["filer_account"]) else None
        else:
            row = None
        if row is None:
            raise NotFoundError("problem.petitions.not_found")
        return await repo.get_unscoped(row["id"], lock=True)

    async def reopen(
        self,
        principal: Principal | None,
        command: ReopenCommand,
        *,
        petition_id: uuid.UUID | None = None,
        code: str | None = None,
    ) -> PetitionTracking:
        async with db.transaction():
            row = await self._as_filer(principal, petition_id, code)
            target = self._next(row, Action.reopen)
            now = self.clock.now()
            finished = row["closed_at"] or row["published_at"]
            if finished is None or now > finished + timedelta(days=self.settings.petitions_reopen_days):
                raise ConflictError("problem.petitions.reopen_window", days=self.settings.petitions_reopen_days)
            category = await self._category(row["category_code"] or DEFAULT_CATEGORY, "category_code")
            reason = command.reason.strip()
            changes: dict[str, Any] = {
                "state": target.value,
                "reopen_reason": reason,
                "updated_at": now,
                "closed_at": None,
            }
            # The answer is owed again; the former assignee is reminded until someone is assigned.
            changes["due_at"] = await self._open_step(row, "answer", category, row["assignee"])
            await repo.update(row["id"], changes)
            actor = principal.actor if principal else "filer"
            await repo.add_event(row["id"], now, actor, Action.reopen.value, row["state"], target.value, reason)
            await self._audit(actor, Action.reopen.value, row, from_state=row["state"])
            await self._notify(
                row["assignee"],
                "assignment",
                "reopened",
                row,
                f"petition:{row['id']}:reopened:{now.isoformat()}",
                reason=reason,
            )
        return await self._tracking(await repo.get_unscoped(row["id"]))

    async def rate(
        self,
        principal: Principal | None,
        data: RatingCreate,
        *,
        petition_id: uuid.UUID | None = None,
        code: str | None = None,
    ) -> PetitionTracking:
        async with db.transaction():
            row = await self._as_filer(principal, petition_id, code)
            if row["state"] not in (State.published, State.closed) or row["answer"] is None:
                raise ConflictError("problem.petitions.rate_not_answered")
            if not await repo.rate(row["id"], data.score, data.comment.strip(), self.clock.now()):
                raise ConflictError("problem.petitions.already_rated")
            await self._audit(principal.actor if principal else "filer", "rated", row, score=data.score)
        return await self._tracking(row)

    # public tracking

    async def track(self, code: str, client_key: str, language: Language = "vi") -> PetitionTracking:
        """The petition with this code, for anyone holding it. Unknown codes count against the client, which
        is locked out for a growing time after too many (guessing codes is pointless, and made slow)."""
        policy = throttle.ThrottlePolicy(
            self.settings.petitions_track_failures, TRACK_BASE_SECONDS, TRACK_MAX_SECONDS, TRACK_RESET_SECONDS
        )
        now = self.clock.now()
        async with db.transaction():
            stored = await repo.throttle_state(client_key)
            state = throttle.ThrottleState(*stored) if stored else throttle.FRESH
            if throttle.is_locked(state, now):
                assert state.locked_until is not None
                raise TrackingLocked(max(1, int((state.locked_until - now).total_seconds())))
            row = await repo.by_tracking_code(normal_tracking_code(code))
            if row is None:
                await repo.save_throttle(client_key, *throttle.after_failure(state, now, policy))
        if row is None:
            raise NotFoundError("problem.petitions.not_found")
        return await self._tracking(row, language)

    async def _tracking(self, row: Any, language: Language = "vi") -> PetitionTracking:
        category = await repo.category(row["category_code"]) if row["category_code"] else None
        public = row["state"] in (State.published, State.closed) and row["published_at"] is not None
        rating = await repo.rating(row["id"])
        finished = row["closed_at"] or row["published_at"]
        reopen_until = finished + timedelta(days=self.settings.petitions_reopen_days) if finished else None
        events = await repo.timeline(row["id"])
        evidence = await repo.attachments(row["id"], "evidence") if public else []
        return PetitionTracking(
            tracking_code=row["tracking_code"],
            title=row["title"],
            state=row["state"],
            status_text=status_text(row["state"], language),
            expected_at=row["due_at"],
            category=category_read(category, language).name if category else None,
            created_at=row["created_at"],
            answer=row["answer"] if public else None,
            published_at=row["published_at"],
            timeline=[
                TimelineEntry(
                    at=e["at"], action=e["action"], from_state=e["from_state"], to_state=e["to_state"], note=""
                )
                for e in events
                if e["from_state"] != e["to_state"]
            ],
            evidence=[attachment_read(a, row["id"]) for a in evidence],
            rating=rating,
            can_rate=public and rating is None,
            can_reopen=reopen_until is not None
            and row["state"] in (State.published, State.closed)
            and self.clock.now() <= reopen_until,
        )

    # attachments

    async def add_attachment(
        self,
        principal: Principal | None,
        petition_id: uuid.UUID,
        content: bytes,
        filename: str,
        *,
        code: str | None = None,
    ) -> AttachmentRead:
        """Staff add evidence (before answering); the filer adds photos and files to their own petition."""
        checked = attachments.check(
            content, self.settings.petitions_attachment_max_bytes, self.settings.petitions_image_max_side
        )
        async with db.transaction():
            row = None
            if principal is not None:
                row = await repo.get(petition_id, self._reader_access(principal, Permission.write), lock=True)
            purpose = "evidence" if row is not None else "filing"
            if row is None:
                row = await self._as_filer(principal, petition_id if code is None else None, code)
                if row["id"] != petition_id or row["state"] not in (State.received, State.classified):
                    raise NotFoundError("problem.petitions.not_found")
            attachment_id = uuid.uuid4()
            values = {
                "id": attachment_id,
                "petition_id": row["id"],
                "purpose": purpose,
                "media_type": checked.media_type,
                "filename": filename[:200],
                "size_bytes": len(content),
                "sha256": hashlib.sha256(content).hexdigest(),
                "original_key": f"{row['id']}/{attachment_id}.original",
                "public_key": f"{row['id']}/{attachment_id}.public",
                "width": checked.width,
                "height": checked.height,
                "created_by": principal.actor if principal else "filer",
                "created_at": self.clock.now(),
            }
            # Files first: a row never points at a missing file. A failure (a full disk) takes back the files
            # already written, so nothing of the refused upload stays behind.
            try:
                self.storage.put(values["original_key"], content)
                self.storage.put(values["public_key"], checked.public_copy)
                await repo.insert_attachment(values)
                await self._audit(str(values["created_by"]), "attachment_added", row, attachment=str(attachment_id))
            except BaseException:
                self.storage.discard(values["original_key"], values["public_key"])
                raise
        return attachment_read(values, row["id"])

    async def attachment_content(
        self, principal: Principal | None, petition_id: uuid.UUID, attachment_id: uuid.UUID
    ) -> tuple[bytes, str]:
        """The public copy: for staff in scope, the filer, and anyone once the answer is published (evidence)."""
        found = await repo.attachment(attachment_id)
        if found is None or found["petition_id"] != petition_id:
            raise NotFoundError("problem.petitions.not_found")
        row = await repo.get_unscoped(petition_id)
        if row is None:
            raise NotFoundError("problem.petitions.not_found")
        published = row["state"] in (State.published, State.closed) and row["published_at"] is not None
        allowed = (found["purpose"] == "evidence" and published and not row["denunciation"]) or (
            principal is not None
            and (
                principal.is_owner(row["filer_account"])
                or await repo.get(petition_id, self._reader_access(principal, Permission.read)) is not None
            )
        )
        content = self.storage.get(found["public_key"]) if allowed else None
        if content is None:
            raise NotFoundError("problem.petitions.not_found")
        return content, found["media_type"]

    # the public side

    async def published(self, query: str | None, cursor: str | None, limit: int) -> PublishedPage:
        after = decode_cursor(cursor, tuple[datetime, uuid.UUID]) if cursor else None
        tsquery = prefix_tsquery(query) if query else None
        rows = await repo.published(tsquery, after, limit + 1)
        names = {row["code"]: row["name_vi"] for row in await repo.categories(active_only=False)}
        items = [
            PublishedAnswer(
                id=row["id"],
                title=row["title"],
                description=row["description"],
                category=names.get(row["category_code"]),
                unit_code=row["unit_code"],
                answer=row["answer"],
                published_at=row["published_at"],
                rating=row["score"],
            )
            for row in rows[:limit]
        ]
        next_cursor = None
        if len(rows) > limit:
            last = rows[limit - 1]
            next_cursor = encode_cursor((last["published_at"].isoformat(), str(last["id"])))
        return PublishedPage(items=items, next_cursor=next_cursor)


def local_date(moment: datetime | None) -> str:
    return moment.astimezone(calendar.VIETNAM).strftime("%d/%m/%Y") if moment else "—"
