"""Use cases of notify: `notify()` for the other features, and what the API offers a signed-in user."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from backend import db
from backend.features.notify import repo, vapid
from backend.features.notify.delivery import push_message
from backend.features.notify.kinds import KINDS, check_kind
from backend.features.notify.quiet import format_hhmm, parse_hhmm
from backend.features.notify.webpush import (
    DEFAULT_TTL_SECONDS,
    InvalidSubscription,
    PushSubscription,
    Urgency,
    check_ttl,
    check_urgency,
    encode_message,
    validate_subscription,
)
from backend.lib.clock import Clock
from backend.lib.errors import InvalidInputError, NotFoundError
from backend.lib.i18n import Language, translate
from backend.lib.pagination import decode_cursor, encode_cursor
from backend.settings import Settings
from schemas.common import FieldError
from schemas.notify import (
    NotificationKind,
    NotificationPage,
    NotificationPreferencesRead,
    NotificationPreferencesUpdate,
    NotificationRead,
    PushPublicKey,
    PushSubscriptionCreate,
    PushSubscriptionRead,
    QuietHours,
)

InboxKey = tuple[datetime, uuid.UUID]
MAX_TITLE = 200
MAX_TAG = 64
MAX_DEDUP_KEY = 200
# The byte size is checked too (one push record); this keeps a single runaway field from filling it.
MAX_URL = 1000
# A person has a few phones and browsers. Beyond this the oldest subscriptions go, so one account cannot make
# every notification of its own fan out to thousands of endpoints.
MAX_DEVICES_PER_ACCOUNT = 20


class InvalidPushSubscription(InvalidInputError):
    slug = "invalid-push-subscription"


async def notify(
    account_id: uuid.UUID,
    kind: str,
    title: str,
    body: str,
    *,
    dedup_key: str,
    now: datetime,
    url: str | None = None,
    tag: str | None = None,
    urgency: Urgency = "normal",
    ttl_seconds: int = DEFAULT_TTL_SECONDS,
) -> uuid.UUID | None:
    """Put a notification in the account's inbox and on its way to the account's devices.

    Call it inside the transaction of the change it reports: the notification then exists exactly when the
    change does (it is the outbox row), and the worker is woken when that transaction commits (NOTIFY is
    delivered only then). `dedup_key` names the event ("petition:42:assigned:7"): a second call with the same
    key for the same account changes nothing and returns None; otherwise the new notification's id.
    Raises ValueError (PayloadTooLarge included) for arguments no push could carry, before writing anything.
    """
    check_notification(kind, title, body, url, tag, dedup_key, urgency, ttl_seconds)
    async with db.transaction():
        notification_id = await repo.insert_notification(
            account_id, kind, title, body, url, tag, dedup_key, urgency, ttl_seconds, now
        )
        if notification_id is not None:
            await repo.wake_outbox()
    return notification_id


def check_notification(
    kind: str, title: str, body: str, url: str | None, tag: str | None, dedup_key: str, urgency: str, ttl: int
) -> None:
    check_kind(kind)
    if not 1 <= len(dedup_key) <= MAX_DEDUP_KEY:
        raise ValueError(f"dedup_key must have 1 to {MAX_DEDUP_KEY} characters")
    if not 1 <= len(title) <= MAX_TITLE:
        raise ValueError(f"title must have 1 to {MAX_TITLE} characters")
    if url is not None and (not url.startswith("/") or url.startswith("//") or len(url) > MAX_URL):
        raise ValueError("url must be a path inside the app, such as /kien-nghi/42")
    if tag is not None and not 1 <= len(tag) <= MAX_TAG:
        raise ValueError(f"tag must have 1 to {MAX_TAG} characters")
    check_urgency(urgency)
    check_ttl(ttl)
    # The largest message this notification can become (with its id), so it never fails at sending time.
    encode_message(push_message(uuid.UUID(int=0), title, body, url, tag))


def notification_read(row: Any) -> NotificationRead:
    return NotificationRead(
        id=row["id"],
        kind=row["kind"],
        title=row["title"],
        body=row["body"],
        url=row["url"],
        tag=row["tag"],
        created_at=row["created_at"],
        read_at=row["read_at"],
    )


class NotifyService:
    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock

    # Push subscriptions ---------------------------------------------------------------------------

    async def public_key(self) -> PushPublicKey:
        key = await vapid.active_key(self.clock.now(), self.settings.sealer)
        return PushPublicKey(public_key=key.keys.application_server_key)

    async def subscribe(
        self, account_id: uuid.UUID, data: PushSubscriptionCreate, user_agent: str
    ) -> PushSubscriptionRead:
        subscription = self._validated(PushSubscription(data.endpoint, data.keys.p256dh, data.keys.auth))
        key = await self._key_for(data.application_server_key)
        async with db.transaction():
            row = await repo.upsert_subscription(
                account_id,
                subscription.endpoint,
                subscription.p256dh,
                subscription.auth,
                key.id,
                user_agent[:300],
                self.clock.now(),
            )
            await repo.keep_newest_subscriptions(account_id, MAX_DEVICES_PER_ACCOUNT)
        return PushSubscriptionRead(
            id=row["id"], endpoint_host=urlsplit(row["endpoint"]).hostname or "", created_at=row["created_at"]
        )

    def _validated(self, subscription: PushSubscription) -> PushSubscription:
        try:
            return validate_subscription(
                subscription,
                allow_insecure_endpoints=self.settings.push_allow_http,
                allowed_hosts=self.settings.push_host_patterns,
            )
        except InvalidSubscription as error:
            field = "endpoint" if error.field == "endpoint" else f"keys.{error.field}"
            raise InvalidPushSubscription(
                "problem.push.invalid_subscription", errors=[FieldError(field=field, message=str(error), source="body")]
            ) from error

    async def _key_for(self, application_server_key: str | None) -> vapid.StoredKey:
        if application_server_key is None:
            return await vapid.active_key(self.clock.now(), self.settings.sealer)
        key = await vapid.key_named(application_server_key, self.settings.sealer)
        if key is None:
            raise InvalidPushSubscription(
                "problem.push.unknown_key",
                errors=[FieldError(field="application_server_key", message="unknown", source="body")],
            )
        return key

    async def unsubscribe(self, account_id: uuid.UUID, endpoint: str) -> None:
        """Idempotent: removing a subscription that is not (or no longer) the caller's changes nothing."""
        async with db.transaction():
            await repo.delete_subscription(account_id, endpoint)

    # The inbox ------------------------------------------------------------------------------------------

    async def inbox(self, account_id: uuid.UUID, unread_only: bool, cursor: str | None, limit: int) -> NotificationPage:
        after: InboxKey | None = decode_cursor(cursor, InboxKey) if cursor else None
        rows = await repo.inbox_page(account_id, unread_only, after, limit + 1)
        next_cursor = None
        if len(rows) > limit:
            last = rows[limit - 1]
            next_cursor = encode_cursor((last["created_at"], last["id"]))
        return NotificationPage(
            items=[notification_read(row) for row in rows[:limit]],
            next_cursor=next_cursor,
            unread_count=await repo.unread_count(account_id),
        )

    async def mark_read(self, account_id: uuid.UUID, notification_id: uuid.UUID) -> NotificationRead:
        # Another account's notification is answered like a missing one (404): existence does not leak.
        async with db.transaction():
            row = await repo.mark_read(account_id, notification_id, self.clock.now())
        if row is None:
            raise NotFoundError("problem.not_found.detail")
        return notification_read(row)

    # Preferences ----------------------------------------------------------------------------------------

    async def preferences(self, account_id: uuid.UUID, language: Language) -> NotificationPreferencesRead:
        row = await repo.preferences(account_id)
        quiet = None
        if row is not None and row["quiet_start"] is not None and row["quiet_end"] is not None:
            quiet = QuietHours(start=format_hhmm(row["quiet_start"]), end=format_hhmm(row["quiet_end"]))
        return NotificationPreferencesRead(
            muted_kinds=list(row["muted_kinds"]) if row is not None else [],
            quiet_hours=quiet,
            timezone=self.settings.timezone,
            kinds=[NotificationKind(kind=kind, label=translate(key, language)) for kind, key in KINDS.items()],
        )

    async def update_preferences(
        self, account_id: uuid.UUID, data: NotificationPreferencesUpdate, language: Language
    ) -> NotificationPreferencesRead:
        unknown = sorted(set(data.muted_kinds) - set(KINDS))
        if unknown:
            raise InvalidInputError(
                "problem.notify.unknown_kind",
                kinds=", ".join(unknown),
                errors=[FieldError(field="muted_kinds", message=", ".join(unknown), source="body")],
            )
        quiet = data.quiet_hours
        if quiet is not None and quiet.start == quiet.end:
            raise InvalidInputError(
                "problem.notify.empty_quiet_hours",
                errors=[FieldError(field="quiet_hours", message=f"{quiet.start}-{quiet.end}", source="body")],
            )
        async with db.transaction():
            await repo.save_preferences(
                account_id,
                sorted(set(data.muted_kinds)),
                parse_hhmm(quiet.start) if quiet else None,
                parse_hhmm(quiet.end) if quiet else None,
                self.clock.now(),
            )
        return await self.preferences(account_id, language)
