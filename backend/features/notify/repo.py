"""Queries of the notify feature (raw asyncpg: the outbox queries need FOR UPDATE SKIP LOCKED and care).

Every function joins the caller's transaction when there is one (db.connection()).
"""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta
from typing import Any

from backend.db import connection

# NOTIFY channel of the outbox; the job worker listens on it (backend/features/jobs/kicks.py).
OUTBOX_CHANNEL = "mattran_notify_outbox"

NOTIFICATION_COLUMNS = "id, kind, title, body, url, tag, created_at, read_at"

# --- the inbox / outbox ---------------------------------------------------------------------------------


async def insert_notification(
    account_id: uuid.UUID,
    kind: str,
    title: str,
    body: str,
    url: str | None,
    tag: str | None,
    dedup_key: str,
    urgency: str,
    ttl_seconds: int,
    now: datetime,
) -> uuid.UUID | None:
    """The new notification's id, or None when this account already has one with dedup_key."""
    async with connection() as conn:
        notification_id: uuid.UUID | None = await conn.fetchval(
            "INSERT INTO notifications (id, account, kind, title, body, url, tag, dedup_key, urgency, ttl_seconds,"
            " created_at, push_state, push_not_before)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'to_send', $11)"
            " ON CONFLICT (account, dedup_key) DO NOTHING RETURNING id",
            uuid.uuid4(),
            account_id,
            kind,
            title,
            body,
            url,
            tag,
            dedup_key,
            urgency,
            ttl_seconds,
            now,
        )
    return notification_id


async def wake_outbox() -> None:
    """Queued by PostgreSQL until the current transaction commits; dropped if it rolls back."""
    async with connection() as conn:
        await conn.execute("SELECT pg_notify($1, '')", OUTBOX_CHANNEL)


async def inbox_page(
    account_id: uuid.UUID, unread_only: bool, after: tuple[datetime, uuid.UUID] | None, limit: int
) -> list[Any]:
    """Newest first; `after` is the (created_at, id) of the last row of the previous page."""
    conditions = ["account = $1"]
    args: list[Any] = [account_id]
    if unread_only:
        conditions.append("read_at IS NULL")
    if after is not None:
        conditions.append(f"(created_at, id) < (${len(args) + 1}, ${len(args) + 2})")
        args.extend(after)
    args.append(limit)
    async with connection() as conn:
        return list(
            await conn.fetch(
                f"SELECT {NOTIFICATION_COLUMNS} FROM notifications WHERE {' AND '.join(conditions)}"
                f" ORDER BY created_at DESC, id DESC LIMIT ${len(args)}",
                *args,
            )
        )


async def unread_count(account_id: uuid.UUID) -> int:
    async with connection() as conn:
        count = await conn.fetchval(
            "SELECT count(*) FROM notifications WHERE account = $1 AND read_at IS NULL", account_id
        )
    return int(count)


async def mark_read(account_id: uuid.UUID, notification_id: uuid.UUID, now: datetime) -> Any | None:
    """The notification, read (the first reading time is kept); None when it is not this account's."""
    async with connection() as conn:
        return await conn.fetchrow(
            f"UPDATE notifications SET read_at = COALESCE(read_at, $3) WHERE id = $2 AND account = $1"
            f" RETURNING {NOTIFICATION_COLUMNS}",
            account_id,
            notification_id,
            now,
        )


# --- subscriptions ---------------------------------------------------------------------------------------


async def upsert_subscription(
    account_id: uuid.UUID,
    endpoint: str,
    p256dh: str,
    auth: str,
    vapid_key_id: uuid.UUID,
    user_agent: str,
    now: datetime,
) -> Any:
    async with connection() as conn:
        # A device that changes hands (another account subscribes the same endpoint) starts afresh: the old
        # row goes, and with it every pending delivery of the previous account's notifications to it.
        await conn.execute("DELETE FROM push_subscriptions WHERE endpoint = $1 AND account <> $2", endpoint, account_id)
        return await conn.fetchrow(
            "INSERT INTO push_subscriptions (id, account, endpoint, p256dh, auth, vapid_key, user_agent, created_at,"
            " updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)"
            " ON CONFLICT (endpoint) DO UPDATE SET p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth,"
            " vapid_key = EXCLUDED.vapid_key, user_agent = EXCLUDED.user_agent, updated_at = EXCLUDED.updated_at"
            " RETURNING id, endpoint, created_at",
            uuid.uuid4(),
            account_id,
            endpoint,
            p256dh,
            auth,
            vapid_key_id,
            user_agent,
            now,
        )


