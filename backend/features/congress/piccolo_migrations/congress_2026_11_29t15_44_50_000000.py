from backend.lib.raw_migrations import sql_migration

ID = "2026-11-29T15:44:50:000000"
VERSION = "1.38.0"
DESCRIPTION = "congress uniqueness, states, shares, roll-up and alert indexes"

STAGE_SHAPE = "'^[a-z][a-z_]*$'"

# The maintained roll-up: for every unit A above a milestone's unit, a count of milestones by the child of A
# they lie under, level, stage, deadline, status and lateness. Statement-level triggers with transition
# tables keep it in step set-wise (a COPY or an UPDATE of 30,000 rows is one INSERT … ON CONFLICT), inside
# the writing transaction, so it never drifts; the dashboard then sums a few thousand rows instead of
# scanning every milestone (docs/congress.md).
ROLLUP_KEY = "term, organisation, ancestor_path, child_code, level, stage, position, due_on, status, done_late"
ROLLUP_SELECT = """
    SELECT r.term, r.organisation, array_to_string(p.parts[1:a.i], '/'), p.parts[a.i + 1], r.level, r.stage,
           r.position, r.due_on, r.status, COALESCE(r.done_on > r.due_on, false), {sign} * count(*)
    FROM {rows} r
    CROSS JOIN LATERAL (SELECT string_to_array(r.unit_path, '/') AS parts) p
    CROSS JOIN LATERAL generate_series(1, cardinality(p.parts) - 1) AS a(i)
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
"""
ROLLUP_UPSERT = (
    f"INSERT INTO congress_rollup ({ROLLUP_KEY}, n) {{select}}"
    f" ON CONFLICT (term, organisation, ancestor_path, child_code, level, stage, due_on, status, done_late)"
    f" DO UPDATE SET n = congress_rollup.n + EXCLUDED.n"
)
ROLLUP_STATEMENTS = [
    "CREATE TABLE congress_rollup (term varchar(32) NOT NULL, organisation varchar(20) NOT NULL,"
    " ancestor_path varchar(255) NOT NULL, child_code varchar(32) NOT NULL, level varchar(20) NOT NULL,"
    " stage varchar(40) NOT NULL, position integer NOT NULL, due_on date NOT NULL, status varchar(16) NOT NULL,"
    " done_late boolean NOT NULL, n integer NOT NULL,"
    " PRIMARY KEY (term, organisation, ancestor_path, child_code, level, stage, due_on, status, done_late))",
    f"""
    CREATE FUNCTION congress_rollup_apply() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            {ROLLUP_UPSERT.format(select=ROLLUP_SELECT.format(sign=-1, rows="old_rows"))};
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            {ROLLUP_UPSERT.format(select=ROLLUP_SELECT.format(sign=1, rows="new_rows"))};
        END IF;
        RETURN NULL;
    END
    $$
    """,
    "CREATE TRIGGER congress_rollup_insert AFTER INSERT ON congress_milestones REFERENCING NEW TABLE AS new_rows"
    " FOR EACH STATEMENT EXECUTE FUNCTION congress_rollup_apply()",
    "CREATE TRIGGER congress_rollup_update AFTER UPDATE ON congress_milestones"
    " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION congress_rollup_apply()",
    "CREATE TRIGGER congress_rollup_delete AFTER DELETE ON congress_milestones REFERENCING OLD TABLE AS old_rows"
    " FOR EACH STATEMENT EXECUTE FUNCTION congress_rollup_apply()",
]

STATEMENTS = [
    "CREATE UNIQUE INDEX congress_term_levels_once ON congress_term_levels (term, level)",
    "ALTER TABLE congress_term_levels ADD CONSTRAINT congress_term_levels_years CHECK (start_year <= end_year)",
    "ALTER TABLE congress_term_levels ADD CONSTRAINT congress_term_levels_level"
    " CHECK (level IN ('central', 'province', 'commune'))",
    "CREATE UNIQUE INDEX congress_milestone_templates_once ON congress_milestone_templates (term, level, stage)",
    f"ALTER TABLE congress_milestone_templates ADD CONSTRAINT congress_milestone_templates_stage CHECK (stage ~ {STAGE_SHAPE})",
    "CREATE UNIQUE INDEX congresses_once ON congresses (term, unit_code, organisation)",
    "ALTER TABLE congresses ADD CONSTRAINT congresses_follows FOREIGN KEY (follows) REFERENCES congresses (id)"
    " ON DELETE RESTRICT",
    "ALTER TABLE congresses ADD CONSTRAINT congresses_member_follows_front"
    " CHECK ((organisation = 'front') = (follows IS NULL))",
    "CREATE INDEX congresses_scope ON congresses (term, unit_path text_pattern_ops)",
    "CREATE UNIQUE INDEX congress_deadlines_once ON congress_deadlines (term, level, unit_code, stage)",
    "CREATE INDEX congress_deadlines_scope ON congress_deadlines (term, level, stage, unit_path text_pattern_ops)",
    "CREATE UNIQUE INDEX congress_milestones_once ON congress_milestones (congress, stage)",
    # The late list and count of a dashboard read only the milestones not done below a path.
    "CREATE INDEX congress_milestones_open ON congress_milestones (term, organisation, unit_path text_pattern_ops)"
    " INCLUDE (due_on, position, congress, level, stage, status) WHERE status <> 'done'",
    # The alert scan reads only what is not done and falls due within a week.
    "CREATE INDEX congress_milestones_open_due ON congress_milestones (due_on) WHERE status <> 'done'",
    "ALTER TABLE congress_milestones ADD CONSTRAINT congress_milestones_status"
    " CHECK (status IN ('not_reported', 'not_started', 'in_progress', 'done'))",
    "ALTER TABLE congress_milestones ADD CONSTRAINT congress_milestones_done_has_date"
    " CHECK ((status = 'done') = (done_on IS NOT NULL))",
    "ALTER TABLE congress_milestones ADD CONSTRAINT congress_milestones_evidence_list"
    " CHECK (jsonb_typeof(evidence) = 'array')",
    "ALTER TABLE congress_results ADD CONSTRAINT congress_results_state"
    " CHECK (state IN ('draft', 'submitted', 'returned', 'approved', 'reopened'))",
    *(
        f"ALTER TABLE congress_results ADD CONSTRAINT congress_results_{share}_range"
        f" CHECK ({share} BETWEEN 0 AND 100)"
        for share in ("women_pct", "non_party_pct", "ethnic_minority_pct", "religious_pct", "youth_pct")
    ),
    "ALTER TABLE congress_results ADD CONSTRAINT congress_results_counts"
    " CHECK (delegates_count >= 0 AND committee_size >= 0)",
    "CREATE INDEX congress_result_events_timeline ON congress_result_events (congress, at, id)",
    "CREATE UNIQUE INDEX congress_alerts_once ON congress_alerts (milestone, threshold)",
    *ROLLUP_STATEMENTS,
]

forwards = sql_migration(ID, "congress", DESCRIPTION, STATEMENTS)
