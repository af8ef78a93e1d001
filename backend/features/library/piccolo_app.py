from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.features.library.tables import (
    Document,
    DocumentFile,
    DocumentVersion,
    PackRemoval,
    Passage,
    Term,
    TermTotals,
)

APP_CONFIG = AppConfig(
    app_name="library",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Document, DocumentVersion, DocumentFile, Passage, PackRemoval, Term, TermTotals],
    migration_dependencies=["backend.features.units.piccolo_app"],
    commands=[],
)
