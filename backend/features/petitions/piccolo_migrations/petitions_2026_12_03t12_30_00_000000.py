from backend.lib.raw_migrations import sql_migration

ID = "2026-12-03T12:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "petitions: index of answer steps done after their deadline (the figures' late answers)"

# The figures ask, for each petition received in the period, whether an answer step was done late. The only
# index by petition covered open steps, so each petition's check read every step of every petition: at a
# million petitions one province's figures ran for more than ten minutes. Late answers are few; this index
# holds only them, so the check is a probe that usually finds nothing.
STATEMENTS = [
    "CREATE INDEX petition_steps_late_answers ON petition_steps (petition_id)"
    " WHERE step = 'answer' AND done_at > due_at",
]


forwards = sql_migration(ID, "petitions", DESCRIPTION, STATEMENTS)