async def keep_newest_subscriptions(account_id: uuid.UUID, keep: int) -> int:
    """Delete all but the `keep` most recently renewed subscriptions of the account; returns how many went."""
    async with connection() as conn:
        result = await conn.execute(
            "DELETE FROM push_subscriptions WHERE id IN (SELECT id FROM push_subscriptions WHERE account = $1"
            " ORDER BY updated_at DESC, id OFFSET $2)",
            account_id,
            keep,
        )
    return int(result.split()[-1])


async def delete_subscription(account_id: uuid.UUID, endpoint: str) -> bool:
    async with connection() as conn:
        result = await conn.execute(
            "DELETE FROM push_subscriptions WHERE account = $1 AND endpoint = $2", account_id, endpoint
        )
    return bool(result != "DELETE 0")


async def delete_subscription_by_id(subscription_id: uuid.UUID) -> None:
    async with connection() as conn:
        await conn.execute("DELETE FROM push_subscriptions WHERE id = $1", subscription_id)


# --- preferences -----------------------------------------------------------------------------------------


async def preferences(account_id: uuid.UUID) -> Any | None:
    async with connection() as conn:
        return await conn.fetchrow(
            "SELECT muted_kinds, quiet_start, quiet_end FROM notification_preferences WHERE account = $1", account_id
        )


async def save_preferences(
    account_id: uuid.UUID, muted_kinds: list[str], quiet_start: time | None, quiet_end: time | None, now: datetime
) -> None:
    async with connection() as conn:
        await conn.execute(
            "INSERT INTO notification_preferences (account, muted_kinds, quiet_start, quiet_end, updated_at)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account) DO UPDATE SET muted_kinds = EXCLUDED.muted_kinds,"
            " quiet_start = EXCLUDED.quiet_start, quiet_end = EXCLUDED.quiet_end, updated_at = EXCLUDED.updated_at",
            account_id,
            muted_kinds,
            quiet_start,
            quiet_end,
            now,
        )


# --- delivery (the worker) -------------------------------------------------------------------------------


async def lock_due_notifications(now: datetime, limit: int) -> list[Any]:
    """Notifications waiting to be fanned out, with their account's preferences; locked until commit, and
    skipped by other workers meanwhile."""
    async with connection() as conn:
        return list(
            await conn.fetch(
                "SELECT n.id, n.account, n.kind, n.ttl_seconds, p.muted_kinds, p.quiet_start, p.quiet_end"
                " FROM notifications n LEFT JOIN notification_preferences p ON p.account = n.account"
                " WHERE n.push_state = 'to_send' AND n.push_not_before <= $1"
                " ORDER BY n.push_not_before LIMIT $2 FOR UPDATE OF n SKIP LOCKED",
                now,
                limit,
            )
        )


async def postpone_notification(notification_id: uuid.UUID, until: datetime) -> None:
    async with connection() as conn:
        await conn.execute("UPDATE notifications SET push_not_before = $2 WHERE id = $1", notification_id, until)


async def fan_out(notification_id: uuid.UUID, account_id: uuid.UUID, ttl: timedelta, now: datetime) -> int:
    """One delivery per device of the account, due now; the notification becomes `sending`, or `skipped`
    when the account has no device. Returns the number of deliveries."""
    async with connection() as conn:
        inserted = await conn.execute(
            "INSERT INTO push_deliveries (id, notification, subscription, endpoint_host, state, due_at, attempts,"
            " expires_at, created_at)"
            " SELECT gen_random_uuid(), $1, s.id,"
            " lower(coalesce(substring(s.endpoint FROM '^[A-Za-z]+://([^/:?#]+)'), '')),"
            " 'to_send', $3::timestamptz, 0, $3::timestamptz + $4::interval, $3"
            " FROM push_subscriptions s WHERE s.account = $2"
            " ON CONFLICT (notification, subscription) DO NOTHING",
            notification_id,
            account_id,
            now,
            ttl,
        )
        count = int(inserted.split()[-1])
        await conn.execute(
            "UPDATE notifications SET push_state = $2, push_finished_at = $3 WHERE id = $1",
            notification_id,
            "sending" if count else "skipped",
            None if count else now,
        )
    return count


async def skip_notification(notification_id: uuid.UUID, now: datetime) -> None:
    async with connection() as conn:
        await conn.execute(
            "UPDATE notifications SET push_state = 'skipped', push_finished_at = $2 WHERE id = $1",
            notification_id,
            now,
        )


