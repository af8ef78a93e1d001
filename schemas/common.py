"""Structs shared by every feature: the problem document and the page envelope."""

from __future__ import annotations

import msgspec


class FieldError(msgspec.Struct, kw_only=True):
    field: str
    message: str
    source: str | None = None


class Problem(msgspec.Struct, kw_only=True, omit_defaults=True):
    """RFC 9457 problem details, the body of every error response."""

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    request_id: str | None = None
    errors: list[FieldError] = msgspec.field(default_factory=list)
