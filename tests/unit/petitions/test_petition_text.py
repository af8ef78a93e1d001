"""Pure petition rules: duplicate titles, tracking codes as people type them."""

from __future__ import annotations

import pytest

from backend.features.petitions.service import new_tracking_code, normal_tracking_code, similar_titles

pytestmark = pytest.mark.unit


def test_titles_are_similar_when_most_folded_words_match() -> None:
    assert similar_titles("Đèn đường hỏng ngõ 12", "den duong hong")
    assert similar_titles("Đèn đường hỏng", "Đèn đường ở ngõ 5 bị hỏng")
    assert not similar_titles("Đèn đường hỏng", "Đường ngập nước")
    assert not similar_titles("", "den duong")


def test_tracking_codes_are_long_and_typed_forgivingly() -> None:
    code = new_tracking_code()
    assert len(code) == len("KN-XXXXX-XXXXX-XXXXX-XXXXX") and code != new_tracking_code()
    assert normal_tracking_code(code.lower().replace("-", " ")) == code
    assert normal_tracking_code(code[3:].replace("-", "")) == code
