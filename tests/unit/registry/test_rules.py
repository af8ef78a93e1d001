"""Pure registry rules: phone normal form, ID hashing and masking, birth consistency, search parsing."""

from __future__ import annotations

from datetime import date

import pytest

from backend.features.registry import rules
from backend.features.registry.service import search_of
from backend.lib.errors import InvalidInputError

pytestmark = pytest.mark.unit
TODAY = date(2026, 3, 2)


def test_phone_numbers_take_the_national_form() -> None:
    assert rules.phone_digits("+84 912.345.678") == "0912345678"
    assert rules.phone_digits("0912-345-678") == "0912345678"
    assert rules.phone_digits(None) is None


def test_id_numbers_hash_with_the_pepper_and_mask_to_the_last_four() -> None:
    first = rules.id_number_hash("001190012345", "pepper-1")
    assert first == rules.id_number_hash("001190012345", "pepper-1")
    assert first != rules.id_number_hash("001190012345", "pepper-2")
    assert rules.mask_id_number("001190012345") == "********2345"


def test_masked_view_names_only_fields_holding_something() -> None:
    row = {"id_number": "001190012345", "ethnicity": "Kinh", "religion": None, "health_note": None}
    shown, withheld = rules.masked_view(row, may_read_sensitive=False)
    assert shown == {"id_number": "********2345", "ethnicity": None, "religion": None, "health_note": None}
    assert withheld == ["id_number", "ethnicity"]
    assert rules.masked_view(row, may_read_sensitive=True) == (row, [])


def test_birth_date_and_year_must_agree_and_not_be_in_the_future() -> None:
    assert rules.birth_year_of(date(1990, 5, 1), None, TODAY) == 1990
    assert rules.birth_year_of(None, 1950, TODAY) == 1950
    for birth_date, year in ((date(1990, 5, 1), 1991), (date(2026, 3, 3), None), (None, 2027)):
        with pytest.raises(InvalidInputError):
            rules.birth_year_of(birth_date, year, TODAY)


def test_circumstances_are_checked_against_the_configured_list() -> None:
    assert rules.check_circumstances(["ho_ngheo", "ho_ngheo"], frozenset({"ho_ngheo"})) == ["ho_ngheo"]
    with pytest.raises(InvalidInputError) as raised:
        rules.check_circumstances(["ho_ngheo", "ho_giau"], frozenset({"ho_ngheo"}))
    assert raised.value.errors[0].field == "circumstances[1]"


def test_queries_become_word_prefixes_or_numbers() -> None:
    text = search_of("Nguyễn Văn  An", "p")
    assert text is not None and (text.folded, text.tsquery) == ("nguyen van an", "nguyen:* & van:* & an:*")
    phone = search_of("0912 345", "p")
    assert phone is not None and (phone.tsquery, phone.phone_prefix, phone.id_hash) == ("", "0912345", None)
    identity = search_of("001190012345", "p")
    assert identity is not None and identity.id_hash == rules.id_number_hash("001190012345", "p")
    assert search_of("  ", "p") is None and search_of(None, "p") is None
    assert search_of("to 5", "p") is not None and search_of("to 5", "p").tsquery == "to:* & 5:*"  # type: ignore[union-attr]
