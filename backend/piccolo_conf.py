"""piccolo's configuration: the shared engine and one app per feature (each with its own migrations)."""

from piccolo.conf.apps import AppRegistry

from backend.db import ENGINE

DB = ENGINE

APP_REGISTRY = AppRegistry(
    apps=[
        "backend.features.units.piccolo_app",
        "backend.features.audit.piccolo_app",
        "backend.features.identity.piccolo_app",
        "backend.features.sync.piccolo_app",
        "backend.features.notify.piccolo_app",
        "backend.features.registry.piccolo_app",
        "backend.features.library.piccolo_app",
        "backend.features.reports.piccolo_app",
        "backend.features.petitions.piccolo_app",
        "backend.features.congress.piccolo_app",
    ]
)
