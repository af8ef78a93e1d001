
from backend.lib.raw_migrations import sql_migration

ID = "2026-11-29T13:07:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit log is append-only"

STATEMENTS = [
    """
    CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit_log is append-only';
    END $$
    """,
    "CREATE TRIGGER audit_log_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_log"
    " FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only()",
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log"
    " FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only()",
    "CREATE INDEX audit_log_subject ON audit_log (subject_type, subject_id, id)",
    "CREATE INDEX audit_log_unit ON audit_log (unit_path text_pattern_ops, id)",
    "CREATE INDEX audit_log_actor ON audit_log (actor, id)",
]


forwards = sql_migration(ID, "audit", DESCRIPTION, STATEMENTS)
