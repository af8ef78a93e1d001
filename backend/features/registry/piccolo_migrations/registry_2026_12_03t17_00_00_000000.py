from backend.lib.raw_migrations import sql_migration

ID = "2026-12-03T17:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "registry: a household's listing order passed on to its residents is not a change for devices"

STATEMENTS = [
    # residents.address_sort is a server-side copy for the search (migration 2026-12-03T14:30), never sent
    # to devices; stamping the residents when it alone changed made every device of the area download
    # the household's unchanged residents again after an address edit, and all of an area's after a rename.
    "DROP TRIGGER residents_sync_xid ON residents",
    "CREATE TRIGGER residents_sync_xid BEFORE UPDATE ON residents FOR EACH ROW"
    " WHEN ((to_jsonb(NEW) - 'address_sort') IS DISTINCT FROM (to_jsonb(OLD) - 'address_sort'))"
    " EXECUTE FUNCTION sync_stamp_xid()",
]


forwards = sql_migration(ID, "registry", DESCRIPTION, STATEMENTS)
