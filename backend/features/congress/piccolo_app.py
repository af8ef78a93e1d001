from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.features.congress.tables import (
    Congress,
    CongressAlert,
    CongressDeadline,
    CongressMilestone,
    CongressResult,
    CongressResultEvent,
    CongressTerm,
    CongressTermLevel,
    MilestoneTemplate,
)

APP_CONFIG = AppConfig(
    app_name="congress",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[
        CongressTerm,
        CongressTermLevel,
        MilestoneTemplate,
        Congress,
        CongressDeadline,
        CongressMilestone,
        CongressResult,
        CongressResultEvent,
        CongressAlert,
    ],
    migration_dependencies=["backend.features.units.piccolo_app"],
    commands=[],
)
