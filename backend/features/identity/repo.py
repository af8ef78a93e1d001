"""Queries of the identity feature (raw asyncpg: small, hot, and joined to the unit tree)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from backend.db import connection

# Committed back-channel logout notices wake their sender on this channel (see features/jobs/kicks.py).
LOGOUT_NOTICES_CHANNEL = "identity_logout_notices"

ACCOUNT_COLUMNS = "id, username, password_hash, display_name, phone, email, status, password_changed_at, created_at"


async def account_by_username(username: str) -> Any | None:
    async with connection() as conn:
        return await conn.fetchrow(
            f"SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE lower(username) = lower($1)", username
        )


async def account_by_id(account_id: uuid.UUID) -> Any | None:
    async with connection() as conn:
        return await conn.fetchrow(f"SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = $1", account_id)


async def insert_account(
    account_id: uuid.UUID,
    username: str,
    password_hash: str,
    display_name: str,
    phone: str | None,
    email: str | None,
    now: datetime,
) -> None:
    async with connection() as conn:
        await conn.execute(
            "INSERT INTO accounts (id, username, password_hash, display_name, phone, email, status,"
            " password_changed_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, $7, $7)",
            account_id,
            username,
            password_hash,
            display_name,
            phone,
            email,
            now,
        )


async def insert_role(account_id: uuid.UUID, role: str, unit_code: str, now: datetime) -> None:
    async with connection() as conn:
        await conn.execute(
            "INSERT INTO role_assignments (id, account, role, unit, created_at) VALUES ($1, $2, $3, $4, $5)"
            " ON CONFLICT (account, role, unit) DO NOTHING",
            uuid.uuid4(),
            account_id,
            role,
            unit_code,
            now,
        )


def role_in_force(day: str) -> str:
    """SQL: the role assignment `r` is in force on day (a parameter placeholder such as "$2")."""
    return f"(r.valid_from IS NULL OR r.valid_from <= {day}) AND (r.valid_to IS NULL OR r.valid_to > {day})"


async def roles_of(account_ids: list[uuid.UUID], today: date) -> list[Any]:
    async with connection() as conn:
        return list(
            await conn.fetch(
                "SELECT r.account, r.role, r.unit AS unit_code, u.name AS unit_name, u.path AS unit_path"
                " FROM role_assignments r JOIN units u ON u.code = r.unit"
                f" WHERE r.account = ANY($1::uuid[]) AND {role_in_force('$2')}"
                " ORDER BY u.path, r.role",
                account_ids,
                today,
            )
        )


async def accounts_in_scope(scope_condition: str, scope_args: list[str], account_id: uuid.UUID) -> Any | None:
    """The account if one of its role assignments lies inside the caller's scope."""
    async with connection() as conn:
        return await conn.fetchrow(
            f"SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE a.id = $1 AND EXISTS ("
            f" SELECT 1 FROM role_assignments r JOIN units u ON u.code = r.unit"
            f" WHERE r.account = a.id AND {scope_condition})",
            account_id,
            *scope_args,
        )


async def unit_level_and_path(unit_code: str) -> Any | None:
    async with connection() as conn:
        return await conn.fetchrow("SELECT level, path FROM units WHERE code = $1 AND valid_to IS NULL", unit_code)


async def update_password(account_id: uuid.UUID, password_hash: str, now: datetime) -> None:
    async with connection() as conn:
        await conn.execute(
            "UPDATE accounts SET password_hash = $2, password_changed_at = $3, updated_at = $3 WHERE id = $1",
            account_id,
            password_hash,
            now,
        )


# Throttle state ------------------------------------------------------------------------------------


async def throttle_states(keys: list[str], for_update: bool = False) -> dict[str, Any]:
    lock = " FOR UPDATE" if for_update else ""
    async with connection() as conn:
        rows = await conn.fetch(
            f"SELECT key, failures, last_failure_at, locked_until FROM login_throttle WHERE key = ANY($1){lock}", keys
        )
    return {row["key"]: row for row in rows}


async def save_throttle(key: str, failures: int, last_failure_at: datetime, locked_until: datetime | None) -> None:
    async with connection() as conn:
        await conn.execute(
            "INSERT INTO login_throttle (key, failures, last_failure_at, locked_until) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (key) DO UPDATE SET failures = $2, last_failure_at = $3, locked_until = $4",
            key,
            failures,
            last_failure_at,
            locked_until,
        )


async def clear_throttle(key: str) -> None:
    async with connection() as conn:
        await conn.execute("DELETE FROM login_throttle WHERE key = $1", key)


# Browser sessions ----------------------------------------------------------------------------------


async def insert_session(
    id_hash: str,
    kind: str,
    account_id: uuid.UUID,
    auth_time: datetime,
    now: datetime,
    expires_at: datetime,
    csrf_token: str | None,
    grant_id: uuid.UUID | None,
    user_agent: str,
    ip: str,
) -> None:
    async with connection() as conn:
        await conn.execute(
            "INSERT INTO browser_sessions (id_hash, kind, account, auth_time, created_at, last_seen_at, expires_at,"
            " csrf_token, grant_id, user_agent, ip) VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8, $9, $10)",
            id_hash,
            kind,
            account_id,
            auth_time,
            now,
            expires_at,
            csrf_token,
            grant_id,
            user_agent[:300],
            ip,
        )


async def live_session(id_hash: str, kind: str, now: datetime) -> Any | None:
    async with connection() as conn:
        return await conn.fetchrow(
            "SELECT s.*, a.status AS account_status FROM browser_sessions s JOIN accounts a ON a.id = s.account"
            " WHERE s.id_hash = $1 AND s.kind = $2 AND s.revoked_at IS NULL AND s.expires_at > $3",
            id_hash,
            kind,
            now,
        )


