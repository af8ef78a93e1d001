from backend.lib.raw_migrations import sql_migration

ID = "2026-11-29T16:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "petitions: categories, petitions, timeline, step deadlines, attachments, ratings, track throttle"

# Hand-written SQL (no piccolo Table): partial indexes, checks and the seed list are what matter here, and
# every query of the feature is raw SQL in repo.py.
STATEMENTS = [
    """
    CREATE TABLE petition_categories (
        code varchar(40) PRIMARY KEY,
        name_vi varchar(200) NOT NULL,
        name_en varchar(200) NOT NULL,
        -- The Front level that handles petitions of this field (the filing unit's ancestor at that level).
        handling_level varchar(20) NOT NULL,
        deadline_unit varchar(12) NOT NULL DEFAULT 'working_days',
        acknowledge_within integer NOT NULL,
        classify_within integer NOT NULL,
        answer_within integer NOT NULL,
        -- Complaints and denunciations are guided to the competent body; their filer is protected.
        sensitive boolean NOT NULL DEFAULT false,
        active boolean NOT NULL DEFAULT true,
        position integer NOT NULL DEFAULT 0,
        CONSTRAINT petition_categories_level_known CHECK (handling_level IN ('central', 'province', 'commune')),
        CONSTRAINT petition_categories_unit_known CHECK (deadline_unit IN ('working_days', 'hours')),
        CONSTRAINT petition_categories_positive
            CHECK (acknowledge_within > 0 AND classify_within > 0 AND answer_within > 0)
    )
    """,
    """
    INSERT INTO petition_categories
        (code, name_vi, name_en, handling_level, deadline_unit, acknowledge_within, classify_within,
         answer_within, sensitive, position)
    VALUES
        ('dat_dai', 'Đất đai', 'Land', 'commune', 'working_days', 1, 3, 15, false, 1),
        ('moi_truong', 'Môi trường', 'Environment', 'commune', 'working_days', 1, 2, 10, false, 2),
        ('an_sinh_xa_hoi', 'An sinh xã hội', 'Social welfare', 'commune', 'working_days', 1, 2, 10, false, 3),
        ('ha_tang', 'Hạ tầng, giao thông', 'Infrastructure and roads', 'commune', 'working_days', 1, 2, 10,
         false, 4),
        ('thu_tuc_hanh_chinh', 'Thủ tục hành chính', 'Administrative procedures', 'commune', 'working_days',
         1, 2, 7, false, 5),
        ('an_ninh_trat_tu', 'An ninh, trật tự', 'Security and public order', 'commune', 'hours', 4, 8, 72,
         false, 6),
        ('y_te_giao_duc', 'Y tế, giáo dục', 'Health and education', 'commune', 'working_days', 1, 2, 10,
         false, 7),
        ('khieu_nai_to_cao', 'Khiếu nại, tố cáo', 'Complaints and denunciations', 'province', 'working_days',
         1, 3, 30, true, 8),
        ('khac', 'Lĩnh vực khác', 'Other', 'commune', 'working_days', 1, 3, 15, false, 99)
    """,
    """
    CREATE TABLE petitions (
        id uuid PRIMARY KEY,
        -- What the citizen keeps to follow the case without an account: long, random, unguessable.
        tracking_code varchar(32) NOT NULL UNIQUE,
        idempotency_key varchar(100),
        create_fingerprint varchar(64) NOT NULL,
        channel varchar(12) NOT NULL,
        filer_account uuid REFERENCES accounts (id) ON DELETE SET NULL,
        filed_by varchar(100) NOT NULL,
        contact_name varchar(200) NOT NULL DEFAULT '',
        contact_phone varchar(20) NOT NULL DEFAULT '',
        contact_email varchar(200) NOT NULL DEFAULT '',
        anonymous boolean NOT NULL DEFAULT false,
        denunciation boolean NOT NULL DEFAULT false,
        -- A cadre filing on a citizen's behalf records the citizen's consent and the household/visit.
        consent_at timestamptz,
        household_id uuid REFERENCES households (id) ON DELETE SET NULL,
        visit_id uuid REFERENCES visits (id) ON DELETE SET NULL,
        title varchar(200) NOT NULL,
        description text NOT NULL,
        text_folded text NOT NULL,
        category_code varchar(40) REFERENCES petition_categories (code) ON DELETE RESTRICT,
        -- Where the petition came from (residential area or commune) and who handles it now.
        origin_unit_code varchar(32) NOT NULL REFERENCES units (code) ON DELETE RESTRICT,
        origin_unit_path varchar(255) NOT NULL,
        unit_code varchar(32) NOT NULL REFERENCES units (code) ON DELETE RESTRICT,
        unit_path varchar(255) NOT NULL,
        address varchar(300) NOT NULL DEFAULT '',
        latitude double precision,
        longitude double precision,
        state varchar(12) NOT NULL,
        assignee uuid REFERENCES accounts (id) ON DELETE SET NULL,
        -- The current step's deadline (denormalised from petition_steps for the inbox).
        due_at timestamptz,
        escalations integer NOT NULL DEFAULT 0,
        forwarded_to varchar(200),
        dispatch_number varchar(50),
        dispatch_date date,
        answer text,
        reject_reason text,
        merged_into uuid REFERENCES petitions (id) ON DELETE RESTRICT,
        reopen_reason text,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        answered_at timestamptz,
        published_at timestamptz,
        closed_at timestamptz,
        CONSTRAINT petitions_state_known CHECK (state IN ('received', 'classified', 'assigned', 'forwarded',
            'answered', 'published', 'closed', 'rejected', 'merged', 'reopened')),
        CONSTRAINT petitions_channel_known CHECK (channel IN ('web', 'cadre', 'phone', 'reception', 'open311')),
        CONSTRAINT petitions_description_limit CHECK (char_length(description) BETWEEN 1 AND 4000),
        CONSTRAINT petitions_contact_given CHECK (filer_account IS NOT NULL OR contact_phone <> ''
            OR contact_email <> ''),
        CONSTRAINT petitions_coordinates_paired CHECK ((latitude IS NULL) = (longitude IS NULL)),
        CONSTRAINT petitions_latitude_range CHECK (latitude BETWEEN -90 AND 90),
        CONSTRAINT petitions_longitude_range CHECK (longitude BETWEEN -180 AND 180),
        CONSTRAINT petitions_rejected_has_reason CHECK (state <> 'rejected' OR reject_reason IS NOT NULL),
        CONSTRAINT petitions_merged_has_target CHECK ((state = 'merged') = (merged_into IS NOT NULL)
            AND merged_into IS DISTINCT FROM id)
    )
    """,
    "CREATE UNIQUE INDEX petitions_idempotency ON petitions (idempotency_key) WHERE idempotency_key IS NOT NULL",
    # Staff inbox: petitions by due date (no deadline last), within a scope path; for one state, for the
    # default open states, and for a narrow subtree (where the path range beats the due order). The sort
    # key is an expression so keyset pages are range scans (repo.DUE_KEY).
    # INCLUDE lets the page's ids come from index-only scans (due_at too: PostgreSQL wants the column of an
    # indexed expression for that).
    "CREATE INDEX petitions_inbox ON petitions (state, (coalesce(due_at, 'infinity'::timestamptz)), id)"
    " INCLUDE (unit_path, due_at)",
    "CREATE INDEX petitions_inbox_open ON petitions ((coalesce(due_at, 'infinity'::timestamptz)), id)"
    " INCLUDE (unit_path, state, due_at)"
    " WHERE state IN ('received', 'classified', 'assigned', 'forwarded', 'reopened', 'answered')",
    "CREATE INDEX petitions_inbox_scoped ON petitions"
    " (unit_path text_pattern_ops, state, (coalesce(due_at, 'infinity'::timestamptz)), id)",
    # Figures by origin (prefix) and duplicate candidates of one area (equality, newest first).
    "CREATE INDEX petitions_origin ON petitions (origin_unit_path text_pattern_ops, created_at)",
    "CREATE INDEX petitions_position ON petitions (latitude, longitude) WHERE latitude IS NOT NULL",
    "CREATE INDEX petitions_filer ON petitions (filer_account, created_at DESC) WHERE filer_account IS NOT NULL",
    "CREATE INDEX petitions_assignee ON petitions (assignee, due_at) WHERE assignee IS NOT NULL",
    # The public search: word prefixes of the folded title and description.
    "CREATE INDEX petitions_text_search ON petitions USING gin (to_tsvector('simple', text_folded))",
    "CREATE INDEX petitions_published ON petitions (published_at DESC, id) WHERE state IN ('published', 'closed')"
    " AND published_at IS NOT NULL",
    """
    CREATE TABLE petition_events (
        id bigserial PRIMARY KEY,
        petition_id uuid NOT NULL REFERENCES petitions (id) ON DELETE CASCADE,
        at timestamptz NOT NULL,
        actor varchar(100) NOT NULL,
        action varchar(20) NOT NULL,
        from_state varchar(12),
        to_state varchar(12) NOT NULL,
        note text NOT NULL DEFAULT '',
        details jsonb NOT NULL DEFAULT '{}'::jsonb
    )
    """,
    "CREATE INDEX petition_events_timeline ON petition_events (petition_id, id)",
    # One row per deadline a petition owes: acknowledge (until classified), answer (from assignment).
    """
    CREATE TABLE petition_steps (
        id bigserial PRIMARY KEY,
        petition_id uuid NOT NULL REFERENCES petitions (id) ON DELETE CASCADE,
        step varchar(12) NOT NULL,
        unit_path varchar(255) NOT NULL,
        assignee uuid REFERENCES accounts (id) ON DELETE SET NULL,
        started_at timestamptz NOT NULL,
        due_at timestamptz NOT NULL,
        done_at timestamptz,
        -- The next reminder (t-2, t-1, overdue, escalate) and when it falls due: the scan reads only these.
        next_reminder varchar(10),
        next_reminder_at timestamptz,
        CONSTRAINT petition_steps_step_known CHECK (step IN ('classify', 'answer')),
        CONSTRAINT petition_steps_reminder_known
            CHECK (next_reminder IN ('t-2', 't-1', 'overdue', 'escalate'))
    )
    """,
    "CREATE INDEX petition_steps_due ON petition_steps (next_reminder_at) WHERE done_at IS NULL"
    " AND next_reminder_at IS NOT NULL",
    "CREATE INDEX petition_steps_petition ON petition_steps (petition_id) WHERE done_at IS NULL",
    """
    CREATE TABLE petition_attachments (
        id uuid PRIMARY KEY,
        petition_id uuid NOT NULL REFERENCES petitions (id) ON DELETE CASCADE,
        purpose varchar(10) NOT NULL,
        media_type varchar(40) NOT NULL,
        filename varchar(200) NOT NULL DEFAULT '',
        size_bytes integer NOT NULL,
        sha256 varchar(64) NOT NULL,
        -- Storage keys: the original (staff only) and the public copy (EXIF stripped, resized).
        original_key varchar(200) NOT NULL,
        public_key varchar(200) NOT NULL,
        width integer,
        height integer,
        created_by varchar(100) NOT NULL,
        created_at timestamptz NOT NULL,
        CONSTRAINT petition_attachments_purpose_known CHECK (purpose IN ('filing', 'evidence')),
        CONSTRAINT petition_attachments_type_known
            CHECK (media_type IN ('image/jpeg', 'image/png', 'image/webp', 'application/pdf'))
    )
    """,
    "CREATE INDEX petition_attachments_petition ON petition_attachments (petition_id, created_at)",
    """
    CREATE TABLE petition_ratings (
        petition_id uuid PRIMARY KEY REFERENCES petitions (id) ON DELETE CASCADE,
        score smallint NOT NULL,
        comment varchar(1000) NOT NULL DEFAULT '',
        rated_at timestamptz NOT NULL,
        CONSTRAINT petition_ratings_score_range CHECK (score BETWEEN 1 AND 5)
    )
    """,
    # Failed tracking-code lookups per client address (see identity/throttle.py for the back-off).
    """
    CREATE TABLE petition_track_throttle (
        client_key varchar(64) PRIMARY KEY,
        failures integer NOT NULL,
        last_failure_at timestamptz,
        locked_until timestamptz
    )
    """,
]


forwards = sql_migration(ID, "petitions", DESCRIPTION, STATEMENTS)
