"""/api/v1/registry/imports (upload = dry run, confirm = load, status, template), /api/v1/registry/exports,
and the data subject's rights on /api/v1/residents/{id}: thin controllers over imports, exports, rights."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State, UploadFile
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, MultipartBody, QueryParameter

from backend.features.identity.auth import require_principal
from backend.features.registry.exports import MEDIA_TYPES, ExportService, template_file
from backend.features.registry.imports import FileTooLarge, ImportService
from backend.features.registry.rights import RightsService
from backend.lib.access import Principal
from backend.lib.errors import problem_responses, request_language
from backend.lib.openapi import success_media_types
from schemas.registry_transfer import Erasure, ImportJob, PersonalData

FormatQuery = Annotated[
    Literal["csv", "xlsx"], QueryParameter(description="`xlsx` (Excel) or `csv` (UTF-8 with a BOM).")
]
UnitFilter = Annotated[
    str | None,
    QueryParameter(min_length=1, max_length=32, description="Only this unit and the units below it."),
]
SensitiveQuery = Annotated[
    bool,
    QueryParameter(
        description="Show ID number, ethnicity and religion where you hold read_sensitive (audited); "
        "otherwise they are masked as in lists."
    ),
]


@dataclass
class ImportUpload:
    """The spreadsheet (CSV or XLSX, layout in docs/registry.md) and the unit it is for."""

    unit_code: str
    file: UploadFile


def provide_imports(state: State) -> ImportService:
    return ImportService(state.settings, state.clock)


def provide_exports(state: State) -> ExportService:
    return ExportService(state.clock)


def provide_rights(state: State) -> RightsService:
    return RightsService(state.clock)


def _attachment(content: bytes, fmt: str, stem: str) -> Response[bytes]:
    return Response(
        content,
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{stem}.{fmt}"'},
    )


class ImportController(Controller):
    path = "/api/v1/registry/imports"
    tags = ["registry"]
    dependencies = {
        "imports": Provide(provide_imports, sync_to_thread=False),
        "principal": Provide(require_principal),
    }

    @post(
        "/",
        summary="Upload a households file: a dry run that reports every row's problems; nothing is written",
        status_code=201,
        responses=problem_responses(400, 401, 404, 413),
    )
    async def upload(
        self,
        request: Request[Any, Any, Any],
        imports: NamedDependency[ImportService],
        principal: NamedDependency[Principal],
        data: MultipartBody[ImportUpload],
    ) -> ImportJob:
        limit = imports.settings.registry_import_max_bytes
        content = await data.file.read(limit + 1)
        if len(content) > limit:
            raise FileTooLarge("problem.registry.import.too_large", limit=limit)
        filename = data.file.filename or ""
        return await imports.dry_run(principal, data.unit_code, filename, content, request_language(request))

    @post(
        "/{job_id:uuid}/confirm",
        summary="Load a checked file into the registry (all or nothing; confirming again changes nothing)",
        status_code=200,
        responses=problem_responses(401, 404, 409),
    )
    async def confirm(
        self,
        request: Request[Any, Any, Any],
        imports: NamedDependency[ImportService],
        principal: NamedDependency[Principal],
        job_id: FromPath[uuid.UUID],
    ) -> ImportJob:
        return await imports.confirm(principal, job_id, request_language(request))

    @get("/{job_id:uuid}", summary="An import's report, progress and outcome", responses=problem_responses(401, 404))
    async def status(
        self,
        request: Request[Any, Any, Any],
        imports: NamedDependency[ImportService],
        principal: NamedDependency[Principal],
        job_id: FromPath[uuid.UUID],
    ) -> ImportJob:
        return await imports.status(principal, job_id, request_language(request))

    @get(
        "/template",
        summary="An empty households file with the accepted columns and one example row",
        media_type=MEDIA_TYPES["xlsx"],
        operation_class=success_media_types(*MEDIA_TYPES.values()),
        responses=problem_responses(400, 401),
    )
    async def template(
        self, request: Request[Any, Any, Any], principal: NamedDependency[Principal], format: FormatQuery = "xlsx"
    ) -> Response[bytes]:
        return _attachment(template_file(format, request_language(request)), format, "mau-nhap-ho-gia-dinh")


class ExportController(Controller):
    path = "/api/v1/registry/exports"
    tags = ["registry"]
    dependencies = {
        "exports": Provide(provide_exports, sync_to_thread=False),
        "principal": Provide(require_principal),
    }

    @get(
        "/residents",
        summary="Residents you may see, with their household, as XLSX or CSV (the import layout)",
        media_type=MEDIA_TYPES["xlsx"],
        operation_class=success_media_types(*MEDIA_TYPES.values()),
        responses=problem_responses(400, 401, 404),
    )
    async def residents(
        self,
        request: Request[Any, Any, Any],
        exports: NamedDependency[ExportService],
        principal: NamedDependency[Principal],
        format: FormatQuery = "xlsx",
        unit: UnitFilter = None,
        sensitive: SensitiveQuery = False,
    ) -> Response[bytes]:
        content = await exports.residents(principal, unit, format, sensitive, request_language(request))
        return _attachment(content, format, "dan-cu")


class DataSubjectController(Controller):
    path = "/api/v1/residents"
    tags = ["registry"]
    dependencies = {
        "rights": Provide(provide_rights, sync_to_thread=False),
        "principal": Provide(require_principal),
    }

    @get(
        "/{resident_id:uuid}/personal-data",
        summary="Everything held about one resident (commune officer of their unit; audited)",
        responses=problem_responses(401, 404),
    )
    async def personal_data(
        self,
        rights: NamedDependency[RightsService],
        principal: NamedDependency[Principal],
        resident_id: FromPath[uuid.UUID],
    ) -> PersonalData:
        return await rights.personal_data(principal, resident_id)

    @post(
        "/{resident_id:uuid}/erasure",
        summary="Erase a resident by anonymisation, keeping counts (commune officer of their unit; audited)",
        status_code=200,
        responses=problem_responses(401, 404),
    )
    async def erase(
        self,
        rights: NamedDependency[RightsService],
        principal: NamedDependency[Principal],
        resident_id: FromPath[uuid.UUID],
    ) -> Erasure:
        return await rights.erase(principal, resident_id)


TRANSFER_CONTROLLERS = [ImportController, ExportController, DataSubjectController]
