"""Library tables: documents (with legal metadata and workflow state), their kept versions, original
files, the passages their text is split into, pack removals (for offline deltas) and term statistics.

The tables, generated tsvector columns, checks and indexes are created by the raw-SQL migration; these
classes describe them for piccolo. Search keys are folded in Python (backend/lib/text) and matched with
core `simple` full-text search.
"""

from piccolo.columns import (
    JSONB,
    UUID,
    Array,
    BigInt,
    BigSerial,
    Boolean,
    Bytea,
    Date,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from backend.features.units.tables import Unit


class Document(Table, tablename="library_documents"):
    id = UUID(primary_key=True)
    title = Text()
    title_folded = Text()
    kind = Varchar(length=20)
    number = Varchar(length=60, default="")  # số ký hiệu, e.g. 97/2025/QH15
    number_folded = Varchar(length=120, default="")
    issuer = Varchar(length=200, default="")
    issuer_folded = Varchar(length=200, default="")
    issued_on = Date(null=True, default=None)
    effective_on = Date(null=True, default=None)
    status = Varchar(length=10, default="in_force")
    amended_by = Array(UUID(), default=list)
    replaced_by = UUID(null=True, default=None)
    categories = Array(Varchar(length=40), default=list)
    tags = Array(Varchar(length=60), default=list)
    audience = Varchar(length=10, default="public")
    audience_unit_code = ForeignKey(Unit, null=True, on_delete=OnDelete.restrict)
    audience_unit_path = Varchar(length=255, null=True, default=None)
    language = Varchar(length=5, default="vi")
    summary = Text(default="")
    unit_code = ForeignKey(Unit, null=False, on_delete=OnDelete.restrict)
    unit_path = Varchar(length=255)
    state = Varchar(length=10, default="draft")
    version = Integer(default=1)
    change_seq = BigInt()
    passage_count = Integer(default=0)
    meta_folded = Text(default="")
    # Where an imported document came from (folder import is idempotent on it).
    source_key = Varchar(length=200, null=True, default=None, unique=True)
    source_fingerprint = Varchar(length=64, null=True, default=None)
    created_by = Varchar(length=100)
    created_at = Timestamptz()
    updated_by = Varchar(length=100)
    updated_at = Timestamptz()
    published_at = Timestamptz(null=True, default=None)


class DocumentVersion(Table, tablename="library_document_versions"):
    id = BigSerial(primary_key=True)
    document_id = ForeignKey(Document, on_delete=OnDelete.cascade)
    version = Integer()
    snapshot = JSONB()
    changed_by = Varchar(length=100)
    changed_at = Timestamptz()


class DocumentFile(Table, tablename="library_files"):
    id = UUID(primary_key=True)
    document_id = ForeignKey(Document, on_delete=OnDelete.cascade)
    document_version = Integer()
    filename = Varchar(length=255)
    media_type = Varchar(length=100)
    size_bytes = BigInt()
    sha256 = Varchar(length=64)
    has_text_layer = Boolean()
    content = Bytea()
    uploaded_by = Varchar(length=100)
    uploaded_at = Timestamptz()


class Passage(Table, tablename="library_passages"):
    id = BigSerial(primary_key=True)
    document_id = ForeignKey(Document, on_delete=OnDelete.cascade)
    ordinal = Integer()
    heading_path = Array(Text(), default=list)
    locator = Text(default="")
    anchor = Varchar(length=200, default="")
    body = Text()
    folded = Text()


class PackRemoval(Table, tablename="library_pack_removals"):
    id = BigSerial(primary_key=True)
    category = Varchar(length=40)
    document_id = UUID()
    change_seq = BigInt()


class Term(Table, tablename="library_terms"):
    """How many stored passages and documents hold a folded word (kept by triggers on library_passages)."""

    term = Text(primary_key=True)
    passages = Integer()
    documents = Integer()


class TermTotals(Table, tablename="library_term_totals"):
    """The one row of totals: stored passages, and documents that have passages."""

    only_row = Boolean(primary_key=True, default=True)
    passages = BigInt()
    documents = BigInt()
