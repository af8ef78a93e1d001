"""Notifications: Web Push delivery (more channels and the outbox come with their issues)."""
