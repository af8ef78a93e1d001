"""Web Push subscriptions, the in-app inbox and notification preferences as the API shows them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import msgspec

# Endpoints are URLs of a few hundred characters; the checks that matter (https, known push service, key
# sizes) are made by the service, which names the field at fault.
Endpoint = Annotated[str, msgspec.Meta(min_length=1, max_length=2048)]
KeyText = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
LocalTime = Annotated[str, msgspec.Meta(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", examples=["22:00"])]
Kind = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class PushPublicKey(msgspec.Struct, kw_only=True):
    # base64url, for `pushManager.subscribe({applicationServerKey})`. When it differs from the key a stored
    # subscription was made with (after a key rotation), subscribe again.
    public_key: str


class PushKeys(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    p256dh: KeyText
    auth: KeyText


class PushSubscriptionCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """`PushSubscription.toJSON()` of the browser (endpoint and keys), plus the applicationServerKey it was
    made with (`subscription.options.applicationServerKey`, base64url); omitted means the current one."""

    endpoint: Endpoint
    keys: PushKeys
    application_server_key: KeyText | None = None


class PushSubscriptionRead(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    # The push service's host only: the endpoint itself is a secret (whoever has it can push to the device).
    endpoint_host: str
    created_at: datetime


class PushSubscriptionDelete(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    endpoint: Endpoint


class NotificationRead(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    kind: str
    title: str
    body: str
    # A path inside the app to open.
    url: str | None
    tag: str | None
    created_at: datetime
    read_at: datetime | None


class NotificationPage(msgspec.Struct, kw_only=True):
    items: list[NotificationRead]
    next_cursor: str | None
    unread_count: int


class QuietHours(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Pushes wait from start to end (local time, HH:MM); start later than end spans midnight."""

    start: LocalTime
    end: LocalTime


class NotificationPreferencesUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    # Kinds never pushed (they still reach the in-app inbox).
    muted_kinds: Annotated[list[Kind], msgspec.Meta(max_length=50)]
    quiet_hours: QuietHours | None = None


class NotificationKind(msgspec.Struct, kw_only=True):
    kind: str
    label: str


class NotificationPreferencesRead(msgspec.Struct, kw_only=True):
    muted_kinds: list[str]
    quiet_hours: QuietHours | None
    # The zone quiet hours are read in.
    timezone: str
    # Every kind there is, with its label in the request's language.
    kinds: list[NotificationKind]
