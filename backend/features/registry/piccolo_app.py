from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.features.registry.tables import Consent, Household, Resident, Visit

APP_CONFIG = AppConfig(
    app_name="registry",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Household, Resident, Visit, Consent],
    # sync: the sync_stamp_xid() trigger function every synced table uses.
    migration_dependencies=[
        "backend.features.units.piccolo_app",
        "backend.features.identity.piccolo_app",
        "backend.features.sync.piccolo_app",
    ],
    commands=[],
)
