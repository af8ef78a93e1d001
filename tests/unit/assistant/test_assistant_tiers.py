"""Which words find the candidates (pure): the rarer words of the question, strictest combination first."""

from __future__ import annotations

from backend.features.assistant.query import plan
from backend.features.assistant.retrieval import REQUIRED_CONCEPTS, _tiers

TOTAL = 1000


def test_tiers_require_the_rarest_concepts_first_then_fewer_then_any() -> None:
    understood = plan("thời hạn giải quyết")
    frequencies = {"thoi": 50, "han": 80, "giai": 30, "quyet": 20, "ngay": 5}
    assert _tiers(understood, frequencies, TOTAL) == [
        "((quyet) & (giai) & (thoi) & (han))",
        "((quyet) & (giai) & (thoi)) | ((quyet) & (giai) & (han)) | ((quyet) & (thoi) & (han))"
        " | ((giai) & (thoi) & (han))",
        "((quyet) & (giai)) | ((quyet) & (thoi)) | ((quyet) & (han)) | ((giai) & (thoi)) | ((giai) & (han))"
        " | ((thoi) & (han))",
        "quyet | giai | thoi | han",
    ]


def test_common_words_and_words_in_no_passage_find_nothing() -> None:
    understood = plan("thời hạn giải quyết")
    # "han" is in a fifth of the passages (common); "giai" in none: neither is required nor matched.
    frequencies = {"thoi": 50, "han": 200, "giai": 0, "quyet": 20}
    assert _tiers(understood, frequencies, TOTAL) == ["((quyet) & (thoi))", "quyet | thoi"]


def test_a_concept_is_any_of_its_synonyms() -> None:
    understood = plan("phản ánh quá hạn")
    frequencies = {t: 10 for t in understood.all_terms}
    tiers = _tiers(understood, frequencies, TOTAL)
    assert tiers[0] == "((anh) & (han) & (phan | kien | nghi) & (qua | cham | han | tre))"
    assert tiers[-1] == "anh | han | phan | kien | nghi | qua | cham | tre"


def test_only_the_rarest_concepts_are_required() -> None:
    understood = plan("quy trình tiếp nhận xử lý phản ánh kiến nghị công dân tại xã phường")
    frequencies = {term: 10 + index for index, term in enumerate(understood.all_terms)}
    strictest = _tiers(understood, frequencies, TOTAL)[0]
    assert len(understood.concepts) > REQUIRED_CONCEPTS
    assert strictest.count("&") == REQUIRED_CONCEPTS - 1


def test_when_every_word_is_common_the_rarest_one_finds_candidates() -> None:
    understood = plan("mặt trận xã")
    assert _tiers(understood, {"mat": 600, "tran": 500, "xa": 900}, TOTAL) == ["tran"]
    assert _tiers(understood, {"mat": 0, "tran": 0, "xa": 0}, TOTAL) == []
