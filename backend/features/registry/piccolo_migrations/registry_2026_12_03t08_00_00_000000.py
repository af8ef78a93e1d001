from backend.lib.raw_migrations import sql_migration

ID = "2026-12-03T08:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "registry imports: the checked rows of a validated file (confirming does not check the file again)"

STATEMENTS = [
    # msgpack of the dry run's result (imports.CheckedFile), bound to the context it was checked in; kept,
    # and cleared, together with `content`.
    "ALTER TABLE registry_imports ADD COLUMN checked bytea",
]


forwards = sql_migration(ID, "registry", DESCRIPTION, STATEMENTS)
