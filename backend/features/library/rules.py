"""Pure rules of the library: the category catalogue, the publishing state machine, which legal status
counts as "in force", and how search keys are folded."""

from __future__ import annotations

from collections.abc import Iterable

from backend.lib.access import Permission
from backend.lib.errors import ConflictError, InvalidInputError
from backend.lib.text import fold
from schemas.common import FieldError

# Category slug -> i18n key of its name. Cadres pin categories for offline reading.
CATEGORIES: dict[str, str] = {
    "petitions": "library.category.petitions",
    "congress": "library.category.congress",
    "household_work": "library.category.household_work",
    "personal_data": "library.category.personal_data",
    "front_law": "library.category.front_law",
    "grassroots_democracy": "library.category.grassroots_democracy",
    "forms": "library.category.forms",
    "citizen_qa": "library.category.citizen_qa",
}

# The publishing workflow: state -> {next state: permission needed on the document's unit}. Staff who may
# write draft and submit; approvers (commune officers and above) publish, send back, archive and reopen.
TRANSITIONS: dict[str, dict[str, Permission]] = {
    "draft": {"review": Permission.write},
    "review": {"published": Permission.approve, "draft": Permission.approve},
    "published": {"archived": Permission.approve},
    "archived": {"draft": Permission.approve},
}

LEGAL_KINDS = frozenset({"law", "decree", "guidance"})
# An amended text is still in force (in part); replaced and expired ones are not.
IN_FORCE = frozenset({"in_force", "amended"})


def transition_permission(current: str, target: str) -> Permission:
    """The permission a move needs; 409 when the workflow has no such move."""
    permission = TRANSITIONS.get(current, {}).get(target)
    if permission is None:
        raise ConflictError("problem.library.bad_transition", current=current, target=target)
    return permission


def check_categories(categories: Iterable[str]) -> list[str]:
    unknown = sorted(set(categories) - CATEGORIES.keys())
    if unknown:
        raise InvalidInputError(
            "problem.library.unknown_category",
            errors=[FieldError(field="categories", message=", ".join(unknown), source="body")],
            known=", ".join(CATEGORIES),
        )
    return list(dict.fromkeys(categories))


def number_key(number: str) -> str:
    """The folded số ký hiệu: "97/2025/QH15" -> "97 2025 qh15"; a query equal to it finds the document first."""
    return fold(number)


def meta_folded(title: str, number: str, issuer: str, summary: str, tags: Iterable[str]) -> str:
    return fold(" ".join([title, number, issuer, summary, *tags]))
