from collections import Counter

import pytest

from backend.features.units.catalog import CENTRAL_CODE, official_units, short_name_folded

pytestmark = pytest.mark.unit


def test_catalogue_has_the_post_reform_tree() -> None:
    units = list(official_units())
    levels = Counter(unit.level for unit in units)
    assert levels == {"central": 1, "province": 34, "commune": 3321}
    kinds = Counter(unit.kind for unit in units if unit.level == "commune")
    assert kinds == {"xa": 2621, "phuong": 687, "dac_khu": 13}
    assert len({unit.code for unit in units}) == len(units)


def test_paths_follow_parents() -> None:
    units = {unit.code: unit for unit in official_units()}
    for unit in units.values():
        if unit.parent is None:
            assert unit.code == CENTRAL_CODE and unit.path == CENTRAL_CODE
        else:
            assert unit.path == f"{units[unit.parent].path}/{unit.code}"


def test_official_codes_are_zero_padded() -> None:
    units = {unit.code: unit for unit in official_units()}
    assert units["01"].name == "Thành phố Hà Nội"
    assert units["00070"].name == "Phường Hoàn Kiếm"
    assert units["00070"].parent == "01"


@pytest.mark.parametrize(
    ("name", "short"),
    [("Thành phố Hà Nội", "ha noi"), ("Phường Hoàn Kiếm", "hoan kiem"), ("Đặc khu Phú Quốc", "phu quoc"),
     ("Cao Bằng", "cao bang"), ("Xã Đất Mũi", "dat mui"), ("Phường", "phuong")],
)  # fmt: skip
def test_short_name_drops_the_kind_word(name: str, short: str) -> None:
    assert short_name_folded(name) == short
