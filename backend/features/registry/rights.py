"""The data subject's rights (Law 91/2025): everything held about one resident, and erasure.

Both are decided by the commune officer of the resident's unit (the controller of the commune's data;
an area cadre collects, a province officer has no sensitive access): the caller needs a
`commune_officer` role over the resident's unit, and anyone else gets 404, like outside any scope.

Erasure anonymises instead of deleting, so that the household's size and the unit's aggregate counts
(gender, birth year, relation, moves) stay right: the name becomes a placeholder, contact and sensitive
fields and their hashes are removed, the birth date is cut to its year, memberships keep only the
organisation, consents keep their dates but not who gave them, and visit notes that name the person have
the name replaced. The audit log keeps its entries (they name fields, never values).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import msgspec

from backend import db
from backend.features.audit.service import AuditEvent, record
from backend.features.registry import repo, rules, views
from backend.lib.access import Principal, Role, within
from backend.lib.clock import Clock
from backend.lib.errors import NotFoundError
from backend.lib.i18n import translate
from backend.lib.text import fold
from schemas.registry_transfer import AuditItem, Erasure, PersonalData, VisitAbout

ERASED_NAME = translate("registry.erased_name", "vi")
# Cleared on erasure (the sensitive ones, contact, and the hashes derived from them).
ERASED_FIELDS = ("birth_date", "phone", "phone_digits", *rules.SENSITIVE_FIELDS, "id_number_hash")
VISIT_TEXTS = ("needs", "concerns", "feedback", "follow_up")


def officer_paths(principal: Principal) -> list[str]:
    """Unit paths where the caller is a commune officer (the data subject's requests are decided there)."""
    paths = sorted({r.unit_path for r in principal.roles if r.role == Role.commune_officer})
    return [p for p in paths if not any(within(p, other) and p != other for other in paths)]


class RightsService:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    async def _resident(self, principal: Principal, resident_id: uuid.UUID, *, lock: bool) -> Any:
        row = await repo.get_resident(resident_id, officer_paths(principal), lock=lock)
        if row is None:
            raise NotFoundError("problem.registry.resident_not_found")
        return row

    async def personal_data(self, principal: Principal, resident_id: uuid.UUID) -> PersonalData:
        """Everything about the resident, unmasked (it is for the person themself); audited."""
        async with db.transaction():
            row = await self._resident(principal, resident_id, lock=False)
            household = await repo.get_household(row["household_id"], officer_paths(principal))
            async with db.connection() as conn:
                visit_rows = await conn.fetch(
                    f"SELECT {repo.VISIT_COLUMNS} FROM visits v WHERE v.household_id = $1 AND v.deleted_at IS NULL"
                    " ORDER BY v.visited_on DESC, v.id",
                    row["household_id"],
                )
                audit_rows = await conn.fetch(
                    "SELECT at, actor, action, unit_path, details::text AS details FROM audit_log"
                    " WHERE subject_type = 'resident' AND subject_id = $1 ORDER BY id",
                    str(resident_id),
                )
            consents = [views.consent_read(consent) for consent in await repo.consents_of(resident_id)]
            name = fold(row["full_name"])
            visits = [
                VisitAbout(
                    **msgspec.structs.asdict(views.visit_read(visit)),
                    mentions_resident=any(name in fold(visit[text]) for text in VISIT_TEXTS),
                )
                for visit in visit_rows
            ]
            audit = [
                AuditItem(
                    at=item["at"],
                    actor=item["actor"],
                    action=item["action"],
                    unit_path=item["unit_path"],
                    details=json.loads(item["details"]),
                )
                for item in audit_rows
            ]
            now = self.clock.now()
            await record(
                AuditEvent(
                    action="resident.personal_data_exported",
                    actor=principal.actor,
                    subject_type="resident",
                    subject_id=str(resident_id),
                    unit_path=row["unit_path"],
                    details={"fields": rules.sensitive_present(row), "visits": len(visits), "consents": len(consents)},
                ),
                now,
            )
        return PersonalData(
            resident=views.resident_read(row, True),
            household=views.household_read(household),
            visits=visits,
            consents=consents,
            audit=audit,
            exported_at=now,
        )

    async def erase(self, principal: Principal, resident_id: uuid.UUID) -> Erasure:
        """Anonymise the resident (idempotent: erasing again changes nothing); audited."""
        async with db.transaction():
            row = await self._resident(principal, resident_id, lock=True)
            memberships = [{"organisation": m["organisation"]} for m in json.loads(row["memberships"])]
            target: dict[str, Any] = {
                "full_name": ERASED_NAME,
                "name_folded": fold(ERASED_NAME),
                **dict.fromkeys(ERASED_FIELDS),
                "memberships": memberships,
            }
            current = {**row, "memberships": json.loads(row["memberships"])}
            changed = rules.changed_fields(current, target)
            visits_changed = 0
            if changed:
                version = row["version"] + 1
                values = {
                    **{name: target[name] for name in changed},
                    "version": version,
                    "field_versions": rules.bump_field_versions(views.field_versions_of(row), changed, version),
                    "updated_by": principal.actor,
                    "updated_at": self.clock.now(),
                }
                await repo.update_resident(resident_id, row["version"], values)
                visits_changed = await self._scrub_visits(principal, row)
                async with db.connection() as conn:
                    await conn.execute(
                        "UPDATE consents SET given_by = $2 WHERE resident_id = $1 AND given_by <> $2",
                        resident_id,
                        ERASED_NAME,
                    )
                await record(
                    AuditEvent(
                        action="resident.erased",
                        actor=principal.actor,
                        subject_type="resident",
                        subject_id=str(resident_id),
                        unit_path=row["unit_path"],
                        details={"fields": changed, "visits_changed": visits_changed},
                    ),
                    self.clock.now(),
                )
            version = row["version"] + (1 if changed else 0)
        return Erasure(resident_id=resident_id, erased=bool(changed), fields=changed, version=version)

    async def _scrub_visits(self, principal: Principal, row: Any) -> int:
        """Replace the person's full name in the notes of their household's visits (a new version each)."""
        name = row["full_name"]
        changed_visits = 0
        async with db.connection() as conn:
            visits = await conn.fetch(
                "SELECT id, version, field_versions::text AS field_versions, needs, concerns, feedback, follow_up"
                " FROM visits WHERE household_id = $1 FOR UPDATE",
                row["household_id"],
            )
            for visit in visits:
                texts = {text: visit[text].replace(name, ERASED_NAME) for text in VISIT_TEXTS}
                changed = [text for text in VISIT_TEXTS if texts[text] != visit[text]]
                if not changed:
                    continue
                version = visit["version"] + 1
                versions = rules.bump_field_versions(json.loads(visit["field_versions"]), changed, version)
                await conn.execute(
                    "UPDATE visits SET needs = $2, concerns = $3, feedback = $4, follow_up = $5, version = $6,"
                    " field_versions = $7::jsonb, updated_by = $8, updated_at = $9 WHERE id = $1",
                    visit["id"],
                    *(texts[text] for text in VISIT_TEXTS),
                    version,
                    json.dumps(versions),
                    principal.actor,
                    self.clock.now(),
                )
                changed_visits += 1
        return changed_visits
