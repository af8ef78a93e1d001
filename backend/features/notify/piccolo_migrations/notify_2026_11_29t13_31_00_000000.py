
from backend.lib.raw_migrations import sql_migration

ID = "2026-11-29T13:31:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "notify indexes and constraints"

STATEMENTS = [
    "ALTER TABLE push_vapid_keys ADD CONSTRAINT push_vapid_keys_state_known CHECK (state IN ('active', 'retired'))",
    "CREATE UNIQUE INDEX push_vapid_keys_one_active ON push_vapid_keys (state) WHERE state = 'active'",
    "CREATE INDEX push_subscriptions_account ON push_subscriptions (account)",
    "CREATE INDEX push_subscriptions_vapid_key ON push_subscriptions (vapid_key)",
    "ALTER TABLE notifications ADD CONSTRAINT notifications_push_state_known"
    " CHECK (push_state IN ('to_send', 'sending', 'sent', 'failed', 'skipped'))",
    "ALTER TABLE notifications ADD CONSTRAINT notifications_urgency_known"
    " CHECK (urgency IN ('very-low', 'low', 'normal', 'high'))",
    "ALTER TABLE notifications ADD CONSTRAINT notifications_dedup_key_given CHECK (dedup_key <> '')",
    # Links stay inside the app: a path, never another site (no phishing through a notification).
    "ALTER TABLE notifications ADD CONSTRAINT notifications_url_is_a_path"
    " CHECK (url IS NULL OR (url LIKE '/%' AND url NOT LIKE '//%'))",
    "ALTER TABLE notifications ADD CONSTRAINT notifications_ttl_range CHECK (ttl_seconds BETWEEN 0 AND 2419200)",
    # One event, one notification per account, however often the caller retries.
    "CREATE UNIQUE INDEX notifications_dedup ON notifications (account, dedup_key)",
    "CREATE INDEX notifications_inbox ON notifications (account, created_at DESC, id DESC)",
    "CREATE INDEX notifications_unread ON notifications (account, created_at DESC, id DESC) WHERE read_at IS NULL",
    "CREATE INDEX notifications_to_send ON notifications (push_not_before) WHERE push_state = 'to_send'",
    "ALTER TABLE push_deliveries ADD CONSTRAINT push_deliveries_state_known"
    " CHECK (state IN ('to_send', 'sending', 'sent', 'failed', 'gone'))",
    # Pending rows always know when they are due; finished ones never are.
    "ALTER TABLE push_deliveries ADD CONSTRAINT push_deliveries_due_when_pending"
    " CHECK ((state IN ('to_send', 'sending')) = (due_at IS NOT NULL))",
    "ALTER TABLE push_deliveries ADD CONSTRAINT push_deliveries_claimed_when_sending"
    " CHECK (state <> 'sending' OR claim_token IS NOT NULL)",
    "CREATE UNIQUE INDEX push_deliveries_once ON push_deliveries (notification, subscription)",
    "CREATE INDEX push_deliveries_due ON push_deliveries (due_at) WHERE state IN ('to_send', 'sending')",
    "CREATE INDEX push_deliveries_subscription ON push_deliveries (subscription)",
    "CREATE INDEX push_deliveries_finished ON push_deliveries (finished_at) WHERE finished_at IS NOT NULL",
    "CREATE INDEX push_attempts_delivery ON push_attempts (delivery)",
]


forwards = sql_migration(ID, "notify", DESCRIPTION, STATEMENTS)
