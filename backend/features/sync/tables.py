"""Offline sync: the outcome of every operation a device sent, conflicts left for a person, and drafts.

Tables of entities carried by sync (drafts here; households, residents and visits later) share a shape
the sync core relies on: a client-generated UUID `id`, `version` (1 at creation, +1 per change),
`field_versions` (field -> the version that last changed it; absent means 1), a `deleted` tombstone
flag, the `unit_path` the scope checks match, and `sync_xid`, the id of the transaction that last wrote
the row (an xid8 column set by a trigger; added by raw SQL because piccolo has no xid8 column type).
"""

from piccolo.columns import JSONB, UUID, BigSerial, Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.features.identity.tables import Account
from backend.features.units.tables import Unit


class SyncOperation(Table, tablename="sync_operations"):
    """One operation applied for an account (unique on account and op_id): a replay finds it here and
    answers with the stored outcome. Written in the same transaction as the change it made."""

    id = BigSerial(primary_key=True)
    account = ForeignKey(Account, null=False, on_delete=OnDelete.restrict)
    op_id = UUID()
    device_id = Varchar(length=100)
    entity = Varchar(length=40)
    entity_id = UUID()
    action = Varchar(length=10)
    # sha256 of what the operation asked for: the same op_id with other content is refused, not replayed.
    fingerprint = Varchar(length=64)
    # The result answered the first time (a SyncResult without the op_id).
    outcome = JSONB(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class SyncConflict(Table, tablename="sync_conflicts"):
    """Fields changed both on the server and on a device: kept as the server had them until a person
    chooses, field by field."""

    id = UUID(primary_key=True)
    entity = Varchar(length=40)
    entity_id = UUID()
    unit_path = Varchar(length=255)
    status = Varchar(length=10, default="open")
    op_id = UUID()
    account = ForeignKey(Account, null=False, on_delete=OnDelete.restrict)
    device_id = Varchar(length=100)
    base_version = Integer()
    server_version = Integer()
    # field -> {"server": value, "client": value}
    fields = JSONB()
    client_at = Timestamptz()
    created_at = Timestamptz(default=TimestamptzNow())
    resolved_by = ForeignKey(Account, null=True, default=None, on_delete=OnDelete.restrict)
    resolved_at = Timestamptz(null=True, default=None)
    # field -> "server" | "client"
    resolution = JSONB(null=True, default=None)


class Draft(Table, tablename="drafts"):
    """A cadre's field note or draft (a visit write-up, a petition to file later), written offline."""

    id = UUID(primary_key=True)
    owner = ForeignKey(Account, null=False, on_delete=OnDelete.restrict)
    unit_code = ForeignKey(Unit, null=False, on_delete=OnDelete.restrict)
    unit_path = Varchar(length=255)
    kind = Varchar(length=16)
    title = Varchar(length=200)
    body = Text()
    version = Integer(default=1)
    field_versions = JSONB(default={})
    deleted = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
