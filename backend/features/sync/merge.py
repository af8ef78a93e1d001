"""Merging a device's edit into the server's record, field by field, by versions (pure; unit-tested).

Every synced record keeps, per field, the version that last changed it. A device sends the version it
based its edit on and only the fields it changed: a field the server has not changed since that version
takes the device's value; a field changed on both sides (to different values) is a conflict and keeps
the server's value until a person decides. `deleted` takes part as a field, so an edit of a record
deleted meanwhile, or a deletion of a record edited meanwhile, is a conflict too, never a silent loss.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

DELETED = "deleted"
# A field absent from field_versions has not changed since the record was created (version 1).
CREATED_VERSION = 1


@dataclass(frozen=True)
class Merge:
    """What to write now, and the fields held back for a person: field -> (server value, device value)."""

    apply: dict[str, Any] = field(default_factory=dict)
    conflicts: dict[str, tuple[Any, Any]] = field(default_factory=dict)


def field_version(field_versions: Mapping[str, int], name: str) -> int:
    return field_versions.get(name, CREATED_VERSION)


def changed_since(field_versions: Mapping[str, int], base_version: int) -> set[str]:
    return {name for name, version in field_versions.items() if version > base_version}


def deleted_since(state: Mapping[str, Any], field_versions: Mapping[str, int], base_version: int) -> bool:
    return bool(state[DELETED]) and field_version(field_versions, DELETED) > base_version


def merge_update(
    state: Mapping[str, Any], field_versions: Mapping[str, int], base_version: int, changes: Mapping[str, Any]
) -> Merge:
    """Merge an edit based on base_version into state (the record's fields plus `deleted`)."""
    if state[DELETED]:
        # Deleted on the server after the device's version: keep the device's edit for a person to weigh
        # against the deletion. (An edit of a record the device knew was deleted is refused earlier.)
        edits = {name: (state.get(name), value) for name, value in changes.items() if state.get(name) != value}
        return Merge(conflicts={DELETED: (True, False), **edits})
    server_changed = changed_since(field_versions, base_version)
    merged = Merge()
    for name, value in changes.items():
        if state.get(name) == value:
            continue  # both sides already agree: nothing to write, nothing to resolve
        if name in server_changed:
            merged.conflicts[name] = (state.get(name), value)
        else:
            merged.apply[name] = value
    return merged


def merge_delete(state: Mapping[str, Any], field_versions: Mapping[str, int], base_version: int) -> Merge:
    """A deletion based on base_version: a conflict when the server changed anything since then."""
    if state[DELETED]:
        return Merge()  # already gone: the device's intent holds
    if changed_since(field_versions, base_version):
        return Merge(conflicts={DELETED: (False, True)})
    return Merge(apply={DELETED: True})


def stamp(field_versions: Mapping[str, int], names: Iterable[str], version: int) -> dict[str, int]:
    """field_versions after the named fields were written at version."""
    return {**field_versions, **dict.fromkeys(names, version)}


def stale_fields(field_versions: Mapping[str, int], since_version: int, names: Iterable[str]) -> list[str]:
    """The named fields changed after since_version (a resolution decided on older values)."""
    return sorted(name for name in names if field_version(field_versions, name) > since_version)


def fingerprint(entity: str, action: str, entity_id: uuid.UUID, base_version: int | None, fields: Any) -> str:
    """sha256 of what an operation asks for, independent of key order, to spot an op_id reused for
    different content (a client bug that a plain replay check would turn into a wrong "duplicate")."""
    content = json.dumps(
        [entity, action, str(entity_id), base_version, fields],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(content.encode()).hexdigest()
