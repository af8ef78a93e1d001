from backend.lib.raw_migrations import sql_migration

ID = "2026-12-03T08:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "registry: the lane number of a house number (12/3 before 12/10) compares as a number too"

STATEMENTS = [
    # The leading number zero-padded to 10 digits, then the number after "/" in the house number (a lane:
    # "12/3") zero-padded too, then a space and the folded address: "12" < "12a" < "12/3" < "12/10" (a space
    # sorts before digits and letters). The lane comes from house_number because folding turns "/" into a
    # space ("12/3" and "12 3" fold alike); its regular expression runs only for house numbers with a "/",
    # which keeps bulk loads (COPY of imports and the demo seed) near the cost of the leading number alone.
    # A generated column's expression cannot be altered in PostgreSQL 15: the column (and its index) is
    # made again.
    "DROP INDEX households_listing",
    "ALTER TABLE households DROP COLUMN address_sort",
    r"""
    ALTER TABLE households ADD COLUMN address_sort text COLLATE "C"
        GENERATED ALWAYS AS (
            lpad(substring(address_folded FROM '^[0-9]*'), 10, '0')
            || CASE WHEN strpos(house_number, '/') > 0
                THEN coalesce(lpad(substring(house_number FROM '^\s*[0-9]+\s*/\s*([0-9]+)'), 10, '0'), '')
                ELSE '' END
            || ' ' || address_folded
        ) STORED
    """,
    "CREATE INDEX households_listing ON households (unit_path text_pattern_ops, address_sort, id)",
]


forwards = sql_migration(ID, "registry", DESCRIPTION, STATEMENTS)
