from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.features.sync.tables import Draft, SyncConflict, SyncOperation

APP_CONFIG = AppConfig(
    app_name="sync",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[SyncOperation, SyncConflict, Draft],
    migration_dependencies=["backend.features.units.piccolo_app", "backend.features.identity.piccolo_app"],
    commands=[],
)
