"""Cursor (keyset) pagination: the cursor is the sort key of the last row, opaque to clients.

Keyset paging stays fast at any depth and never skips or repeats a row when rows are added meanwhile.
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any

import msgspec
from litestar.params import QueryParameter

from backend.lib.errors import InvalidInputError
from schemas.common import FieldError

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200

# Query parameters every list endpoint takes: `limit: PageLimit = DEFAULT_PAGE_SIZE, cursor: PageCursor = None`.
PageLimit = Annotated[int, QueryParameter(ge=1, le=MAX_PAGE_SIZE, description="Rows per page (1-200).")]
PageCursor = Annotated[
    str | None, QueryParameter(max_length=512, description="`next_cursor` of the previous page; omit for the first.")
]


def encode_cursor(key: tuple[Any, ...]) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode(key)).decode().rstrip("=")


def decode_cursor(cursor: str, key_type: Any) -> Any:
    """Decode a cursor into key_type (a tuple type such as tuple[int, str]); 400 when it was tampered with."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return msgspec.json.decode(raw, type=key_type)
    except (binascii.Error, ValueError, msgspec.DecodeError, msgspec.ValidationError) as error:
        raise InvalidInputError(
            "problem.bad_cursor.detail",
            errors=[FieldError(field="cursor", message=str(error), source="query")],
        ) from error
