"""Who may do what where: principals, roles bound to org units, and scope checks by unit path.

A role assignment covers its unit and everything below it (path prefix). Every feature asks this module,
in Python (`may`, `require`) and in SQL (`scope_sql`); a record outside the caller's scope is answered
with 404 so that its existence does not leak.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from enum import StrEnum

from backend.lib.errors import NotFoundError


class Role(StrEnum):
    central_admin = "central_admin"
    province_officer = "province_officer"
    commune_officer = "commune_officer"
    area_cadre = "area_cadre"
    citizen = "citizen"


class Permission(StrEnum):
    read = "read"
    write = "write"
    read_sensitive = "read_sensitive"  # ID numbers, religion, ethnicity, health (Law 91/2025)
    manage_accounts = "manage_accounts"
    approve = "approve"  # e.g. congress results of the units below


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.central_admin: frozenset(Permission) - {Permission.read_sensitive},
    Role.province_officer: frozenset(Permission) - {Permission.read_sensitive},
    Role.commune_officer: frozenset(Permission),
    Role.area_cadre: frozenset({Permission.read, Permission.write, Permission.read_sensitive}),
    # Citizens act on their own records (ownership), never on a unit's.
    Role.citizen: frozenset(),
}

# Which levels each role may be bound to.
ROLE_LEVELS: dict[Role, frozenset[str]] = {
    Role.central_admin: frozenset({"central"}),
    Role.province_officer: frozenset({"province"}),
    Role.commune_officer: frozenset({"commune"}),
    Role.area_cadre: frozenset({"residential_area"}),
    Role.citizen: frozenset({"central", "province", "commune", "residential_area"}),
}


class AccessDenied(NotFoundError):
    """Outside the caller's scope. Answered as 404 (existence does not leak) and written to the audit log."""

    def __init__(self, actor: str, permission: Permission, unit_path: str) -> None:
        super().__init__()
        self.actor = actor
        self.permission = permission
        self.unit_path = unit_path


def within(path: str, scope_path: str) -> bool:
    return path == scope_path or path.startswith(scope_path + "/")


@dataclass(frozen=True)
class ScopedRole:
    role: Role
    unit_code: str
    unit_path: str


@dataclass(frozen=True)
class Principal:
    """The caller: an account (through the web app or a bearer token) or a service client."""

    account_id: uuid.UUID | None
    client_id: str
    roles: tuple[ScopedRole, ...] = ()
    scopes: frozenset[str] = field(default_factory=frozenset)

    @property
    def actor(self) -> str:
        """How the audit log names this caller."""
        return str(self.account_id) if self.account_id else f"client:{self.client_id}"

    def scope_paths(self, permission: Permission) -> list[str]:
        """Unit paths under which the permission holds, without ones already covered by another."""
        paths = sorted({r.unit_path for r in self.roles if permission in ROLE_PERMISSIONS[r.role]})
        return [p for p in paths if not any(within(p, other) and p != other for other in paths)]

    def may(self, permission: Permission, unit_path: str) -> bool:
        return any(within(unit_path, scope) for scope in self.scope_paths(permission))

    def require(self, permission: Permission, unit_path: str) -> None:
        if not self.may(permission, unit_path):
            raise AccessDenied(self.actor, permission, unit_path)

    def is_owner(self, account_id: uuid.UUID | None) -> bool:
        return self.account_id is not None and self.account_id == account_id


def scope_sql(column: str, paths: list[str], next_param: int) -> tuple[str, list[str]]:
    """SQL matching `column` within any of paths, as a condition and its arguments ($next_param on).

    No paths means no access: the condition is FALSE, never "no filter".
    """
    if not paths:
        return "FALSE", []
    clauses: list[str] = []
    args: list[str] = []
    for path in paths:
        clauses.append(f"({column} = ${next_param + len(args)} OR {column} LIKE ${next_param + len(args) + 1})")
        args.extend([path, path.replace("%", r"\%").replace("_", r"\_") + "/%"])
    return "(" + " OR ".join(clauses) + ")", args
