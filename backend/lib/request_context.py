"""The id of the request being served, for logs and problem documents.

It is set at the very entrance of the ASGI app (before routing), so that even a 404 for an unknown route
or a refused oversized body carries an id a user can quote to support.
"""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

_request_id: ContextVar[str | None] = ContextVar("mattran_request_id", default=None)

# A caller-provided id (from a proxy) is kept only when it is short and plain.
_ACCEPTABLE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")


def current_request_id() -> str | None:
    return _request_id.get()


def begin_request(incoming: str | None) -> str:
    request_id = incoming if incoming and _ACCEPTABLE_ID.match(incoming) else uuid.uuid4().hex
    _request_id.set(request_id)
    return request_id
