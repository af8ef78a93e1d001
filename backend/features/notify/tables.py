"""Notifications: the in-app inbox, which is also the outbox of Web Push, and what delivery needs.

A notification row is written in the same transaction as the change it reports (`service.notify`), so it
exists exactly when the change does; the job worker then fans it out into one delivery per device of the
account and sends those. States and the constraints between them are in the raw-SQL migration.
"""

from enum import StrEnum

from piccolo.columns import (
    UUID,
    Array,
    BigSerial,
    ForeignKey,
    Integer,
    Text,
    Time,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.features.identity.tables import Account


class VapidKeyState(StrEnum):
    active = "active"  # signs for new subscriptions and is what GET /api/v1/push/public-key shows
    retired = "retired"  # still signs for the subscriptions made with it, until they are renewed or gone


class PushState(StrEnum):
    """Where a notification is on its way to the account's devices."""

    to_send = "to_send"  # waiting for the worker (or for the end of the user's quiet hours)
    sending = "sending"  # fanned out: deliveries to devices are pending
    sent = "sent"  # at least one device's push service accepted it
    failed = "failed"  # no device could be reached (every delivery failed or was gone)
    skipped = "skipped"  # the user mutes this kind, or has no device subscribed: inbox only


class DeliveryState(StrEnum):
    """One notification to one device (push subscription)."""

    to_send = "to_send"  # due at due_at
    sending = "sending"  # claimed by a worker until due_at (the lease); after that anyone may take it over
    sent = "sent"  # the push service answered 2xx
    failed = "failed"  # a configuration error, too many attempts, or the message outlived its TTL
    gone = "gone"  # the subscription expired (404/410) or was removed


class VapidKey(Table, tablename="push_vapid_keys"):
    """The application server's P-256 key pair (RFC 8292), made on first start; see docs/notify.md."""

    id = UUID(primary_key=True)
    private_pem = Text()
    public_pem = Text()
    # base64url of the uncompressed public point: the browser's `applicationServerKey`.
    application_server_key = Varchar(length=100, unique=True)
    state = Varchar(length=10, choices=VapidKeyState)
    created_at = Timestamptz(default=TimestamptzNow())
    retired_at = Timestamptz(null=True, default=None)


class Subscription(Table, tablename="push_subscriptions"):
    """One browser or phone of an account (one endpoint); the same endpoint moves to whoever subscribed last."""

    id = UUID(primary_key=True)
    account = ForeignKey(Account, on_delete=OnDelete.cascade)
    # A capability URL: whoever knows it can push to the device. Never logged whole, never sent back.
    endpoint = Text(unique=True)
    p256dh = Varchar(length=100)
    auth = Varchar(length=32)
    # The key the browser subscribed with; pushes to it must be signed by that key. RESTRICT: a key is
    # deleted only when no subscription needs it any more.
    vapid_key = ForeignKey(VapidKey, on_delete=OnDelete.restrict)
    user_agent = Varchar(length=300, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Notification(Table, tablename="notifications"):
    id = UUID(primary_key=True)
    account = ForeignKey(Account, on_delete=OnDelete.cascade)
    kind = Varchar(length=64)
    title = Varchar(length=200)
    body = Text()
    # A path inside the app ("/kien-nghi/42"), opened when the notification is clicked.
    url = Varchar(length=1000, null=True, default=None)
    # Notifications with the same tag replace each other on the device (the service worker's `tag`).
    tag = Varchar(length=64, null=True, default=None)
    # Names the event: unique per account, so one event never notifies anyone twice.
    dedup_key = Varchar(length=200)
    urgency = Varchar(length=10, default="normal")
    ttl_seconds = Integer()
    created_at = Timestamptz(default=TimestamptzNow())
    read_at = Timestamptz(null=True, default=None)
    push_state = Varchar(length=10, choices=PushState)
    # Not pushed before this instant (moved to the end of the user's quiet hours when it falls inside them).
    push_not_before = Timestamptz(default=TimestamptzNow())
    push_finished_at = Timestamptz(null=True, default=None)


class Delivery(Table, tablename="push_deliveries"):
    id = UUID(primary_key=True)
    notification = ForeignKey(Notification, on_delete=OnDelete.cascade)
    # SET NULL: when a device unsubscribes or its endpoint expires, its pending deliveries become "gone"
    # (the next claim sees the missing subscription) and the history stays.
    subscription = ForeignKey(Subscription, null=True, default=None, on_delete=OnDelete.set_null)
    endpoint_host = Varchar(length=255)
    state = Varchar(length=10, choices=DeliveryState)
    # to_send: when it is due; sending: when the claiming worker's lease runs out; NULL once finished.
    due_at = Timestamptz(null=True, default=None)
    # Which claim the lease belongs to, so a worker that lost its lease cannot overwrite a newer outcome.
    claim_token = UUID(null=True, default=None)
    attempts = Integer(default=0)
    # After this the message is stale (the notification's TTL from the moment it was fanned out).
    expires_at = Timestamptz()
    last_status = Integer(null=True, default=None)
    last_error = Varchar(length=512, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    finished_at = Timestamptz(null=True, default=None)


class DeliveryAttempt(Table, tablename="push_attempts"):
    """Every request made to a push service, whatever came of it."""

    id = BigSerial(primary_key=True)
    delivery = ForeignKey(Delivery, on_delete=OnDelete.cascade)
    at = Timestamptz(default=TimestamptzNow())
    outcome = Varchar(length=16)  # delivered | gone | retry | config_error
    status_code = Integer(null=True, default=None)  # NULL: no answer (network error, timeout)
    response_text = Varchar(length=512, default="")
    retry_after_seconds = Integer(null=True, default=None)
    duration_ms = Integer(default=0)


class Preference(Table, tablename="notification_preferences"):
    """What an account wants pushed, and when not. Absent row: every kind, no quiet hours."""

    account = ForeignKey(Account, on_delete=OnDelete.cascade, unique=True)
    muted_kinds = Array(base_column=Varchar(length=64))
    # Local times in Asia/Ho_Chi_Minh (MATTRAN_TIMEZONE); start > end wraps midnight (22:00-06:00).
    quiet_start = Time(null=True, default=None)
    quiet_end = Time(null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow())
