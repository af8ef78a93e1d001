from backend.lib.raw_migrations import sql_migration

ID = "2026-11-29T16:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unit reports: weekly figures per unit and ISO week, with revisions"

STATEMENTS = [
    """
    CREATE TABLE unit_reports (
        id uuid PRIMARY KEY,
        unit_code varchar(32) NOT NULL REFERENCES units (code) ON DELETE RESTRICT,
        -- Denormalised, so that the roll-up of a unit is one text_pattern_ops prefix match.
        unit_path varchar(255) NOT NULL,
        -- The Monday of the ISO week.
        week_start date NOT NULL,
        -- 1, then +1 per correction; every revision stays (the trace of what was reported when).
        revision integer NOT NULL,
        status varchar(12) NOT NULL,
        members integer NOT NULL,
        cadres integer NOT NULL,
        households_visited integer NOT NULL,
        -- The registry's count when the report was last saved, kept beside the figure the unit reported.
        households_visited_registry integer NOT NULL,
        activities integer NOT NULL,
        petitions integer,
        difficulties text NOT NULL DEFAULT '',
        recommendations text NOT NULL DEFAULT '',
        version integer NOT NULL DEFAULT 1,
        supersedes uuid REFERENCES unit_reports (id) ON DELETE RESTRICT,
        correction_reason text,
        -- When the week was first reported (kept by corrections): whether the unit met the deadline.
        first_submitted_at timestamptz,
        submitted_at timestamptz,
        submitted_by varchar(100),
        created_by varchar(100) NOT NULL,
        created_at timestamptz NOT NULL,
        updated_by varchar(100) NOT NULL,
        updated_at timestamptz NOT NULL,
        CONSTRAINT unit_reports_status_known CHECK (status IN ('draft', 'submitted', 'superseded')),
        CONSTRAINT unit_reports_week_is_monday CHECK (extract(isodow FROM week_start) = 1),
        CONSTRAINT unit_reports_figures_not_negative CHECK (
            members >= 0 AND cadres >= 0 AND households_visited >= 0 AND households_visited_registry >= 0
            AND activities >= 0 AND (petitions IS NULL OR petitions >= 0)
        ),
        CONSTRAINT unit_reports_submitted_stamped CHECK (
            (status = 'draft') = (submitted_at IS NULL) AND (status = 'draft' OR first_submitted_at IS NOT NULL)
        ),
        CONSTRAINT unit_reports_revision UNIQUE (unit_code, week_start, revision)
    )
    """,
    # At most one open draft and one standing submission per unit and week.
    "CREATE UNIQUE INDEX unit_reports_one_draft ON unit_reports (unit_code, week_start) WHERE status = 'draft'",
    """CREATE UNIQUE INDEX unit_reports_one_submitted ON unit_reports (unit_code, week_start)
       WHERE status = 'submitted'""",
    # The roll-up: the standing submissions of a week under a path.
    """CREATE INDEX unit_reports_rollup ON unit_reports (week_start, unit_path text_pattern_ops)
       WHERE status = 'submitted'""",
]


forwards = sql_migration(ID, "reports", DESCRIPTION, STATEMENTS)
