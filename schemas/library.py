"""The community library (thư viện số) as the API shows it: documents with their legal metadata, the
passages their text is split into (each with a precise locator such as "Điều 5, khoản 2"), search hits
and the offline packs cadres pin by category.

Documents go through draft -> review -> published -> archived; only published ones are visible outside
the editing unit, to anyone (audience public), to staff, or to the staff of one unit and its levels.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

DocumentKind = Literal["law", "decree", "guidance", "guide", "template", "qa", "news"]
# Legal status of the text itself (what replaces or amends it is linked).
LegalStatus = Literal["in_force", "amended", "replaced", "expired"]
# Publishing workflow state.
DocumentState = Literal["draft", "review", "published", "archived"]
Audience = Literal["public", "staff", "unit"]
DocumentLanguage = Literal["vi", "en"]
CategorySlug = Annotated[str, msgspec.Meta(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$")]
Tag = Annotated[str, msgspec.Meta(min_length=1, max_length=60)]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
DocumentNumber = Annotated[str, msgspec.Meta(max_length=60)]
Issuer = Annotated[str, msgspec.Meta(max_length=200)]
Summary = Annotated[str, msgspec.Meta(max_length=4000)]
UnitCodeText = Annotated[str, msgspec.Meta(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9._-]+$")]
Version = Annotated[int, msgspec.Meta(ge=1)]
Note = Annotated[str, msgspec.Meta(max_length=1000)]


class DocumentCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A new document, created as a draft of `unit_code` (the unit whose staff edit and publish it)."""

    title: Title
    kind: DocumentKind
    unit_code: UnitCodeText
    number: DocumentNumber = ""
    issuer: Issuer = ""
    issued_on: date | None = None
    effective_on: date | None = None
    status: LegalStatus = "in_force"
    amended_by: list[uuid.UUID] = msgspec.field(default_factory=list)
    replaced_by: uuid.UUID | None = None
    categories: list[CategorySlug] = msgspec.field(default_factory=list)
    tags: list[Tag] = msgspec.field(default_factory=list)
    audience: Audience = "public"
    # For audience "unit": the unit whose staff (and the staff of the levels above and below) may read it.
    audience_unit_code: UnitCodeText | None = None
    language: DocumentLanguage = "vi"
    summary: Summary = ""


class DocumentUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Fields to change; `version` is the one last read (else 409). The previous state is kept as a version."""

    version: Version
    title: Title | msgspec.UnsetType = msgspec.UNSET
    kind: DocumentKind | msgspec.UnsetType = msgspec.UNSET
    number: DocumentNumber | msgspec.UnsetType = msgspec.UNSET
    issuer: Issuer | msgspec.UnsetType = msgspec.UNSET
    issued_on: date | msgspec.UnsetType | None = msgspec.UNSET
    effective_on: date | msgspec.UnsetType | None = msgspec.UNSET
    status: LegalStatus | msgspec.UnsetType = msgspec.UNSET
    amended_by: list[uuid.UUID] | msgspec.UnsetType = msgspec.UNSET
    replaced_by: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET
    categories: list[CategorySlug] | msgspec.UnsetType = msgspec.UNSET
    tags: list[Tag] | msgspec.UnsetType = msgspec.UNSET
    audience: Audience | msgspec.UnsetType = msgspec.UNSET
    audience_unit_code: UnitCodeText | msgspec.UnsetType | None = msgspec.UNSET
    language: DocumentLanguage | msgspec.UnsetType = msgspec.UNSET
    summary: Summary | msgspec.UnsetType = msgspec.UNSET


class Transition(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Move a document along the publishing workflow (draft -> review -> published -> archived)."""

    to: DocumentState
    version: Version
    note: Note = ""


class FileInfo(msgspec.Struct, kw_only=True):
    filename: str
    media_type: str
    size_bytes: int
    sha256: str
    # False for a scanned PDF without a text layer: the document is found by its metadata only.
    has_text_layer: bool


class DocumentRead(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    title: str
    kind: DocumentKind
    number: str
    issuer: str
    issued_on: date | None
    effective_on: date | None
    status: LegalStatus
    amended_by: list[uuid.UUID]
    replaced_by: uuid.UUID | None
    categories: list[str]
    tags: list[str]
    audience: Audience
    audience_unit_code: str | None
    language: DocumentLanguage
    summary: str
    unit_code: str
    state: DocumentState
    version: int
    file: FileInfo | None
    passage_count: int
    updated_at: datetime
    published_at: datetime | None


class Passage(msgspec.Struct, kw_only=True):
    """One citable piece of a document: its place in the heading tree and a locator to quote."""

    ordinal: int
    heading_path: list[str]
    # "Điều 5, khoản 2" for legal texts, the section heading for guides; empty before the first heading.
    locator: str
    # Fragment id in the reader (`#dieu-5-khoan-2`), stable for a given text.
    anchor: str
    text: str


class DocumentDetail(msgspec.Struct, kw_only=True):
    document: DocumentRead
    passages: list[Passage]


class DocumentPage(msgspec.Struct, kw_only=True):
    items: list[DocumentRead]
    next_cursor: str | None = None


class DocumentVersion(msgspec.Struct, kw_only=True):
    version: int
    changed_by: str
    changed_at: datetime
    state: DocumentState
    title: str


class PassageHit(msgspec.Struct, kw_only=True):
    ordinal: int
    locator: str
    anchor: str
    heading_path: list[str]
    # HTML-escaped text around the match, query words wrapped in <mark>.
    snippet: str
    text: str


class SearchHit(msgspec.Struct, kw_only=True):
    document: DocumentRead
    # Why it ranks where it does: the number, the title, other metadata, or only passages matched.
    matched: Literal["number", "title", "metadata", "passage"]
    score: float
    title_snippet: str
    passages: list[PassageHit]


class SearchResult(msgspec.Struct, kw_only=True):
    query: str
    in_force_only: bool
    hits: list[SearchHit]


class Category(msgspec.Struct, kw_only=True):
    slug: str
    name: str
    document_count: int


class PackDocument(msgspec.Struct, kw_only=True):
    document: DocumentRead
    passages: list[Passage]
    # Folded title, number, tags and summary words: what the offline search matches on the phone.
    keywords: str


class Pack(msgspec.Struct, kw_only=True):
    """A category for offline reading. `version` is the category's change counter: send it back as
    `since` to receive only what changed (and `removed` ids), or as If-None-Match to get 304."""

    category: str
    name: str
    version: int
    complete: bool
    documents: list[PackDocument]
    removed: list[uuid.UUID]


class ImportReport(msgspec.Struct, kw_only=True):
    created: int
    updated: int
    unchanged: int
    files: list[str]
