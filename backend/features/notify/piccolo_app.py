from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.features.notify.tables import (
    Delivery,
    DeliveryAttempt,
    Notification,
    Preference,
    Subscription,
    VapidKey,
)

APP_CONFIG = AppConfig(
    app_name="notify",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[VapidKey, Subscription, Notification, Delivery, DeliveryAttempt, Preference],
    migration_dependencies=["backend.features.identity.piccolo_app"],
    commands=[],
)
