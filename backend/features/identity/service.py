"""Accounts, sign-in (with throttling), browser sessions and the principal behind a request."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from backend import db
from backend.features.audit.service import AuditEvent, record
from backend.features.identity import passwords, repo
from backend.features.identity.opaque import new_secret, secret_hash
from backend.features.identity.throttle import FRESH, ThrottlePolicy, ThrottleState, after_failure, is_locked
from backend.lib import metrics
from backend.lib.access import ROLE_LEVELS, Permission, Principal, Role, ScopedRole, scope_sql
from backend.lib.clock import Clock, today_in_vietnam
from backend.lib.errors import AppError, ConflictError, InvalidInputError, NotFoundError
from backend.settings import Settings
from schemas.common import FieldError
from schemas.identity import AccountCreate, AccountRead, CitizenRegistration, RoleGrant, RoleRead, SessionRead

CITIZEN_HOME_UNIT = "TW"


class SignInFailed(AppError):
    """One answer for a wrong password, an unknown user, a locked or disabled account (no enumeration)."""

    status = 401
    slug = "sign-in-failed"
    title_key = "problem.sign_in_failed.title"


@dataclass(frozen=True)
class Caller:
    """Where a request came from, for throttling, sessions and the audit log."""

    ip: str
    user_agent: str = ""


class AccountService:
    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock

    # Accounts ------------------------------------------------------------------------------------

    async def create_account(self, data: AccountCreate, actor: str, caller: Caller) -> AccountRead:
        if not data.roles:
            raise InvalidInputError("problem.account.role_required", errors=[FieldError(field="roles", message="[]")])
        return await self._create(
            data.username, data.password, data.display_name, data.phone, data.email, data.roles, actor, caller
        )

    async def register_citizen(self, data: CitizenRegistration, caller: Caller) -> AccountRead:
        roles = [RoleGrant(role=Role.citizen, unit_code=CITIZEN_HOME_UNIT)]
        return await self._create(
            data.username, data.password, data.display_name, data.phone, data.email, roles, "", caller
        )

    async def _create(
        self,
        username: str,
        password: str,
        display_name: str,
        phone: str | None,
        email: str | None,
        roles: list[RoleGrant],
        actor: str,
        caller: Caller,
    ) -> AccountRead:
        _check_password(username, password)
        now = self.clock.now()
        account_id = uuid.uuid4()
        password_hash = passwords.hash_password(self.settings, password)
        try:
            async with db.transaction():
                await repo.insert_account(account_id, username, password_hash, display_name, phone, email, now)
                for grant in roles:
                    await self._check_role(grant)
                    await repo.insert_role(account_id, grant.role, grant.unit_code, now)
                await record(
                    AuditEvent(
                        action="account.created",
                        actor=actor or str(account_id),
                        subject_type="account",
                        subject_id=str(account_id),
                        ip=caller.ip,
                        details={"username": username, "roles": [[g.role, g.unit_code] for g in roles]},
                    ),
                    now,
                )
        except asyncpg.UniqueViolationError as error:
            raise ConflictError("problem.account.username_taken", username=username) from error
        return await self.account(account_id)

    async def _check_role(self, grant: RoleGrant) -> None:
        unit = await repo.unit_level_and_path(grant.unit_code)
        if grant.role not in Role.__members__:
            raise InvalidInputError(
                "problem.account.unknown_role",
                role=grant.role,
                errors=[FieldError(field="roles.role", message=grant.role)],
            )
        if unit is None or unit["level"] not in ROLE_LEVELS[Role(grant.role)]:
            raise InvalidInputError(
                "problem.account.role_unit_mismatch",
                role=grant.role,
                unit=grant.unit_code,
                errors=[FieldError(field="roles.unit_code", message=grant.unit_code)],
            )

    async def unit_path(self, unit_code: str) -> str | None:
        unit = await repo.unit_level_and_path(unit_code)
        return None if unit is None else str(unit["path"])

    async def account(self, account_id: uuid.UUID) -> AccountRead:
        row = await repo.account_by_id(account_id)
        if row is None:
            raise NotFoundError()
        return await self._account_read(row)

    async def account_for(
        self, principal: Principal, account_id: uuid.UUID, permission: Permission = Permission.read
    ) -> AccountRead:
        """An account as seen by principal: itself (for reading), or one with a role inside the scope in
        which the principal holds the permission."""
        if permission is Permission.read and principal.is_owner(account_id):
            return await self.account(account_id)
        condition, args = scope_sql("u.path", principal.scope_paths(permission), 2)
        row = await repo.accounts_in_scope(condition, args, account_id)
        if row is None:
            raise NotFoundError()
        return await self._account_read(row)

    async def change_status(
        self, principal: Principal, account_id: uuid.UUID, status: str, caller: Caller
    ) -> AccountRead:
        """Disable or lock an account (ending its sessions and grants) or reactivate it."""
        before = await self.account_for(principal, account_id, Permission.manage_accounts)
        now = self.clock.now()
        async with db.transaction():
            await repo.set_status(account_id, status, now)
            if status != "active":
                await self.end_all_sessions(account_id, caller, reason=f"account_{status}")
            event = AuditEvent(
                action="account.status_changed",
                actor=principal.actor,
                subject_type="account",
                subject_id=str(account_id),
                ip=caller.ip,
                details={"from": before.status, "to": status},
            )
            await record(event, now)
        return await self.account(account_id)

    async def _account_read(self, row: Any) -> AccountRead:
        roles = await repo.roles_of([row["id"]], today_in_vietnam(self.clock))
        return AccountRead(
            id=row["id"],
            username=row["username"],
            display_name=row["display_name"],
            phone=row["phone"],
            email=row["email"],
            status=row["status"],
            created_at=row["created_at"],
            roles=[
                RoleRead(role=r["role"], unit_code=r["unit_code"], unit_name=r["unit_name"], unit_path=r["unit_path"])
                for r in roles
            ],
        )

    async def principal(self, account_id: uuid.UUID, client_id: str, scopes: frozenset[str]) -> Principal:
        roles = await repo.roles_of([account_id], today_in_vietnam(self.clock))
        return self.principal_of(account_id, client_id, scopes, roles)

    @staticmethod
    def principal_of(account_id: uuid.UUID, client_id: str, scopes: frozenset[str], roles: Sequence[Any]) -> Principal:
        """From role assignment rows (role, unit_code, unit_path) already read."""
        return Principal(
            account_id=account_id,
            client_id=client_id,
            roles=tuple(ScopedRole(Role(r["role"]), r["unit_code"], r["unit_path"]) for r in roles),
            scopes=scopes,
        )

    # Sign-in ---------------------------------------------------------------------------------------

    def _policies(self) -> dict[str, ThrottlePolicy]:
        s = self.settings
        account = ThrottlePolicy(
            s.login_failures_per_account,
            s.login_wait_base_seconds,
            s.login_wait_max_seconds,
            s.login_failure_reset_seconds,
        )
        return {"account": account, "ip": account._replace(threshold=s.login_failures_per_ip)}

    async def authenticate(self, username: str, password: str, caller: Caller) -> uuid.UUID:
        """The account id on success; SignInFailed (always the same) otherwise."""
        now = self.clock.now()
        account = await repo.account_by_username(username)
        keys = {"ip": f"ip:{caller.ip}"} | ({"account": f"account:{account['id']}"} if account else {})
        states = await repo.throttle_states(list(keys.values()))
        locked = any(is_locked(_state(states.get(key)), now) for key in keys.values())
        # The hash is checked even when locked or unknown, so timing tells nothing either.
        password_ok = passwords.verify_password(self.settings, account["password_hash"] if account else None, password)
        if account and password_ok and not locked and account["status"] == "active":
            async with db.transaction():
                await repo.clear_throttle(keys["account"])
                await record(
                    AuditEvent(
                        action="login.succeeded",
                        actor=str(account["id"]),
                        subject_type="account",
                        subject_id=str(account["id"]),
                        ip=caller.ip,
                    ),
                    now,
                )
            return uuid.UUID(str(account["id"]))
        await self._register_failure(keys, username, account, locked, caller, now)
        raise SignInFailed("problem.sign_in_failed.detail")

    async def _register_failure(
        self, keys: dict[str, str], username: str, account: Any, locked: bool, caller: Caller, now: datetime
    ) -> None:
        policies = self._policies()
        async with db.transaction():
            states = await repo.throttle_states(list(keys.values()), for_update=True)
            newly_locked = []
            for kind, key in keys.items():
                before = _state(states.get(key))
                after = after_failure(before, now, policies[kind])
                if after != before:
                    await repo.save_throttle(key, after.failures, now, after.locked_until)
                if is_locked(after, now) and not is_locked(before, now):
                    newly_locked.append(kind)
            subject = str(account["id"]) if account else ""
            reason = "locked" if locked else ("unknown_user" if account is None else "bad_credentials")
            await record(
                AuditEvent(
                    action="login.failed",
                    actor="",
                    subject_type="account",
                    subject_id=subject,
                    ip=caller.ip,
                    details={"username": username, "reason": reason},
                ),
                now,
            )
            for kind in newly_locked:
                await record(
                    AuditEvent(action="login.lockout", subject_type=kind, subject_id=keys[kind], ip=caller.ip), now
                )
        metrics.count_login_failure(reason)

    async def change_password(self, account_id: uuid.UUID, current: str, new: str, caller: Caller) -> None:
        account = await repo.account_by_id(account_id)
        if account is None or not passwords.verify_password(self.settings, account["password_hash"], current):
            raise InvalidInputError(
                "problem.account.wrong_password", errors=[FieldError(field="current_password", message="")]
            )
        _check_password(account["username"], new)
        now = self.clock.now()
        async with db.transaction():
            await repo.update_password(account_id, passwords.hash_password(self.settings, new), now)
            await self.end_all_sessions(account_id, caller, reason="password_changed")
            await record(
                AuditEvent(
                    action="account.password_changed",
                    actor=str(account_id),
                    subject_type="account",
                    subject_id=str(account_id),
                    ip=caller.ip,
                ),
                now,
            )

    # Browser sessions ------------------------------------------------------------------------------

    async def open_session(
        self,
        kind: str,
        account_id: uuid.UUID,
        auth_time: datetime,
        caller: Caller,
        csrf_token: str | None = None,
        grant_id: uuid.UUID | None = None,
    ) -> str:
        raw, id_hash = new_secret()
        now = self.clock.now()
        await repo.insert_session(
            id_hash,
            kind,
            account_id,
            auth_time,
            now,
            now + timedelta(seconds=self.settings.session_seconds),
            csrf_token,
            grant_id,
            caller.user_agent,
            caller.ip,
        )
        return raw

    async def live_session(self, kind: str, raw: str | None) -> Any | None:
        if not raw:
            return None
        row = await repo.live_session(secret_hash(raw), kind, self.clock.now())
        if row is None or row["account_status"] != "active":
            return None
        return row

    async def sessions(self, account_id: uuid.UUID, current_hash: str | None) -> list[SessionRead]:
        return [
            SessionRead(
                id=row["id_hash"],
                kind=row["kind"],
                created_at=row["created_at"],
                last_seen_at=row["last_seen_at"],
                expires_at=row["expires_at"],
                user_agent=row["user_agent"],
                ip=row["ip"],
                current=row["id_hash"] == current_hash,
            )
            for row in await repo.sessions_of(account_id, self.clock.now())
        ]

    async def end_session(self, account_id: uuid.UUID, id_hash: str, caller: Caller) -> None:
        async with db.transaction():
            revoked = await repo.revoke_sessions(account_id, self.clock.now(), id_hash)
            if not revoked:
                raise NotFoundError()
            await self._revoke_grants([row["grant_id"] for row in revoked if row["grant_id"]], "session_ended")
            await record(
                AuditEvent(
                    action="session.revoked",
                    actor=str(account_id),
                    subject_type="session",
                    subject_id=id_hash[:16],
                    ip=caller.ip,
                ),
                self.clock.now(),
            )

    async def end_all_sessions(self, account_id: uuid.UUID, caller: Caller, reason: str) -> None:
        async with db.transaction():
            await repo.revoke_sessions(account_id, self.clock.now())
            await repo.revoke_grants_of_account(account_id, self.clock.now(), reason)

    async def _revoke_grants(self, grant_ids: list[uuid.UUID], reason: str) -> None:
        await repo.revoke_grants(grant_ids, self.clock.now(), reason)

    async def end_provider_session(self, op_session_hash: str) -> None:
        """Sign a browser out at the provider: its session, the grants of that sign-in and the web-app
        sessions resting on them; the clients that asked for back-channel logout get a notice (sent by a job
        after commit)."""
        now = self.clock.now()
        async with db.transaction():
            account_id = await repo.revoke_provider_session(op_session_hash, now)
            if account_id is None:
                return
            clients = await repo.revoke_grants_of_provider_session(op_session_hash, now)
            notices = {
                (c["client_id"], c["backchannel_logout_uri"], str(account_id), op_session_hash[:32])
                for c in clients
                if c["backchannel_logout_uri"]
            }
            await repo.queue_logout_notices(sorted(notices), now)
            event = AuditEvent(
                action="logout", actor=str(account_id), subject_type="session", subject_id=op_session_hash[:16]
            )
            await record(event, now)


def _state(row: Any | None) -> ThrottleState:
    if row is None:
        return FRESH
    return ThrottleState(row["failures"], row["last_failure_at"], row["locked_until"])


def _check_password(username: str, password: str) -> None:
    if len(password) < passwords.MIN_PASSWORD_LENGTH or password.lower() == username.lower():
        raise InvalidInputError("problem.account.weak_password", errors=[FieldError(field="password", message="")])
