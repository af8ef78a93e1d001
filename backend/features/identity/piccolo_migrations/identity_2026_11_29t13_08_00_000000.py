
from backend.lib.raw_migrations import sql_migration

ID = "2026-11-29T13:08:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "identity indexes and constraints"

STATEMENTS = [
    "CREATE UNIQUE INDEX accounts_username_ci ON accounts (lower(username))",
    "ALTER TABLE accounts ADD CONSTRAINT accounts_status_known CHECK (status IN ('active', 'disabled', 'locked'))",
    "CREATE INDEX role_assignments_account ON role_assignments (account)",
    "CREATE UNIQUE INDEX role_assignments_once ON role_assignments (account, role, unit)",
    "ALTER TABLE role_assignments ADD CONSTRAINT role_assignments_role_known CHECK (role IN"
    " ('central_admin', 'province_officer', 'commune_officer', 'area_cadre', 'citizen'))",
    "ALTER TABLE oidc_clients ADD CONSTRAINT oidc_clients_kind_known"
    " CHECK (kind IN ('confidential', 'public', 'service'))",
    "ALTER TABLE oidc_clients ADD CONSTRAINT oidc_clients_secret_matches_kind"
    " CHECK ((kind = 'public') = (secret_hash IS NULL))",
    "ALTER TABLE oidc_signing_keys ADD CONSTRAINT oidc_signing_keys_state_known"
    " CHECK (state IN ('next', 'active', 'retired'))",
    "CREATE UNIQUE INDEX oidc_signing_keys_one_active ON oidc_signing_keys (state) WHERE state = 'active'",
    "CREATE INDEX browser_sessions_account ON browser_sessions (account)",
    "CREATE INDEX oidc_grants_account ON oidc_grants (account)",
    "CREATE INDEX oidc_refresh_tokens_grant ON oidc_refresh_tokens (grant_id)",
    "CREATE UNIQUE INDEX oidc_consents_once ON oidc_consents (account, client)",
    "CREATE UNIQUE INDEX upstream_links_identity ON upstream_links (issuer, subject)",
]


forwards = sql_migration(ID, "identity", DESCRIPTION, STATEMENTS)