async def touch_session(id_hash: str, now: datetime) -> None:
    async with connection() as conn:
        await conn.execute("UPDATE browser_sessions SET last_seen_at = $2 WHERE id_hash = $1", id_hash, now)


async def sessions_of(account_id: uuid.UUID, now: datetime) -> list[Any]:
    async with connection() as conn:
        return list(
            await conn.fetch(
                "SELECT * FROM browser_sessions WHERE account = $1 AND revoked_at IS NULL AND expires_at > $2"
                " ORDER BY last_seen_at DESC",
                account_id,
                now,
            )
        )


async def revoke_sessions(account_id: uuid.UUID, now: datetime, id_hash: str | None = None) -> list[Any]:
    """Revoke one session of the account (or all); returns the revoked rows."""
    async with connection() as conn:
        return list(
            await conn.fetch(
                "UPDATE browser_sessions SET revoked_at = $2 WHERE account = $1 AND revoked_at IS NULL"
                " AND ($3::text IS NULL OR id_hash = $3) RETURNING id_hash, kind, grant_id",
                account_id,
                now,
                id_hash,
            )
        )


async def set_status(account_id: uuid.UUID, status: str, now: datetime) -> None:
    async with connection() as conn:
        await conn.execute("UPDATE accounts SET status = $2, updated_at = $3 WHERE id = $1", account_id, status, now)


# Grants and provider sessions ------------------------------------------------------------------------


async def revoke_grants_of_account(account_id: uuid.UUID, now: datetime, reason: str) -> None:
    async with connection() as conn:
        await conn.execute(
            "UPDATE oidc_grants SET revoked_at = $2, revoked_reason = $3 WHERE account = $1 AND revoked_at IS NULL",
            account_id,
            now,
            reason,
        )


async def revoke_grants(grant_ids: list[uuid.UUID], now: datetime, reason: str) -> None:
    async with connection() as conn:
        await conn.execute(
            "UPDATE oidc_grants SET revoked_at = $2, revoked_reason = $3 WHERE id = ANY($1::uuid[])"
            " AND revoked_at IS NULL",
            grant_ids,
            now,
            reason,
        )


async def revoke_provider_session(op_session_hash: str, now: datetime) -> uuid.UUID | None:
    """Revoke a live provider session; its account, or None when there was none."""
    async with connection() as conn:
        account = await conn.fetchval(
            "UPDATE browser_sessions SET revoked_at = $2 WHERE id_hash = $1 AND kind = 'op' AND revoked_at IS NULL"
            " RETURNING account",
            op_session_hash,
            now,
        )
    return account


async def revoke_grants_of_provider_session(op_session_hash: str, now: datetime) -> list[Any]:
    """Revoke what the session's sign-in granted (and the web-app sessions resting on it); returns the
    clients concerned with their back-channel logout URIs."""
    async with connection() as conn:
        clients = await conn.fetch(
            "UPDATE oidc_grants g SET revoked_at = $2, revoked_reason = 'logout' FROM oidc_clients c"
            " WHERE g.op_session_hash = $1 AND g.revoked_at IS NULL AND c.client_id = g.client"
            " RETURNING c.client_id, c.backchannel_logout_uri",
            op_session_hash,
            now,
        )
        await conn.execute(
            "UPDATE browser_sessions SET revoked_at = $2 WHERE kind = 'app' AND revoked_at IS NULL"
            " AND grant_id IN (SELECT id FROM oidc_grants WHERE op_session_hash = $1)",
            op_session_hash,
            now,
        )
    return list(clients)


async def queue_logout_notices(notices: list[tuple[str, str, str, str]], now: datetime) -> None:
    """Queue (client, uri, subject, sid) back-channel logout notices, due at once, and wake the sender."""
    if not notices:
        return
    async with connection() as conn:
        await conn.executemany(
            "INSERT INTO oidc_logout_notices (id, client, uri, subject, sid, created_at, due_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $6)",
            [(uuid.uuid4(), *notice, now) for notice in notices],
        )
        await conn.execute("SELECT pg_notify($1, '')", LOGOUT_NOTICES_CHANNEL)


async def claim_due_logout_notices(now: datetime, lease_until: datetime, limit: int) -> list[Any]:
    """Take due notices for sending: they are not due again before lease_until, so a sender that dies
    mid-send leaves them to the next one instead of losing them (the client may see a repeat jti)."""
    async with connection() as conn:
        return list(
            await conn.fetch(
                "UPDATE oidc_logout_notices n SET due_at = $2, attempts = n.attempts + 1"
                " FROM (SELECT id FROM oidc_logout_notices WHERE due_at <= $1 AND sent_at IS NULL"
                "       AND given_up_at IS NULL ORDER BY due_at LIMIT $3 FOR UPDATE SKIP LOCKED) due"
                " WHERE n.id = due.id RETURNING n.id, n.client, n.uri, n.subject, n.sid, n.attempts",
                now,
                lease_until,
                limit,
            )
        )


async def settle_logout_notice(notice_id: uuid.UUID, outcome: str, at: datetime, error: str | None) -> None:
    """Record a send's outcome: `sent` (at = when), `retry` (at = when due again) or `given_up` (at = when)."""
    async with connection() as conn:
        await conn.execute(
            "UPDATE oidc_logout_notices SET last_error = $4,"
            " sent_at = CASE WHEN $2 = 'sent' THEN $3::timestamptz END,"
            " due_at = CASE WHEN $2 = 'retry' THEN $3 ELSE due_at END,"
            " given_up_at = CASE WHEN $2 = 'given_up' THEN $3 END"
            " WHERE id = $1",
            notice_id,
            outcome,
            at,
            error,
        )
