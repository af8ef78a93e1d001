"""The pull side of sync: which changed rows a device has not seen yet, and the cursor that says so.

A sequence number or a timestamp cannot be the cursor: they are taken before commit, so a transaction
that commits late would slip behind a cursor already handed out and never be pulled. Instead every
synced row carries the id of the transaction that last wrote it (`sync_xid`: its default on insert, a
trigger on update), and a cursor carries PostgreSQL snapshots (`pg_current_snapshot()`: which transactions
had committed). A pull returns the rows whose writer is visible in the snapshot taken now and was not in
the one of the previous pull: every committed change exactly once, without any lock between writers. A
pull spread over several pages keeps the snapshot of its first page, so rows changed meanwhile wait for
the next pull.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import itertools
import json
import uuid
from dataclasses import dataclass
from typing import Any

import msgspec

from backend.lib.errors import InvalidInputError
from schemas.common import FieldError

# (xmin, xmax, ids in progress), as asyncpg encodes and decodes pg_snapshot.
Snapshot = tuple[int, int, tuple[int, ...]]

CURSOR_FORMAT = 1
# Transactions in progress a cursor's snapshot lists at most, so cursors stay a few tens of KB.
MAX_IN_PROGRESS = 1000


class PullCursor(msgspec.Struct, array_like=True, frozen=True, forbid_unknown_fields=True):
    format: int
    # Scope and entities the cursor was made for: when they change, the device pulls from scratch.
    digest: str
    # The snapshot the previous complete pull ended at (None: nothing pulled yet).
    previous: Snapshot | None
    # While a pull runs over several pages: its snapshot, the entity reached, the last row returned.
    current: Snapshot | None = None
    entity: str | None = None
    after_xid: int | None = None
    after_id: uuid.UUID | None = None

    @property
    def in_progress(self) -> bool:
        return self.current is not None


@dataclass(frozen=True)
class PullWindow:
    """Rows written by transactions visible in `current` but not in `previous`, after `after`."""

    previous: Snapshot | None
    current: Snapshot
    after: tuple[int, uuid.UUID] | None = None

    @property
    def include_deleted(self) -> bool:
        # A first pull sends no tombstones: the device has nothing to delete yet.
        return self.previous is not None


def window_sql(window: PullWindow, next_param: int, xid_column: str = "sync_xid") -> tuple[str, list[Any]]:
    """SQL selecting the window's rows of a synced table, as a condition and its arguments ($next_param on).

    The plain comparisons bound the index range on (sync_xid, id); the visibility tests then drop the rows
    of transactions still running when a snapshot was taken.
    """
    args: list[Any] = [window.current[1], window.current]
    clauses = [f"{xid_column} < ${next_param}", f"pg_visible_in_snapshot({xid_column}, ${next_param + 1})"]
    if window.previous is not None:
        args.extend([window.previous[0], window.previous])
        clauses.append(f"{xid_column} >= ${next_param + 2}")
        clauses.append(f"NOT pg_visible_in_snapshot({xid_column}, ${next_param + 3})")
    else:
        clauses.append("NOT deleted")
    if window.after is not None:
        first = next_param + len(args)
        args.extend(window.after)
        clauses.append(f"({xid_column}, id) > (${first}::xid8, ${first + 1}::uuid)")
    return " AND ".join(clauses), args


def bounded(snapshot: Snapshot, limit: int = MAX_IN_PROGRESS) -> Snapshot:
    """The snapshot, or when more transactions were in progress than a cursor should carry, an earlier one:
    xmax lowered to the first in-progress id left out. What it sees is a subset of what the real one sees,
    so the rows left out are simply sent by the next pull."""
    xmin, _, running = snapshot
    if len(running) <= limit:
        return snapshot
    return xmin, running[limit], running[:limit]


def scope_digest(read_paths: list[str], entities: list[str]) -> str:
    content = json.dumps([sorted(read_paths), sorted(entities)], separators=(",", ":"))
    return hashlib.sha256(content.encode()).hexdigest()[:32]


def encode_pull_cursor(cursor: PullCursor) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode(cursor)).decode().rstrip("=")


def decode_pull_cursor(text: str) -> PullCursor:
    """The cursor a device sent back; 400 naming pull_cursor when it was not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        cursor = msgspec.json.decode(raw, type=PullCursor)
    except (binascii.Error, ValueError, msgspec.DecodeError, msgspec.ValidationError) as error:
        raise _bad_cursor(str(error)) from error
    if cursor.format != CURSOR_FORMAT:
        raise _bad_cursor("unknown cursor format")
    for snapshot in (cursor.previous, cursor.current):
        if snapshot is not None and not valid_snapshot(snapshot):
            raise _bad_cursor("malformed snapshot")
    if cursor.in_progress and cursor.entity is None:
        raise _bad_cursor("a page cursor names its entity")
    if (cursor.after_xid is None) != (cursor.after_id is None):
        raise _bad_cursor("incomplete position")
    return cursor


def valid_snapshot(snapshot: Snapshot) -> bool:
    """What pg_snapshot accepts: 1 <= xmin <= xmax and in-progress ids ascending within [xmin, xmax)."""
    xmin, xmax, running = snapshot
    if not 1 <= xmin <= xmax or len(running) > MAX_IN_PROGRESS:
        return False
    return all(xmin <= xid < xmax for xid in running) and all(a < b for a, b in itertools.pairwise(running))


def _bad_cursor(reason: str) -> InvalidInputError:
    return InvalidInputError(
        "problem.bad_cursor.detail", errors=[FieldError(field="pull_cursor", message=reason, source="body")]
    )
