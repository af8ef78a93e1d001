"""Durable jobs on PostgreSQL (procrastinate): the app and its tasks, the schema, the worker and its wake-ups."""
