"""Where a page of sensitive reads is placed in the audit log: the deepest unit holding every resident."""

from __future__ import annotations

from backend.features.registry.rules import common_path


def test_the_deepest_unit_holding_all_paths() -> None:
    assert common_path(["TW/01/00070/00070-001", "TW/01/00070/00070-002"]) == "TW/01/00070"
    assert common_path(["TW/01/00070/00070-001", "TW/01/00070/00070-001"]) == "TW/01/00070/00070-001"
    assert common_path(["TW/01/00070/00070-001", "TW/02/00100/00100-001"]) == "TW"
    # Whole segments, never a shared prefix of one ("00070-001" and "00070-0012" are not nested).
    assert common_path(["TW/01/00070/00070-001", "TW/01/00070/00070-0012"]) == "TW/01/00070"
    assert common_path(["TW/01", "TW/01/00070"]) == "TW/01"
