from backend.lib.raw_migrations import sql_migration

ID = "2026-11-30T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "registry: households listed in natural order of their house number (2 before 10, 5 before 5A)"

STATEMENTS = [
    # The leading house number zero-padded to 10 digits, then the folded address: "2 pho hue" ->
    # "00000000022 pho hue" sorts before "10 pho hue" -> "000000001010 pho hue", and "5 ..." before "5a ...".
    # Compared byte-wise (COLLATE "C": the folded address is ASCII, and a language collation would skip
    # spaces). One anchored regular expression: about 4 µs a row on COPY, against about 20 µs for padding
    # every number of the address, which bulk loads (imports, demo seed) would pay for; only the leading
    # number is compared by value.
    """
    ALTER TABLE households ADD COLUMN address_sort text COLLATE "C"
        GENERATED ALWAYS AS (lpad(substring(address_folded FROM '^[0-9]*'), 10, '0') || address_folded) STORED
    """,
    "DROP INDEX households_listing",
    "CREATE INDEX households_listing ON households (unit_path text_pattern_ops, address_sort, id)",
]


forwards = sql_migration(ID, "registry", DESCRIPTION, STATEMENTS)
