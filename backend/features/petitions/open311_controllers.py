"""/open311/v2/…: GeoReport v2 in JSON. Errors answer in the specification's own format,
`[{"code": 400, "description": "…"}]`, since Open311 clients read that and not problem+json."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from asyncpg.exceptions import CharacterNotInRepertoireError
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, HeaderParameter, QueryParameter

from backend.features.identity.auth import optional_principal
from backend.features.petitions.controllers import client_key
from backend.features.petitions.open311 import Open311Service
from backend.features.petitions.service import PetitionService
from backend.lib.access import Principal
from backend.lib.errors import AppError, request_language
from backend.lib.i18n import translate
from schemas.open311 import (
    Discovery,
    Open311Error,
    RequestCreated,
    Service,
    ServiceDefinition,
    ServiceRequest,
    TokenMapping,
)

JSON_SUFFIX = ".json"


def provide_open311(state: State) -> Open311Service:
    return Open311Service(PetitionService(state.settings, state.clock), state.settings.public_url)


def open311_error(request: Request[Any, Any, Any], exc: Exception) -> Response[list[Open311Error]]:
    language = request_language(request)
    if isinstance(exc, AppError):
        status = exc.status
        text = (
            translate(exc.detail_key, language, **exc.params) if exc.detail_key else translate(exc.title_key, language)
        )
        fields = [f"{error.field}: {error.message}" for error in exc.errors]
        headers = exc.headers or None
    elif isinstance(exc, HTTPException):
        status, text, fields, headers = exc.status_code, str(exc.detail), [], exc.headers
        if isinstance(exc, ValidationException) and isinstance(exc.extra, list):
            fields = [f"{item.get('key')}: {item.get('message')}" for item in exc.extra if isinstance(item, dict)]
    elif isinstance(exc, CharacterNotInRepertoireError):
        status, text, fields, headers = 400, translate("problem.validation.nul_character", language), [], None
    else:
        raise exc
    descriptions = fields or [text]
    return Response(
        [Open311Error(code=status, description=d) for d in descriptions], status_code=status, headers=headers
    )


def open311_errors(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI documentation of the GeoReport errors a route can give (400 for any malformed parameter)."""
    return {
        status: ResponseSpec(
            data_container=list[Open311Error], generate_examples=False, description=f"GeoReport v2 error ({status})"
        )
        for status in sorted({400, *statuses})
    }


def without_suffix(name: str) -> str:
    """`dat_dai.json` -> `dat_dai`; only the JSON format is served."""
    if not name.endswith(JSON_SUFFIX):
        raise HTTPException(status_code=404, detail="only .json is served")
    return name[: -len(JSON_SUFFIX)]


class Open311Controller(Controller):
    path = "/open311/v2"
    tags = ["open311"]
    dependencies = {"open311": Provide(provide_open311, sync_to_thread=False), "caller": Provide(optional_principal)}
    # ValidationException too: the app's own handler for it (problem+json) would otherwise win over HTTPException's.
    exception_handlers = {
        AppError: open311_error,
        HTTPException: open311_error,
        ValidationException: open311_error,
        CharacterNotInRepertoireError: open311_error,
    }

    @get("/discovery.json", summary="Open311 service discovery")
    async def discovery(self, open311: NamedDependency[Open311Service]) -> Discovery:
        return open311.discovery()

    @get("/services.json", summary="Open311 services (petition categories)")
    async def services(self, open311: NamedDependency[Open311Service]) -> list[Service]:
        return await open311.services()

    @get(
        "/services/{name:str}",
        summary="Open311 service definition (`{service_code}.json`)",
        responses=open311_errors(404),
    )
    async def service_definition(
        self, open311: NamedDependency[Open311Service], name: FromPath[str]
    ) -> ServiceDefinition:
        return await open311.service_definition(without_suffix(name))

    @post(
        "/requests.json",
        summary="Open311: post a service request (api_key or bearer token)",
        status_code=201,
        responses=open311_errors(403, 404, 409),
    )
    async def create(
        self,
        request: Request[Any, Any, Any],
        open311: NamedDependency[Open311Service],
        caller: NamedDependency[Principal | None],
        idempotency_key: Annotated[str | None, HeaderParameter(name="idempotency-key", max_length=100)] = None,
    ) -> list[RequestCreated]:
        form = {key: str(value) for key, value in (await request.form()).items()}
        return await open311.create(caller, form, idempotency_key)

    @get("/requests.json", summary="Open311: service requests (published ones, or by id)", responses=open311_errors())
    async def requests(
        self,
        open311: NamedDependency[Open311Service],
        service_request_id: Annotated[str | None, QueryParameter(max_length=4000)] = None,
        service_code: Annotated[str | None, QueryParameter(max_length=40)] = None,
        start_date: Annotated[datetime | None, QueryParameter()] = None,
        end_date: Annotated[datetime | None, QueryParameter()] = None,
        status: Annotated[str | None, QueryParameter(pattern=r"^(open|closed)(,(open|closed))?$")] = None,
    ) -> list[ServiceRequest]:
        ids = None
        if service_request_id:
            try:
                ids = [uuid.UUID(part.strip()) for part in service_request_id.split(",") if part.strip()]
            except ValueError as error:
                raise HTTPException(status_code=400, detail="service_request_id: not an id") from error
        return await open311.requests(ids, service_code, start_date, end_date, status)

    @get(
        "/requests/{name:str}",
        summary="Open311: one service request (`{service_request_id}.json`)",
        responses=open311_errors(404),
    )
    async def request(self, open311: NamedDependency[Open311Service], name: FromPath[str]) -> list[ServiceRequest]:
        try:
            request_id = uuid.UUID(without_suffix(name))
        except ValueError as error:
            raise HTTPException(status_code=404, detail="no such service request") from error
        return await open311.request(request_id)

    @get(
        "/tokens/{name:str}",
        summary="Open311: the service request of a token (`{token}.json`)",
        responses=open311_errors(404),
    )
    async def token(
        self, request: Request[Any, Any, Any], open311: NamedDependency[Open311Service], name: FromPath[str]
    ) -> list[TokenMapping]:
        return await open311.token(without_suffix(name), client_key(request))
