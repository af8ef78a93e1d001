
from backend.lib.raw_migrations import sql_migration

ID = "2026-11-29T13:30:10:000000"
VERSION = "1.38.0"
DESCRIPTION = "sync feed columns, idempotency keys, indexes and constraints"

STATEMENTS = [
    # Every table carried by sync gets this trigger: the row remembers the transaction that last wrote
    # it, whatever code path wrote it, and pulls select rows by transaction visibility (see feed.py).
    """
    CREATE FUNCTION sync_stamp_xid() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.sync_xid := pg_current_xact_id();
        RETURN NEW;
    END $$
    """,
    "ALTER TABLE drafts ADD COLUMN sync_xid xid8 NOT NULL DEFAULT pg_current_xact_id()",
    "CREATE TRIGGER drafts_sync_xid BEFORE INSERT OR UPDATE ON drafts"
    " FOR EACH ROW EXECUTE FUNCTION sync_stamp_xid()",
    "CREATE INDEX drafts_feed ON drafts (sync_xid, id)",
    "CREATE INDEX drafts_unit_path ON drafts (unit_path text_pattern_ops)",
    "CREATE INDEX drafts_recent ON drafts (updated_at DESC, id DESC)",
    "ALTER TABLE drafts ADD CONSTRAINT drafts_kind_known CHECK (kind IN ('note', 'visit', 'petition', 'report'))",
    "ALTER TABLE drafts ADD CONSTRAINT drafts_version_positive CHECK (version >= 1)",
    "ALTER TABLE drafts ADD CONSTRAINT drafts_field_versions_object CHECK (jsonb_typeof(field_versions) = 'object')",
    # Idempotency: one outcome per (account, op_id); concurrent replays wait on this index.
    "CREATE UNIQUE INDEX sync_operations_once ON sync_operations (account, op_id)",
    "ALTER TABLE sync_operations ADD CONSTRAINT sync_operations_action_known"
    " CHECK (action IN ('create', 'update', 'delete'))",
    "CREATE INDEX sync_conflicts_queue ON sync_conflicts (status, created_at, id)",
    "CREATE INDEX sync_conflicts_unit_path ON sync_conflicts (unit_path text_pattern_ops)",
    "CREATE INDEX sync_conflicts_record ON sync_conflicts (entity, entity_id)",
    "ALTER TABLE sync_conflicts ADD CONSTRAINT sync_conflicts_status_known CHECK (status IN ('open', 'resolved'))",
    "ALTER TABLE sync_conflicts ADD CONSTRAINT sync_conflicts_resolved_when_closed"
    " CHECK ((status = 'resolved') = (resolved_at IS NOT NULL))",
]


forwards = sql_migration(ID, "sync", DESCRIPTION, STATEMENTS)
