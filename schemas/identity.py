"""Accounts, roles and sessions as the API shows them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec

Username = Annotated[str, msgspec.Meta(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]
Password = Annotated[str, msgspec.Meta(min_length=8, max_length=256)]
DisplayName = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Phone = Annotated[str, msgspec.Meta(pattern=r"^\+?[0-9 .-]{8,20}$")]
Email = Annotated[str, msgspec.Meta(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]


class RoleGrant(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    # central_admin | province_officer | commune_officer | area_cadre | citizen
    role: str
    unit_code: Annotated[str, msgspec.Meta(min_length=1, max_length=32)]


class RoleRead(msgspec.Struct, kw_only=True):
    role: str
    unit_code: str
    unit_name: str
    unit_path: str


class AccountCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    username: Username
    password: Password
    display_name: DisplayName
    roles: list[RoleGrant]
    phone: Phone | None = None
    email: Email | None = None


class CitizenRegistration(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    username: Username
    password: Password
    display_name: DisplayName
    phone: Phone | None = None
    email: Email | None = None


class AccountRead(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    username: str
    display_name: str
    phone: str | None
    email: str | None
    status: str
    roles: list[RoleRead]
    created_at: datetime


class AccountStatusChange(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    # active | disabled (left the post) | locked (suspected compromise); the last two end every session
    status: Literal["active", "disabled", "locked"]


class PasswordChange(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    current_password: Annotated[str, msgspec.Meta(max_length=256)]
    new_password: Password


class SessionRead(msgspec.Struct, kw_only=True):
    id: str
    kind: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    user_agent: str
    ip: str
    current: bool
