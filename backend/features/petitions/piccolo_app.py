from pathlib import Path

from piccolo.conf.apps import AppConfig

APP_CONFIG = AppConfig(
    app_name="petitions",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    # The tables are hand-written SQL (piccolo_migrations/), read and written by repo.py.
    table_classes=[],
    migration_dependencies=[
        "backend.features.units.piccolo_app",
        "backend.features.identity.piccolo_app",
        "backend.features.registry.piccolo_app",
    ],
    commands=[],
)
