import unicodedata

import pytest

from backend.lib.text import fold, prefix_tsquery, search_terms

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("name", "folded"),
    [
        ("Nguyễn Văn Á", "nguyen van a"),
        ("Đặng Thị Ngọc Hà", "dang thi ngoc ha"),
        ("ĐẶNG THÙY TRÂM", "dang thuy tram"),
        ("Phường Hoàn Kiếm", "phuong hoan kiem"),
        ("Thừa Thiên Huế", "thua thien hue"),
        ("Xã Ơn Ưng Ữ", "xa on ung u"),
        ("Đặc khu Phú Quốc", "dac khu phu quoc"),
        ("Tổ dân phố số 5, phố Hàng Bài", "to dan pho so 5 pho hang bai"),
        ("  Bà   Rịa – Vũng Tàu ", "ba ria vung tau"),
        ("Lê Quý Đôn (số 97/2025/QH15)", "le quy don so 97 2025 qh15"),
    ],
)
def test_fold_real_names(name: str, folded: str) -> None:
    assert fold(name) == folded


def test_fold_is_the_same_for_composed_and_decomposed_input() -> None:
    composed = "Hoà Bình Nguyễn"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    assert fold(composed) == fold(decomposed) == "hoa binh nguyen"


def test_fold_treats_old_and_new_tone_placement_alike() -> None:
    # "Hoà" (old style) and "Hòa" (new style) are the same word to a reader.
    assert fold("Hoà") == fold("Hòa") == "hoa"


def test_search_terms_drop_repeats_and_punctuation() -> None:
    assert search_terms("Nguyễn, nguyen  VĂN a!") == ["nguyen", "van", "a"]


def test_prefix_tsquery_matches_each_word_as_prefix() -> None:
    assert prefix_tsquery("hoàn kiếm") == "hoan:* & kiem:*"
    assert prefix_tsquery("  ,;  ") == ""
    # Characters meaningful to tsquery never survive folding.
    assert prefix_tsquery("a & b | !c:*") == "a:* & b:* & c:*"
