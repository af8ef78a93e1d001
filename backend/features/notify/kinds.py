"""The kinds of notification. A feature that starts notifying adds its kind here (with a label in the
message table), so that preferences can offer it and a typo in a caller fails loudly instead of creating a
kind nobody can mute."""

from __future__ import annotations

from typing import Final

# kind -> i18n key of its label
KINDS: Final[dict[str, str]] = {
    "announcement": "notify.kind.announcement",
    "assignment": "notify.kind.assignment",
    "deadline": "notify.kind.deadline",
    "account": "notify.kind.account",
}


class UnknownKind(ValueError):
    pass


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise UnknownKind(f"unknown notification kind {kind!r}; known: {', '.join(sorted(KINDS))}")
    return kind
