import pytest

from backend.lib.errors import InvalidInputError
from backend.lib.pagination import decode_cursor, encode_cursor

pytestmark = pytest.mark.unit


def test_cursor_round_trip() -> None:
    key = (1, 3, "xa dang thuy tram", "21520")
    assert decode_cursor(encode_cursor(key), tuple[int, int, str, str]) == key


@pytest.mark.parametrize("cursor", ["%%%", "bm90IGpzb24", encode_cursor(("a", "b")), encode_cursor(("x",))])
def test_tampered_cursor_is_a_client_error(cursor: str) -> None:
    with pytest.raises(InvalidInputError) as raised:
        decode_cursor(cursor, tuple[int, int, str, str])
    assert raised.value.errors[0].field == "cursor"
