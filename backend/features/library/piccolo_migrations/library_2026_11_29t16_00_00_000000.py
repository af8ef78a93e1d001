from backend.lib.raw_migrations import sql_migration

ID = "2026-11-29T16:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "library: documents, versions, original files, passages, pack removals, search indexes"

STATEMENTS = [
    # Every change a pack reader must see takes the next number: a category's pack version is the highest
    # number among its documents (and removals), so "since N" is one indexed comparison.
    "CREATE SEQUENCE library_change_seq",
    """
    CREATE TABLE library_documents (
        id uuid PRIMARY KEY,
        title text NOT NULL,
        title_folded text NOT NULL,
        kind varchar(20) NOT NULL CHECK (kind IN ('law', 'decree', 'guidance', 'guide', 'template', 'qa', 'news')),
        number varchar(60) NOT NULL DEFAULT '',
        number_folded varchar(120) NOT NULL DEFAULT '',
        issuer varchar(200) NOT NULL DEFAULT '',
        issuer_folded varchar(200) NOT NULL DEFAULT '',
        issued_on date,
        effective_on date,
        status varchar(10) NOT NULL DEFAULT 'in_force'
            CHECK (status IN ('in_force', 'amended', 'replaced', 'expired')),
        amended_by uuid[] NOT NULL DEFAULT '{}',
        replaced_by uuid REFERENCES library_documents (id) ON DELETE RESTRICT,
        categories varchar(40)[] NOT NULL DEFAULT '{}',
        tags varchar(60)[] NOT NULL DEFAULT '{}',
        audience varchar(10) NOT NULL DEFAULT 'public' CHECK (audience IN ('public', 'staff', 'unit')),
        audience_unit_code varchar(32) REFERENCES units (code) ON DELETE RESTRICT,
        audience_unit_path varchar(255),
        language varchar(5) NOT NULL DEFAULT 'vi',
        summary text NOT NULL DEFAULT '',
        unit_code varchar(32) NOT NULL REFERENCES units (code) ON DELETE RESTRICT,
        unit_path varchar(255) NOT NULL,
        state varchar(10) NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'review', 'published', 'archived')),
        version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
        change_seq bigint NOT NULL DEFAULT nextval('library_change_seq'),
        passage_count integer NOT NULL DEFAULT 0,
        -- fold(title, number, issuer, summary, tags): what metadata search matches.
        meta_folded text NOT NULL DEFAULT '',
        title_tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', title_folded || ' ' || number_folded)) STORED,
        meta_tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', meta_folded)) STORED,
        source_key varchar(200) UNIQUE,
        -- sha256 of the imported file's metadata and content: an unchanged file is skipped.
        source_fingerprint char(64),
        created_by varchar(100) NOT NULL,
        created_at timestamptz NOT NULL,
        updated_by varchar(100) NOT NULL,
        updated_at timestamptz NOT NULL,
        published_at timestamptz,
        CONSTRAINT library_documents_audience_unit CHECK ((audience = 'unit') = (audience_unit_path IS NOT NULL)),
        CONSTRAINT library_documents_replaced_has_link CHECK (replaced_by IS NULL OR status = 'replaced'),
        CONSTRAINT library_documents_not_self_replaced CHECK (replaced_by IS DISTINCT FROM id)
    )
    """,
    "CREATE INDEX library_documents_title_search ON library_documents USING gin (title_tsv)",
    "CREATE INDEX library_documents_meta_search ON library_documents USING gin (meta_tsv)",
    "CREATE INDEX library_documents_number ON library_documents (number_folded) WHERE number_folded <> ''",
    "CREATE INDEX library_documents_categories ON library_documents USING gin (categories)",
    "CREATE INDEX library_documents_unit_path ON library_documents (unit_path text_pattern_ops)",
    "CREATE INDEX library_documents_listing ON library_documents (state, title_folded, id)",
    "CREATE INDEX library_documents_changes ON library_documents (change_seq)",
    """
    CREATE TABLE library_document_versions (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        document_id uuid NOT NULL REFERENCES library_documents (id) ON DELETE CASCADE,
        version integer NOT NULL,
        -- The document's metadata as it was before the change that made the next version.
        snapshot jsonb NOT NULL CHECK (jsonb_typeof(snapshot) = 'object'),
        changed_by varchar(100) NOT NULL,
        changed_at timestamptz NOT NULL,
        UNIQUE (document_id, version)
    )
    """,
    """
    CREATE TABLE library_files (
        id uuid PRIMARY KEY,
        document_id uuid NOT NULL REFERENCES library_documents (id) ON DELETE CASCADE,
        document_version integer NOT NULL,
        filename varchar(255) NOT NULL,
        media_type varchar(100) NOT NULL,
        size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
        sha256 char(64) NOT NULL,
        has_text_layer boolean NOT NULL,
        content bytea NOT NULL,
        uploaded_by varchar(100) NOT NULL,
        uploaded_at timestamptz NOT NULL
    )
    """,
    "CREATE INDEX library_files_document ON library_files (document_id, uploaded_at DESC)",
    """
    CREATE TABLE library_passages (
        id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        document_id uuid NOT NULL REFERENCES library_documents (id) ON DELETE CASCADE,
        ordinal integer NOT NULL,
        heading_path text[] NOT NULL DEFAULT '{}',
        locator text NOT NULL DEFAULT '',
        anchor varchar(200) NOT NULL DEFAULT '',
        body text NOT NULL,
        folded text NOT NULL,
        tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', folded)) STORED,
        UNIQUE (document_id, ordinal)
    )
    """,
    "CREATE INDEX library_passages_search ON library_passages USING gin (tsv)",
    # A document that left a category (edited out, archived, unpublished): pack deltas report it removed.
    """
    CREATE TABLE library_pack_removals (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        category varchar(40) NOT NULL,
        document_id uuid NOT NULL,
        change_seq bigint NOT NULL DEFAULT nextval('library_change_seq')
    )
    """,
    "CREATE INDEX library_pack_removals_since ON library_pack_removals (category, change_seq)",
]


forwards = sql_migration(ID, "library", DESCRIPTION, STATEMENTS)
