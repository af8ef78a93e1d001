"""/api/v1/library: documents (public ones readable without signing in), their files, the publishing
workflow, search, categories and offline packs. Thin: parse, call LibraryService, answer."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from litestar import Controller, Request, Response, get, patch, post, put
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, JSONBody, QueryParameter

from backend.features.identity.auth import optional_principal, require_principal
from backend.features.library import repo
from backend.features.library.extract import MEDIA_TYPES
from backend.features.library.search import SearchParams, search
from backend.features.library.service import LibraryService
from backend.features.library.upload import spooled
from backend.lib.access import Principal
from backend.lib.errors import problem_responses, request_language
from backend.lib.openapi import success_media_types
from backend.lib.pagination import DEFAULT_PAGE_SIZE, PageCursor, PageLimit
from schemas.library import (
    Category,
    DocumentCreate,
    DocumentDetail,
    DocumentKind,
    DocumentPage,
    DocumentRead,
    DocumentUpdate,
    DocumentVersion,
    LegalStatus,
    Pack,
    SearchResult,
    Transition,
)

KindFilter = Annotated[DocumentKind | None, QueryParameter(description="Only documents of this kind.")]
StatusFilter = Annotated[LegalStatus | None, QueryParameter(description="Only documents with this legal status.")]
CategoryFilter = Annotated[str | None, QueryParameter(max_length=40, description="Only documents in this category.")]
IssuedFrom = Annotated[date | None, QueryParameter(description="Issued on or after this date.")]
IssuedTo = Annotated[date | None, QueryParameter(description="Issued on or before this date.")]
IssuerFilter = Annotated[
    str | None, QueryParameter(max_length=200, description="Issuing body contains this (diacritics ignored).")
]
InForceOnly = Annotated[
    bool, QueryParameter(description="Hide laws, decrees and guidance that were replaced or expired (default).")
]
SearchText = Annotated[
    str,
    QueryParameter(
        min_length=1,
        max_length=300,
        description='Words (diacritics and case ignored, each a word prefix), "quoted phrases", or a number '
        "such as 97/2025/QH15.",
    ),
]
HitLimit = Annotated[int, QueryParameter(ge=1, le=50, description="Documents to return (1-50).")]
ExpectedVersion = Annotated[int, QueryParameter(ge=1, description="The version last read (else 409).")]
FileName = Annotated[
    str, QueryParameter(min_length=1, max_length=255, description="The file's name; its extension gives the format.")
]
Since = Annotated[int, QueryParameter(ge=0, description="The pack version the device holds (0: everything).")]
Drafts = Annotated[bool, QueryParameter(description="Also drafts and documents in review of units you edit.")]


def provide_library(state: State) -> LibraryService:
    return LibraryService(state.settings, state.clock)


# Reading routes take an optional principal (public documents need no sign-in); editing routes require one.
READER = {"principal": Provide(optional_principal)}
EDITOR = {"principal": Provide(require_principal)}


class LibraryController(Controller):
    path = "/api/v1/library"
    tags = ["library"]
    dependencies = {"library": Provide(provide_library, sync_to_thread=False)}

    @get(
        "/documents",
        summary="Browse the documents you may read",
        responses=problem_responses(400),
        dependencies=READER,
    )
    async def list_documents(
        self,
        library: NamedDependency[LibraryService],
        principal: NamedDependency[Principal | None],
        kind: KindFilter = None,
        status: StatusFilter = None,
        category: CategoryFilter = None,
        drafts: Drafts = False,
        cursor: PageCursor = None,
        limit: PageLimit = DEFAULT_PAGE_SIZE,
    ) -> DocumentPage:
        filters = repo.Filters(kind=kind, status=status, category=category)
        return await library.list_documents(principal, filters, cursor, limit, drafts=drafts)

    @get(
        "/documents/{document_id:uuid}",
        summary="A document with its passages",
        responses=problem_responses(404),
        dependencies=READER,
    )
    async def get_document(
        self,
        library: NamedDependency[LibraryService],
        principal: NamedDependency[Principal | None],
        document_id: FromPath[uuid.UUID],
    ) -> DocumentDetail:
        return await library.get_document(principal, document_id)

    @get(
        "/documents/{document_id:uuid}/file",
        summary="Download the original file, as its own type (PDF, DOCX, HTML, Markdown or text)",
        responses=problem_responses(404),
        operation_class=success_media_types(*sorted(set(MEDIA_TYPES.values()))),
        dependencies=READER,
    )
    async def download(
        self,
        library: NamedDependency[LibraryService],
        principal: NamedDependency[Principal | None],
        document_id: FromPath[uuid.UUID],
    ) -> Response[bytes]:
        file = await library.download(principal, document_id)
        return Response(
            bytes(file["content"]),
            media_type=file["media_type"],
            headers={
                # Always a download, never rendered in the platform's origin.
                "Content-Disposition": f"attachment; filename*=UTF-8''{_quote(file['filename'])}",
                "X-Content-Type-Options": "nosniff",
                "Content-Security-Policy": "sandbox",
                "ETag": f'"{file["sha256"]}"',
            },
        )

    @get(
        "/search",
        summary="Search titles, metadata and passages",
        responses=problem_responses(400),
        dependencies=READER,
    )
    async def search(
        self,
        principal: NamedDependency[Principal | None],
        q: SearchText,
        kind: KindFilter = None,
        status: StatusFilter = None,
        category: CategoryFilter = None,
        issued_from: IssuedFrom = None,
        issued_to: IssuedTo = None,
        issuer: IssuerFilter = None,
        in_force_only: InForceOnly = True,
        limit: HitLimit = 20,
    ) -> SearchResult:
        params = SearchParams(
            q=q, kind=kind, status=status, category=category, issued_from=issued_from, issued_to=issued_to,
            issuer=issuer, in_force_only=in_force_only, limit=limit,
        )  # fmt: skip
        return await search(principal, params)

    @get("/categories", summary="Categories with the number of documents you may read", dependencies=READER)
    async def categories(
        self,
        request: Request[Any, Any, Any],
        library: NamedDependency[LibraryService],
        principal: NamedDependency[Principal | None],
    ) -> list[Category]:
        return await library.categories(principal, request_language(request))

    @get(
        "/packs/{category:str}",
        summary="A category for offline reading (ETag; `since` for a delta; 304 when unchanged)",
        responses={
            **problem_responses(400, 404),
            304: ResponseSpec(data_container=None, description="Unchanged since the pack whose ETag was sent"),
        },
        dependencies=READER,
    )
    async def pack(
        self,
        request: Request[Any, Any, Any],
        library: NamedDependency[LibraryService],
        principal: NamedDependency[Principal | None],
        category: FromPath[str],
        since: Since = 0,
    ) -> Response[Pack | bytes]:
        etag = await library.pack_version(principal, category)
        headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
        if request.headers.get("if-none-match") == etag:
            return Response(b"", status_code=304, headers=headers)
        pack = await library.pack(principal, category, since, request_language(request))
        return Response(pack, headers=headers)

    @post(
        "/documents",
        summary="Create a draft document",
        responses=problem_responses(400, 401, 404),
        dependencies=EDITOR,
    )
    async def create(
        self,
        library: NamedDependency[LibraryService],
        principal: NamedDependency[Principal],
        data: JSONBody[DocumentCreate],
    ) -> DocumentRead:
        return await library.create_document(principal, data)

    @patch(
        "/documents/{document_id:uuid}",
        dependencies=EDITOR,
        summary="Change a document's metadata (the previous one is kept)",
        responses=problem_responses(400, 401, 404, 409),
    )
    async def update(
        self,
        library: NamedDependency[LibraryService],
        principal: NamedDependency[Principal],
        document_id: FromPath[uuid.UUID],
        data: JSONBody[DocumentUpdate],
    ) -> DocumentRead:
        return await library.update_document(principal, document_id, data)

    @put(
        "/documents/{document_id:uuid}/file",
        dependencies=EDITOR,
        summary="Upload the document's file (the raw body: PDF, DOCX, HTML, Markdown or text)",
        description="The body is streamed to disk and refused with 413 past MATTRAN_LIBRARY_UPLOAD_MAX_BYTES. "
        "The text is extracted and split into passages; the file is kept for download.",
        responses=problem_responses(400, 401, 404, 409, 413),
    )
    async def upload(
        self,
        request: Request[Any, Any, Any],
        library: NamedDependency[LibraryService],
        principal: NamedDependency[Principal],
        document_id: FromPath[uuid.UUID],
        filename: FileName,
        version: ExpectedVersion,
    ) -> DocumentRead:
        limit = library.settings.library_upload_max_bytes
        async with spooled(request.stream(), limit) as upload:
            return await library.upload_file(principal, document_id, version, filename, upload)

    @post(
        "/documents/{document_id:uuid}/transitions",
        dependencies=EDITOR,
        summary="Submit, publish, send back, archive or reopen a document",
        status_code=200,
        responses=problem_responses(400, 401, 404, 409),
    )
    async def transition(
        self,
        library: NamedDependency[LibraryService],
        principal: NamedDependency[Principal],
        document_id: FromPath[uuid.UUID],
        data: JSONBody[Transition],
    ) -> DocumentRead:
        return await library.transition(principal, document_id, data)

    @get(
        "/documents/{document_id:uuid}/versions",
        dependencies=EDITOR,
        summary="The kept versions of a document (editors)",
        responses=problem_responses(401, 404),
    )
    async def versions(
        self,
        library: NamedDependency[LibraryService],
        principal: NamedDependency[Principal],
        document_id: FromPath[uuid.UUID],
    ) -> list[DocumentVersion]:
        return await library.versions(principal, document_id)


def _quote(filename: str) -> str:
    return quote(filename, safe="")


LIBRARY_CONTROLLERS = [LibraryController]
