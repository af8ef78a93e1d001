
from backend.lib.raw_migrations import sql_migration

ID = "2026-11-29T13:56:20:000000"
VERSION = "1.38.0"
DESCRIPTION = "registry sync feed, scope and search indexes, constraints"

SYNCED_TABLES = ("households", "residents", "visits")

STATEMENTS = [
    # Offline sync (backend/features/sync/handlers.py): the transaction that last wrote each row.
    *(
        statement
        for table in SYNCED_TABLES
        for statement in (
            f"ALTER TABLE {table} ADD COLUMN sync_xid xid8 NOT NULL DEFAULT pg_current_xact_id()",
            f"CREATE TRIGGER {table}_sync_xid BEFORE INSERT OR UPDATE ON {table}"
            " FOR EACH ROW EXECUTE FUNCTION sync_stamp_xid()",
            f"CREATE INDEX {table}_feed ON {table} (sync_xid, id)",
            # Scope filters are prefix matches on the area's path (core btree, no ltree).
            f"CREATE INDEX {table}_unit_path ON {table} (unit_path text_pattern_ops)",
            f"ALTER TABLE {table} ADD CONSTRAINT {table}_version_positive CHECK (version >= 1)",
            f"ALTER TABLE {table} ADD CONSTRAINT {table}_field_versions_object"
            " CHECK (jsonb_typeof(field_versions) = 'object')",
        )
    ),
    "CREATE INDEX consents_unit_path ON consents (unit_path text_pattern_ops)",
    # Lists page by (address, id) within scope; search by word prefix over the folded address and names.
    "CREATE INDEX households_listing ON households (unit_path text_pattern_ops, address_folded, id)"
    " WHERE deleted_at IS NULL",
    "CREATE INDEX households_address_search ON households USING gin (to_tsvector('simple', address_folded))"
    " WHERE deleted_at IS NULL",
    "CREATE INDEX residents_name_search ON residents USING gin (to_tsvector('simple', name_folded))"
    " WHERE deleted_at IS NULL",
    "CREATE INDEX residents_household ON residents (household_id)",
    "CREATE INDEX residents_id_number_hash ON residents (id_number_hash) WHERE id_number_hash IS NOT NULL",
    "CREATE INDEX residents_phone ON residents (phone_digits text_pattern_ops) WHERE phone_digits IS NOT NULL",
    "CREATE INDEX residents_duplicate_key ON residents (unit_path, name_folded, birth_year) WHERE deleted_at IS NULL",
    "CREATE INDEX visits_household ON visits (household_id, visited_on DESC, id DESC)",
    "CREATE INDEX consents_resident ON consents (resident_id, purpose)",
    # One open consent per purpose: a new one needs the previous withdrawn first.
    "CREATE UNIQUE INDEX consents_open_once ON consents (resident_id, purpose) WHERE withdrawn_at IS NULL",
    "ALTER TABLE households ADD CONSTRAINT households_status_known CHECK (status IN ('active', 'moved', 'merged'))",
    "ALTER TABLE households ADD CONSTRAINT households_merged_has_target"
    " CHECK ((status = 'merged') = (merged_into IS NOT NULL) AND merged_into IS DISTINCT FROM id)",
    "ALTER TABLE households ADD CONSTRAINT households_latitude_range CHECK (latitude BETWEEN -90 AND 90)",
    "ALTER TABLE households ADD CONSTRAINT households_longitude_range CHECK (longitude BETWEEN -180 AND 180)",
    "ALTER TABLE households ADD CONSTRAINT households_coordinates_paired"
    " CHECK ((latitude IS NULL) = (longitude IS NULL))",
    "ALTER TABLE residents ADD CONSTRAINT residents_gender_known CHECK (gender IN ('male', 'female', 'other'))",
    "ALTER TABLE residents ADD CONSTRAINT residents_birth_consistent"
    " CHECK (birth_date IS NULL OR birth_year = extract(year FROM birth_date)::int)",
    "ALTER TABLE residents ADD CONSTRAINT residents_birth_year_range CHECK (birth_year BETWEEN 1880 AND 2200)",
    "ALTER TABLE residents ADD CONSTRAINT residents_id_number_shape CHECK (id_number ~ '^[0-9]{12}$')",
    "ALTER TABLE residents ADD CONSTRAINT residents_id_number_hashed"
    " CHECK ((id_number IS NULL) = (id_number_hash IS NULL))",
    "ALTER TABLE residents ADD CONSTRAINT residents_memberships_list CHECK (jsonb_typeof(memberships) = 'array')",
    "ALTER TABLE residents ADD CONSTRAINT residents_moves_ordered"
    " CHECK (moved_out_on IS NULL OR moved_in_on IS NULL OR moved_in_on <= moved_out_on)",
    "ALTER TABLE consents ADD CONSTRAINT consents_method_known"
    " CHECK (method IN ('written', 'verbal', 'electronic'))",
    "ALTER TABLE consents ADD CONSTRAINT consents_withdrawn_after CHECK (withdrawn_at IS NULL OR withdrawn_at >= given_at)",
]


forwards = sql_migration(ID, "registry", DESCRIPTION, STATEMENTS)
