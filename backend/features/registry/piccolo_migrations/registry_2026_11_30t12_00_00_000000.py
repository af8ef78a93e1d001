from backend.lib.raw_migrations import sql_migration

ID = "2026-11-30T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "registry: inserts are stamped for the sync feed by the column default, the trigger stamps updates"

STATEMENTS = [
    # sync_xid's default is pg_current_xact_id(), the value the trigger sets: on INSERT (imports' and the
    # demo seed's COPY above all) the per-row PL/pgSQL call was about a third of the load's cost.
    *(
        statement
        for table in ("households", "residents", "visits")
        for statement in (
            f"DROP TRIGGER {table}_sync_xid ON {table}",
            f"CREATE TRIGGER {table}_sync_xid BEFORE UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION sync_stamp_xid()",
        )
    ),
]


forwards = sql_migration(ID, "registry", DESCRIPTION, STATEMENTS)
