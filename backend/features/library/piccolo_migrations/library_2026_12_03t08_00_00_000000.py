from backend.lib.raw_migrations import sql_migration

ID = "2026-12-03T08:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "library: term statistics kept by triggers, an index of word pairs for phrases, GIN without pending lists"

STATEMENTS = [
    # How many stored passages (and documents) hold each folded word, over every document whatever its state:
    # search leaves the most frequent words out of candidate matching, the assistant weighs words by them.
    """
    CREATE TABLE library_terms (
        term text PRIMARY KEY,
        passages integer NOT NULL CHECK (passages > 0),
        documents integer NOT NULL CHECK (documents > 0)
    )
    """,
    """
    CREATE TABLE library_term_totals (
        only_row boolean PRIMARY KEY DEFAULT TRUE CHECK (only_row),
        passages bigint NOT NULL CHECK (passages >= 0),
        documents bigint NOT NULL CHECK (documents >= 0)
    )
    """,
    # Passages are inserted and deleted by whole documents only (an upload replaces all of a document's
    # passages; deleting a document cascades), so a document's distinct words count once each way.
    # The totals row is updated first by every statement: it serialises writers of the statistics, so two
    # uploads never lock the same words in opposite orders.
    """
    CREATE FUNCTION library_terms_count() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        sign integer := CASE TG_OP WHEN 'INSERT' THEN 1 ELSE -1 END;
    BEGIN
        UPDATE library_term_totals SET
            passages = passages + sign * (SELECT count(*) FROM changed),
            documents = documents + sign * (SELECT count(DISTINCT document_id) FROM changed);
        -- Counted per (word, document) first: two hashed groupings instead of sorting for count(DISTINCT).
        IF TG_OP = 'INSERT' THEN
            INSERT INTO library_terms AS t (term, passages, documents)
            SELECT term, sum(n), count(*) FROM (
                SELECT w AS term, count(*) AS n FROM changed c, unnest(tsvector_to_array(c.tsv)) w
                GROUP BY w, c.document_id
            ) per_document GROUP BY term ORDER BY term
            ON CONFLICT (term) DO UPDATE
                SET passages = t.passages + excluded.passages, documents = t.documents + excluded.documents;
        ELSE
            WITH gone AS (
                SELECT term, sum(n) AS passages, count(*) AS documents FROM (
                    SELECT w AS term, count(*) AS n FROM changed c, unnest(tsvector_to_array(c.tsv)) w
                    GROUP BY w, c.document_id
                ) per_document GROUP BY term
            ), kept AS (
                UPDATE library_terms t SET passages = t.passages - gone.passages,
                                           documents = t.documents - gone.documents
                FROM gone WHERE t.term = gone.term AND t.passages > gone.passages
                RETURNING t.term
            )
            DELETE FROM library_terms t USING gone
            WHERE t.term = gone.term AND NOT EXISTS (SELECT 1 FROM kept WHERE kept.term = t.term);
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER library_terms_added AFTER INSERT ON library_passages
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION library_terms_count()
    """,
    """
    CREATE TRIGGER library_terms_removed AFTER DELETE ON library_passages
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION library_terms_count()
    """,
    # The statistics of the passages already stored.
    """
    INSERT INTO library_term_totals (passages, documents)
    SELECT count(*), count(DISTINCT document_id) FROM library_passages
    """,
    """
    INSERT INTO library_terms (term, passages, documents)
    SELECT term, sum(n), count(*) FROM (
        SELECT w AS term, count(*) AS n FROM library_passages p, unnest(tsvector_to_array(p.tsv)) w
        GROUP BY w, p.document_id
    ) per_document GROUP BY term
    """,
    # Phrases ("rut lai") are found through the pairs of adjacent words they hold ('rutlai'), then checked
    # against the positions in `tsv`: the words alone may each be in a third of all passages while the phrase
    # is in a handful, and checking positions costs a heap read per passage holding all the words.
    # Folded text is words of [0-9a-z] separated by single spaces (backend/lib/text.fold). A pair can collide
    # with another ("ab c" and "a bc"): the positions check removes those. (Arrays, not regular expressions
    # with back references: 7 times faster when indexing a million passages.)
    """
    CREATE FUNCTION library_word_pairs(folded text) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT array_to_tsvector(ARRAY(SELECT w[i] || w[i + 1] FROM generate_series(1, cardinality(w) - 1) i))
        FROM string_to_array(folded, ' ') w
    $$
    """,
    "CREATE INDEX library_passages_pairs ON library_passages USING gin (library_word_pairs(folded))",
    # Searches outnumber uploads by far: new entries go straight into the indexes instead of a pending list
    # every search also scans until the next vacuum (10,000 documents loaded at once left the title index's
    # pending list costing 40 ms a query, against 0.2 ms once merged). Entries already pending are merged now.
    *(
        statement
        for index in (
            "library_passages_search",
            "library_passages_pairs",
            "library_documents_title_search",
            "library_documents_meta_search",
        )
        for statement in (
            f"ALTER INDEX {index} SET (fastupdate = off)",
            f"SELECT gin_clean_pending_list('{index}'::regclass)",
        )
    ),
]


forwards = sql_migration(ID, "library", DESCRIPTION, STATEMENTS)
