from backend.lib.raw_migrations import sql_migration

ID = "2026-11-30T12:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "registry: search indexes of each commune's own words, for searches within a commune"

# Each folded word prefixed with the commune it is recorded in: "nguyen van an" in commune 00136 ->
# 'c00136xnguyen' 'c00136xvan' 'c00136xan' (one token each for the `simple` parser; the commune is the third
# part of unit_path, TW/<province>/<commune>/<area>). A search within communes asks for those words
# ('c00136xnguyen':* & ...), so the index reads the commune's postings only, instead of the prefix's postings
# nationwide (tens of thousands for "nguyen", a million for "van": lossy bitmaps and 0.3-0.5 s at 1 M
# households). Searches wider than a commune use the plain indexes of 2026-11-29T13:56:20.
STATEMENTS = [
    "CREATE INDEX residents_name_commune ON residents USING gin (to_tsvector('simple', regexp_replace(name_folded,"
    r" '(\S+)', 'c' || split_part(unit_path, '/', 3) || 'x\1', 'g'))) WHERE deleted_at IS NULL",
    "CREATE INDEX households_address_commune ON households USING gin (to_tsvector('simple',"
    r" regexp_replace(address_folded, '(\S+)', 'c' || split_part(unit_path, '/', 3) || 'x\1', 'g')))"
    " WHERE deleted_at IS NULL",
    # Phone prefixes: the scope is checked in the index, not on every row of the prefix nationwide.
    "DROP INDEX residents_phone",
    "CREATE INDEX residents_phone ON residents (phone_digits text_pattern_ops, unit_path text_pattern_ops)"
    " WHERE phone_digits IS NOT NULL",
]


forwards = sql_migration(ID, "registry", DESCRIPTION, STATEMENTS)