CLAIMED_COLUMNS = (
    "d.id, d.notification, d.subscription, d.attempts, d.expires_at, d.endpoint_host, d.claim_token,"
    " n.title, n.body, n.url, n.tag, n.urgency, s.endpoint, s.p256dh, s.auth, s.vapid_key"
)


async def claim_deliveries(now: datetime, lease_until: datetime, token: uuid.UUID, limit: int) -> list[Any]:
    """Take up to `limit` due deliveries for one worker: pending ones whose time has come, and ones whose
    worker's lease ran out (it died or hung mid-send). They are `sending` under `token` until lease_until."""
    async with connection() as conn:
        ids = [
            row["id"]
            for row in await conn.fetch(
                "SELECT id FROM push_deliveries WHERE state IN ('to_send', 'sending') AND due_at <= $1"
                " ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED",
                now,
                limit,
            )
        ]
        if not ids:
            return []
        await conn.execute(
            "UPDATE push_deliveries SET state = 'sending', due_at = $2, claim_token = $3, attempts = attempts + 1"
            " WHERE id = ANY($1::uuid[])",
            ids,
            lease_until,
            token,
        )
        return list(
            await conn.fetch(
                f"SELECT {CLAIMED_COLUMNS} FROM push_deliveries d JOIN notifications n ON n.id = d.notification"
                " LEFT JOIN push_subscriptions s ON s.id = d.subscription WHERE d.id = ANY($1::uuid[])"
                " ORDER BY d.due_at",
                ids,
            )
        )


async def lock_notification(notification_id: uuid.UUID) -> None:
    """Serialise the outcomes of one notification's deliveries, so the last one to finish sees the others
    and settles the notification (without the lock two could each think the other still pending)."""
    async with connection() as conn:
        await conn.execute("SELECT 1 FROM notifications WHERE id = $1 FOR UPDATE", notification_id)


async def insert_attempt(
    delivery_id: uuid.UUID,
    at: datetime,
    outcome: str,
    status_code: int | None,
    response_text: str,
    retry_after_seconds: int | None,
    duration_ms: int,
) -> None:
    async with connection() as conn:
        await conn.execute(
            "INSERT INTO push_attempts (delivery, at, outcome, status_code, response_text, retry_after_seconds,"
            " duration_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            delivery_id,
            at,
            outcome,
            status_code,
            response_text,
            retry_after_seconds,
            duration_ms,
        )


async def settle_delivery(
    delivery_id: uuid.UUID,
    token: uuid.UUID,
    state: str,
    due_at: datetime | None,
    status_code: int | None,
    error: str,
    now: datetime,
) -> bool:
    """Record what came of a claimed delivery, if the claim is still ours (a worker whose lease ran out and
    was taken over must not overwrite the newer claim's outcome). False when it was not."""
    finished = state not in ("to_send", "sending")
    async with connection() as conn:
        result = await conn.execute(
            "UPDATE push_deliveries SET state = $3, due_at = $4, claim_token = NULL,"
            " last_status = coalesce($5, last_status), last_error = $6,"
            " finished_at = CASE WHEN $7 THEN $8::timestamptz END"
            " WHERE id = $1 AND claim_token = $2 AND state = 'sending'",
            delivery_id,
            token,
            state,
            due_at,
            status_code,
            error[:512],
            finished,
            now,
        )
    return bool(result != "UPDATE 0")


async def settle_notification_if_done(notification_id: uuid.UUID, now: datetime) -> None:
    """`sent` once no delivery is pending and one got through; `failed` when none did."""
    async with connection() as conn:
        await conn.execute(
            "UPDATE notifications n SET push_finished_at = $2, push_state = CASE WHEN EXISTS (SELECT 1 FROM"
            " push_deliveries d WHERE d.notification = n.id AND d.state = 'sent') THEN 'sent' ELSE 'failed' END"
            " WHERE n.id = $1 AND n.push_state = 'sending' AND NOT EXISTS (SELECT 1 FROM push_deliveries d"
            " WHERE d.notification = n.id AND d.state IN ('to_send', 'sending'))",
            notification_id,
            now,
        )


async def prune_finished_deliveries(before: datetime, batch: int) -> int:
    """Delete up to `batch` deliveries (and their attempts) finished before `before`; returns how many."""
    async with connection() as conn:
        result = await conn.execute(
            "DELETE FROM push_deliveries WHERE id IN (SELECT id FROM push_deliveries"
            " WHERE finished_at IS NOT NULL AND finished_at < $1 LIMIT $2)",
            before,
            batch,
        )
    return int(result.split()[-1])
