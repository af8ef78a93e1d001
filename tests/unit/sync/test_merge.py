"""Field-by-field merge by versions: what applies, what becomes a conflict, and the op fingerprint."""

from __future__ import annotations

import uuid

import pytest

from backend.features.sync.merge import (
    DELETED,
    Merge,
    changed_since,
    deleted_since,
    fingerprint,
    merge_delete,
    merge_update,
    stale_fields,
    stamp,
)

pytestmark = pytest.mark.unit

# Version 3: the title changed at 2, the body at 3; the kind never changed since creation (version 1).
STATE = {"title": "Tiêu đề v2", "body": "Nội dung v3", "kind": "note", DELETED: False}
VERSIONS = {"title": 2, "body": 3}


def test_fields_untouched_on_the_server_since_the_base_take_the_device_value() -> None:
    merged = merge_update(STATE, VERSIONS, 2, {"title": "Máy", "kind": "visit"})
    assert merged == Merge(apply={"title": "Máy", "kind": "visit"})


def test_a_field_changed_on_both_sides_is_a_conflict_and_the_rest_applies() -> None:
    merged = merge_update(STATE, VERSIONS, 2, {"body": "Máy", "kind": "visit"})
    assert merged == Merge(apply={"kind": "visit"}, conflicts={"body": ("Nội dung v3", "Máy")})


def test_an_edit_equal_to_the_server_value_is_neither_written_nor_a_conflict() -> None:
    assert merge_update(STATE, VERSIONS, 1, {"body": "Nội dung v3", "title": "Tiêu đề v2"}) == Merge()


def test_an_edit_of_a_record_deleted_since_keeps_every_edit_for_a_person() -> None:
    deleted = {**STATE, DELETED: True}
    merged = merge_update(deleted, {**VERSIONS, DELETED: 4}, 3, {"kind": "visit", "title": "Tiêu đề v2"})
    assert merged == Merge(conflicts={DELETED: (True, False), "kind": ("note", "visit")})
    assert deleted_since(deleted, {DELETED: 4}, 3) and not deleted_since(deleted, {DELETED: 4}, 4)


def test_a_deletion_conflicts_with_any_change_the_device_has_not_seen() -> None:
    assert merge_delete(STATE, VERSIONS, 3) == Merge(apply={DELETED: True})
    assert merge_delete(STATE, VERSIONS, 2) == Merge(conflicts={DELETED: (False, True)})
    assert merge_delete({**STATE, DELETED: True}, VERSIONS, 1) == Merge()


def test_versions_are_stamped_and_checked_per_field() -> None:
    assert stamp(VERSIONS, ["kind", "body"], 4) == {"title": 2, "body": 4, "kind": 4}
    assert changed_since(VERSIONS, 2) == {"body"}
    assert stale_fields(VERSIONS, 2, ["body", "kind", "title"]) == ["body"]


def test_the_fingerprint_ignores_key_order_but_not_content() -> None:
    entity_id = uuid.uuid4()
    one = fingerprint("draft", "update", entity_id, 2, {"a": 1, "b": "x"})
    assert one == fingerprint("draft", "update", entity_id, 2, {"b": "x", "a": 1})
    assert one != fingerprint("draft", "update", entity_id, 3, {"a": 1, "b": "x"})
    assert one != fingerprint("draft", "update", entity_id, 2, {"a": 1, "b": "y"})
