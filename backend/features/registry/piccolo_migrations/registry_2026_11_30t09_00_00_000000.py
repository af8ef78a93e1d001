
from backend.lib.raw_migrations import sql_migration

ID = "2026-11-30T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "registry imports: one job record per uploaded file (dry run report, progress, outcome)"

# Raw SQL (no piccolo Table): the job table is only read and written by backend/features/registry/imports.py.
STATEMENTS = [
    """
    CREATE TABLE registry_imports (
        id uuid PRIMARY KEY,
        unit_code varchar(32) NOT NULL REFERENCES units (code) ON DELETE RESTRICT,
        unit_path varchar(255) NOT NULL,
        filename varchar(255) NOT NULL DEFAULT '',
        file_format varchar(8) NOT NULL,
        file_sha256 varchar(64) NOT NULL,
        file_bytes bigint NOT NULL,
        -- The uploaded file, kept only until it is loaded or found invalid (then NULL: data minimisation).
        content bytea,
        status varchar(12) NOT NULL,
        rows_total integer NOT NULL DEFAULT 0,
        rows_invalid integer NOT NULL DEFAULT 0,
        rows_done integer NOT NULL DEFAULT 0,
        households_new integer NOT NULL DEFAULT 0,
        households_existing integer NOT NULL DEFAULT 0,
        residents_new integer NOT NULL DEFAULT 0,
        residents_existing integer NOT NULL DEFAULT 0,
        -- [{"line", "column", "field", "value", "key", "params"}]: translated when shown.
        problems jsonb NOT NULL DEFAULT '[]'::jsonb,
        problems_total integer NOT NULL DEFAULT 0,
        created_by varchar(100) NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        loaded_at timestamptz,
        CONSTRAINT registry_imports_status_known
            CHECK (status IN ('validated', 'invalid', 'loading', 'loaded', 'failed')),
        CONSTRAINT registry_imports_format_known CHECK (file_format IN ('csv', 'xlsx')),
        CONSTRAINT registry_imports_problems_list CHECK (jsonb_typeof(problems) = 'array')
    )
    """,
    "CREATE INDEX registry_imports_unit_path ON registry_imports (unit_path text_pattern_ops, created_at DESC)",
    "CREATE INDEX registry_imports_file ON registry_imports (file_sha256, unit_code)",
    # The commune's own household codes ("Mã hộ") in an area -> the household they were imported as, so
    # importing a file again (or a later version of it) finds the same households instead of adding more.
    """
    CREATE TABLE registry_import_keys (
        unit_code varchar(32) NOT NULL REFERENCES units (code) ON DELETE RESTRICT,
        household_code varchar(64) NOT NULL,
        household_id uuid NOT NULL REFERENCES households (id) ON DELETE CASCADE,
        PRIMARY KEY (unit_code, household_code)
    )
    """,
    "CREATE INDEX registry_import_keys_household ON registry_import_keys (household_id)",
]


forwards = sql_migration(ID, "registry", DESCRIPTION, STATEMENTS)
