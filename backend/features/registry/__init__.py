"""The registry: households, residents, door-to-door visits and consents, scoped by residential area."""
