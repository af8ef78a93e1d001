
from backend.lib.raw_migrations import sql_migration

ID = "2026-11-29T12:57:16:513471"
VERSION = "1.38.0"
DESCRIPTION = "unit search and scope indexes"

STATEMENTS = [
    # Scope filters are prefix matches on the materialized path (core btree, no ltree needed).
    "CREATE INDEX units_path_prefix ON units (path text_pattern_ops)",
    "CREATE INDEX units_parent ON units (parent, name_folded)",
    "CREATE INDEX units_level ON units (level, code)",
    # Diacritic-insensitive word-prefix search over the folded name ('hoan:* & kiem:*').
    "CREATE INDEX units_name_search ON units USING gin (to_tsvector('simple', name_folded))",
    "ALTER TABLE units ADD CONSTRAINT units_level_known"
    " CHECK (level IN ('central', 'province', 'commune', 'residential_area'))",
    "ALTER TABLE units ADD CONSTRAINT units_root_has_no_parent CHECK ((parent IS NULL) = (level = 'central'))",
    "ALTER TABLE units ADD CONSTRAINT units_validity_ordered"
    " CHECK (valid_to IS NULL OR valid_from IS NULL OR valid_from <= valid_to)",
    "ALTER TABLE unit_predecessors ADD CONSTRAINT unit_predecessors_not_self CHECK (unit <> predecessor)",
    "CREATE UNIQUE INDEX unit_predecessors_pair ON unit_predecessors (unit, predecessor)",
]


forwards = sql_migration(ID, "units", DESCRIPTION, STATEMENTS)
