import string

import pytest

from backend.lib.i18n import LANGUAGES, MESSAGES, negotiate_language, translate

pytestmark = pytest.mark.unit


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_message_has_both_languages_with_the_same_placeholders(key: str) -> None:
    entry = MESSAGES[key]
    assert set(entry) == set(LANGUAGES)
    assert all(entry[language].strip() for language in LANGUAGES)
    assert _placeholders(entry["vi"]) == _placeholders(entry["en"])


def test_translate_fills_placeholders() -> None:
    assert translate("problem.method_not_allowed.detail", "en", method="PUT") == "This address does not accept PUT."
    assert "PUT" in translate("problem.method_not_allowed.detail", "vi", method="PUT")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "vi"),
        ("", "vi"),
        ("en-US,en;q=0.9", "en"),
        ("vi-VN,vi;q=0.9,en;q=0.8", "vi"),
        ("fr-FR,en;q=0.5", "en"),
        ("en;q=0.3,vi;q=0.7", "vi"),
        ("de", "vi"),
        ("en;q=0", "vi"),
        ("en;q=abc", "vi"),
    ],
)
def test_negotiate_language(header: str | None, expected: str) -> None:
    assert negotiate_language(header, "vi") == expected
