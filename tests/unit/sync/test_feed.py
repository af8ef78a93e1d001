"""The pull cursor: round trip, refusal of tampered ones, and the SQL window it selects."""

from __future__ import annotations

import uuid

import msgspec
import pytest

from backend.features.sync.feed import (
    PullCursor,
    PullWindow,
    bounded,
    decode_pull_cursor,
    encode_pull_cursor,
    scope_digest,
    valid_snapshot,
    window_sql,
)
from backend.features.sync.handlers import convert_fields
from backend.lib.errors import InvalidInputError
from schemas.sync import DraftFields

pytestmark = pytest.mark.unit

DIGEST = scope_digest(["TW/01/00070"], ["draft"])


def test_a_cursor_survives_the_round_trip() -> None:
    cursor = PullCursor(
        format=1,
        digest=DIGEST,
        previous=(100, 105, (101, 103)),
        current=(110, 112, ()),
        entity="draft",
        after_xid=108,
        after_id=uuid.uuid4(),
    )
    assert decode_pull_cursor(encode_pull_cursor(cursor)) == cursor


@pytest.mark.parametrize(
    "previous",
    [(0, 5, ()), (9, 5, ()), (5, 9, (4,)), (5, 9, (9,)), (5, 9, (7, 6)), (5, 9, (6, 6))],
)
def test_snapshots_that_postgresql_would_not_accept_are_refused(previous: tuple[int, int, tuple[int, ...]]) -> None:
    assert not valid_snapshot(previous)
    forged = encode_pull_cursor(PullCursor(format=1, digest=DIGEST, previous=previous))
    with pytest.raises(InvalidInputError) as refused:
        decode_pull_cursor(forged)
    assert refused.value.errors[0].field == "pull_cursor"


@pytest.mark.parametrize("text", ["%%%", "e30", encode_pull_cursor(PullCursor(format=9, digest="", previous=None))])
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(InvalidInputError):
        decode_pull_cursor(text)


def test_the_digest_changes_with_scope_and_entities_but_not_order() -> None:
    assert scope_digest(["b", "a"], ["draft"]) == scope_digest(["a", "b"], ["draft"])
    assert scope_digest(["a"], ["draft"]) != scope_digest(["a", "b"], ["draft"])
    assert scope_digest(["a"], ["draft"]) != scope_digest(["a"], ["draft", "household"])


def test_a_first_pull_sends_no_tombstones_and_later_ones_exclude_what_was_seen() -> None:
    first_sql, first_args = window_sql(PullWindow(previous=None, current=(10, 12, (11,))), 1)
    assert "NOT deleted" in first_sql and first_args == [12, (10, 12, (11,))]
    position = (10, uuid.uuid4())
    later = PullWindow(previous=(10, 12, (11,)), current=(14, 14, ()), after=position)
    sql, args = window_sql(later, 3)
    assert "NOT deleted" not in sql and later.include_deleted
    assert "NOT pg_visible_in_snapshot(sync_xid, $6)" in sql and "(sync_xid, id) > ($7::xid8, $8::uuid)" in sql
    assert args == [14, (14, 14, ()), 10, (10, 12, (11,)), *position]


def test_handler_fields_are_checked_with_the_field_named() -> None:
    with pytest.raises(InvalidInputError) as wrong_type:
        convert_fields({"unit_code": "00070", "kind": "note", "title": 5}, DraftFields)
    assert wrong_type.value.errors[0].field == "fields.title"
    with pytest.raises(InvalidInputError) as missing:
        convert_fields({"kind": "note", "title": "x"}, DraftFields)
    assert missing.value.errors[0].field == "fields.unit_code"
    defaults = convert_fields({"unit_code": "1", "kind": "note", "title": "x"}, DraftFields)
    assert msgspec.structs.asdict(defaults)["body"] == ""


def test_a_busy_snapshot_is_bounded_to_an_earlier_one_a_cursor_can_carry() -> None:
    running = tuple(range(100, 3100, 2))
    snapshot = bounded((100, 4000, running))
    assert snapshot == (100, running[1000], running[:1000]) and valid_snapshot(snapshot)
    assert bounded((5, 9, (6,))) == (5, 9, (6,))
    cursor = PullCursor(format=1, digest=DIGEST, previous=snapshot, current=snapshot, entity="draft")
    assert len(encode_pull_cursor(cursor)) < 65536
