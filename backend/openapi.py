"""The OpenAPI document as committed in schemas/openapi.json (the contract test keeps the two equal)."""

from __future__ import annotations

import msgspec

from backend.app import create_app
from backend.settings import settings_from_env


def openapi_document() -> str:
    app = create_app(settings_from_env({}))
    encoded = msgspec.json.encode(app.openapi_schema.to_schema(), order="sorted")
    return msgspec.json.format(encoded, indent=2).decode() + "\n"
