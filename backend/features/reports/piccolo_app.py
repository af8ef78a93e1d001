from pathlib import Path

from piccolo.conf.apps import AppConfig

APP_CONFIG = AppConfig(
    app_name="reports",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    # Raw SQL tables only (piccolo_migrations/): read and written by repo.py.
    table_classes=[],
    # registry: the visits the households-visited figure is counted from.
    migration_dependencies=["backend.features.units.piccolo_app", "backend.features.registry.piccolo_app"],
    commands=[],
)
