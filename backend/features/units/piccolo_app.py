from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.features.units.tables import Unit, UnitPredecessor

APP_CONFIG = AppConfig(
    app_name="units",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Unit, UnitPredecessor],
    migration_dependencies=[],
    commands=[],
)
