import uuid

import pytest

from backend.lib.access import Permission, Principal, Role, ScopedRole, scope_sql, within
from backend.lib.errors import NotFoundError

pytestmark = pytest.mark.unit

COMMUNE = "TW/01/00070"
AREA_1 = "TW/01/00070/00070-001"
AREA_2 = "TW/01/00070/00070-002"


def principal(*roles: tuple[Role, str]) -> Principal:
    return Principal(
        account_id=uuid.uuid4(),
        client_id="mattran-web",
        roles=tuple(ScopedRole(role, path.rsplit("/", 1)[-1], path) for role, path in roles),
    )


def test_within_matches_whole_path_segments_only() -> None:
    assert within(AREA_1, COMMUNE) and within(COMMUNE, COMMUNE)
    assert not within("TW/01/000701", "TW/01/00070")
    assert not within(COMMUNE, AREA_1)


def test_area_cadre_is_confined_to_the_area() -> None:
    cadre = principal((Role.area_cadre, AREA_1))
    assert cadre.may(Permission.write, AREA_1)
    assert not cadre.may(Permission.read, AREA_2)
    assert not cadre.may(Permission.read, COMMUNE)
    with pytest.raises(NotFoundError):
        cadre.require(Permission.read, AREA_2)


def test_commune_officer_covers_the_commune_and_nothing_next_to_it() -> None:
    officer = principal((Role.commune_officer, COMMUNE))
    assert officer.may(Permission.manage_accounts, AREA_2)
    assert not officer.may(Permission.read, "TW/01/00073")


def test_citizens_have_no_unit_scope() -> None:
    citizen = principal((Role.citizen, "TW"))
    assert citizen.scope_paths(Permission.read) == []
    assert not citizen.may(Permission.read, AREA_1)


def test_nested_scopes_collapse() -> None:
    both = principal((Role.province_officer, "TW/01"), (Role.commune_officer, COMMUNE))
    assert both.scope_paths(Permission.read) == ["TW/01"]


def test_scope_sql_without_paths_matches_nothing() -> None:
    assert scope_sql("path", [], 1) == ("FALSE", [])


def test_scope_sql_escapes_like_wildcards() -> None:
    condition, args = scope_sql("u.path", ["TW/01_x"], 3)
    assert condition == "((u.path = $3 OR u.path LIKE $4))"
    assert args == ["TW/01_x", r"TW/01\_x/%"]
