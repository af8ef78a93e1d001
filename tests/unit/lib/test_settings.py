import re
from pathlib import Path

import msgspec
import pytest

from backend.settings import Settings, env_name, settings_from_env

pytestmark = pytest.mark.unit


def test_settings_are_read_and_typed_from_the_environment() -> None:
    settings = settings_from_env(
        {"DATABASE_URL": "postgresql://x/y", "MATTRAN_PORT": "9000", "MATTRAN_LOG_JSON": "false"}
    )
    assert settings.database_url == "postgresql://x/y"
    assert settings.port == 9000
    assert settings.log_json is False
    assert not settings.uses_embedded_database


def test_defaults_use_the_embedded_database() -> None:
    settings = settings_from_env({})
    assert settings.uses_embedded_database
    assert settings.default_language == "vi"


@pytest.mark.parametrize(("variable", "value"), [("MATTRAN_PORT", "eighty"), ("MATTRAN_DEFAULT_LANGUAGE", "fr")])
def test_invalid_setting_stops_with_a_message(variable: str, value: str) -> None:
    with pytest.raises(SystemExit, match="Invalid setting"):
        settings_from_env({variable: value})


def test_every_setting_is_documented(project_root: Path) -> None:
    documented = set(re.findall(r"^\| `([A-Z0-9_]+)` \|", (project_root / "docs/settings.md").read_text(), re.M))
    expected = {env_name(field.name) for field in msgspec.structs.fields(Settings)}
    assert documented == expected
