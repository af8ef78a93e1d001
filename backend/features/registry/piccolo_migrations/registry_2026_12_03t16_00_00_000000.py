from backend.lib.raw_migrations import sql_migration

ID = "2026-12-03T16:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "registry: search indexes merge their pending words every 512 kB instead of every 4 MB"

STATEMENTS = [
    # GIN queues new entries in a pending list that every search of the index reads in full: with 4 MB
    # (the default) a search with no match took 6.4 instead of 1.2 ms at 310 pending pages; the cadres' steady
    # trickle of edits keeps the lists somewhere between empty and full. Imports merge theirs at the end
    # (repo.merge_pending_search_words).
    *(
        f"ALTER INDEX {index} SET (gin_pending_list_limit = 512)"
        for index in (
            "households_address_search", "households_address_commune", "residents_name_search",
            "residents_name_commune",
        )
    ),  # fmt: skip
]


forwards = sql_migration(ID, "registry", DESCRIPTION, STATEMENTS)
