from backend.lib.raw_migrations import sql_migration

ID = "2026-11-29T15:42:42:000000"
VERSION = "1.38.0"
DESCRIPTION = "back-channel logout notices: the queue's index"

STATEMENTS = [
    # The sender's one query: what is due and neither sent nor given up, oldest first.
    "CREATE INDEX oidc_logout_notices_due ON oidc_logout_notices (due_at)"
    " WHERE sent_at IS NULL AND given_up_at IS NULL",
]


forwards = sql_migration(ID, "identity", DESCRIPTION, STATEMENTS)
