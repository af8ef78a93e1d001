from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.features.identity.tables import (
    Account,
    AuthorizationCode,
    BrowserSession,
    Consent,
    Grant,
    LoginThrottle,
    LogoutNotice,
    OidcClient,
    RefreshToken,
    RoleAssignment,
    SigningKey,
    UpstreamLink,
)

APP_CONFIG = AppConfig(
    app_name="identity",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[
        Account,
        RoleAssignment,
        OidcClient,
        SigningKey,
        BrowserSession,
        Grant,
        AuthorizationCode,
        RefreshToken,
        Consent,
        LoginThrottle,
        UpstreamLink,
        LogoutNotice,
    ],
    migration_dependencies=["backend.features.units.piccolo_app"],
    commands=[],
)
