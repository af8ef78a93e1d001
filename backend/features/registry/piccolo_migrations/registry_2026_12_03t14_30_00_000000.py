from backend.lib.raw_migrations import sql_migration

ID = "2026-12-03T14:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "registry: residents carry their household's listing order, so a search ranks without a join"

STATEMENTS = [
    # A household search orders its matches by (rank, households.address_sort). A common surname in a
    # commune (`dang`: 2,465 residents of 1,305 households at a million households) made the search read
    # each matching household by its key only to learn its address_sort: half of the search's time. Each
    # resident now carries that value, kept equal by the triggers below (whatever writes the rows).
    'ALTER TABLE residents ADD COLUMN address_sort text COLLATE "C"',
    # The backfill is not a change devices need to download: the sync feed's stamp is left as it was.
    "ALTER TABLE residents DISABLE TRIGGER residents_sync_xid",
    "UPDATE residents r SET address_sort = h.address_sort FROM households h WHERE h.id = r.household_id",
    "ALTER TABLE residents ENABLE TRIGGER residents_sync_xid",
    """
    CREATE FUNCTION residents_take_address_sort() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.address_sort := (SELECT address_sort FROM households WHERE id = NEW.household_id);
        RETURN NEW;
    END $$
    """,
    # Bulk loads (imports, the demo seed) send the value they read after loading the households: the
    # function runs only for rows that come without it.
    "CREATE TRIGGER residents_address_sort_new BEFORE INSERT ON residents FOR EACH ROW"
    " WHEN (NEW.address_sort IS NULL) EXECUTE FUNCTION residents_take_address_sort()",
    "CREATE TRIGGER residents_address_sort_moved BEFORE UPDATE OF household_id ON residents FOR EACH ROW"
    " WHEN (NEW.household_id IS DISTINCT FROM OLD.household_id) EXECUTE FUNCTION residents_take_address_sort()",
    """
    CREATE FUNCTION households_pass_address_sort() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE residents SET address_sort = NEW.address_sort
            WHERE household_id = NEW.id AND address_sort IS DISTINCT FROM NEW.address_sort;
        RETURN NULL;
    END $$
    """,
    # An edited house number or street, or a renamed area (the folded address includes its name).
    "CREATE TRIGGER households_address_sort AFTER UPDATE ON households FOR EACH ROW"
    " WHEN (NEW.address_sort IS DISTINCT FROM OLD.address_sort) EXECUTE FUNCTION households_pass_address_sort()",
]


forwards = sql_migration(ID, "registry", DESCRIPTION, STATEMENTS)
