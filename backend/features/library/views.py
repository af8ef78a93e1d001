"""Rows -> schema Structs, and the reader (visibility) of a principal."""

from __future__ import annotations

from typing import Any

from backend.features.library.repo import Reader
from backend.lib.access import Permission, Principal
from schemas.library import DocumentRead, FileInfo, Passage


def reader_of(principal: Principal | None) -> Reader:
    """Anyone without a sign-in (or a citizen) reads public documents; staff are whoever holds read somewhere."""
    if principal is None:
        return Reader(is_staff=False, read_paths=[], write_paths=[])
    read_paths = principal.scope_paths(Permission.read)
    return Reader(is_staff=bool(read_paths), read_paths=read_paths, write_paths=principal.scope_paths(Permission.write))


def document_read(row: Any) -> DocumentRead:
    file = None
    if row["file_filename"] is not None:
        file = FileInfo(
            filename=row["file_filename"],
            media_type=row["file_media_type"],
            size_bytes=row["file_size_bytes"],
            sha256=row["file_sha256"],
            has_text_layer=row["file_has_text_layer"],
        )
    return DocumentRead(
        id=row["id"],
        title=row["title"],
        kind=row["kind"],
        number=row["number"],
        issuer=row["issuer"],
        issued_on=row["issued_on"],
        effective_on=row["effective_on"],
        status=row["status"],
        amended_by=list(row["amended_by"]),
        replaced_by=row["replaced_by"],
        categories=list(row["categories"]),
        tags=list(row["tags"]),
        audience=row["audience"],
        audience_unit_code=row["audience_unit_code"],
        language=row["language"],
        summary=row["summary"],
        unit_code=row["unit_code"],
        state=row["state"],
        version=row["version"],
        file=file,
        passage_count=row["passage_count"],
        updated_at=row["updated_at"],
        published_at=row["published_at"],
    )


def passage_read(row: Any) -> Passage:
    return Passage(
        ordinal=row["ordinal"],
        heading_path=list(row["heading_path"]),
        locator=row["locator"],
        anchor=row["anchor"],
        text=row["body"],
    )
