"""Helpers shared by tests: local stand-ins for outside services."""
