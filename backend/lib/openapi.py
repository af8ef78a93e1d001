"""OpenAPI declarations Litestar's route decorators cannot express on their own."""

from __future__ import annotations

from dataclasses import dataclass

from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, Operation


def success_media_types(*media_types: str) -> type[Operation]:
    """An `operation_class` documenting each of `media_types` for the success response, with its schema.

    A handler's `media_type` names one type, while a download route may answer several (`?format=csv|xlsx`,
    the stored file's own type): the documentation must list every type the route really sends."""

    @dataclass
    class SeveralMediaTypes(Operation):
        def __post_init__(self) -> None:
            for status, response in (self.responses or {}).items():
                if status.startswith("2") and isinstance(response, OpenAPIResponse) and response.content:
                    schema = next(iter(response.content.values())).schema
                    response.content = {media_type: OpenAPIMediaType(schema=schema) for media_type in media_types}

    return SeveralMediaTypes
