"""Notifications: the in-app inbox (which is also the Web Push outbox), push subscriptions, delivery by the
job worker, VAPID keys and per-user preferences. See docs/notify.md."""
