"""Library use cases: one transaction each, the audit entry inside it.

Staff who may write in a unit create and edit its documents and submit them for review; approvers of the
unit publish, send back, archive and reopen them (rules.TRANSITIONS). Every edit keeps the previous
metadata as a version and takes a new change number, which is what offline packs compare.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from pathlib import Path
from typing import Any

import msgspec

from backend import db
from backend.features.audit.service import AuditEvent, record
from backend.features.library import extract, repo, rules
from backend.features.library.passages import split
from backend.features.library.upload import SpooledUpload
from backend.features.library.views import document_read, passage_read, reader_of
from backend.features.units import repo as units_repo
from backend.lib.access import Permission, Principal
from backend.lib.clock import Clock
from backend.lib.errors import ConflictError, InvalidInputError, NotFoundError
from backend.lib.i18n import Language, translate
from backend.lib.pagination import decode_cursor, encode_cursor
from backend.lib.text import fold
from backend.settings import Settings
from schemas.common import FieldError
from schemas.library import (
    Category,
    DocumentCreate,
    DocumentDetail,
    DocumentPage,
    DocumentRead,
    DocumentUpdate,
    DocumentVersion,
    Pack,
    PackDocument,
    Transition,
)

# Metadata kept in a version snapshot (the text lives in passages and files).
SNAPSHOT_FIELDS = (
    "title", "kind", "number", "issuer", "issued_on", "effective_on", "status", "amended_by", "replaced_by",
    "categories", "tags", "audience", "audience_unit_code", "language", "summary", "state",
)  # fmt: skip


# Who acts: a principal (checked against the document's unit), or the name of an operator's command run on
# the server itself (the folder import, "import"), which is not bound to any unit.
Caller = Principal | str


def _not_found() -> NotFoundError:
    return NotFoundError("problem.library.document_not_found")


def _actor(caller: Caller) -> str:
    return caller if isinstance(caller, str) else caller.actor


class LibraryService:
    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock

    async def _audit(self, caller: Caller, action: str, row: Any, **details: Any) -> None:
        event = AuditEvent(
            action=action,
            actor=_actor(caller),
            subject_type="library_document",
            subject_id=str(row["id"]),
            unit_path=row["unit_path"],
            details=details,
        )
        await record(event, self.clock.now())

    async def _unit(self, caller: Caller | None, unit_code: str) -> Any:
        """A current unit; the caller (when given) must be allowed to write in it."""
        unit = await units_repo.get_unit(unit_code)
        if unit is None or unit["valid_to"] is not None:
            raise NotFoundError("problem.unit_not_found.detail", code=unit_code)
        if isinstance(caller, Principal):
            caller.require(Permission.write, unit["path"])
        return unit

    async def _locked(self, caller: Caller, document_id: uuid.UUID, permission: Permission, version: int | None) -> Any:
        """The document, locked, when the caller holds permission on its unit (else 404) and, when a version
        is given, it is still the current one (else 409)."""
        row = await repo.lock_document(document_id)
        if row is None or (isinstance(caller, Principal) and not caller.may(permission, row["unit_path"])):
            raise _not_found()
        if version is not None and row["version"] != version:
            raise ConflictError("problem.library.stale_version", sent=version, current=row["version"])
        return row

    async def _links(self, fields: dict[str, Any]) -> None:
        linked = [*fields.get("amended_by", []), *([fields["replaced_by"]] if fields.get("replaced_by") else [])]
        missing = set(linked) - await repo.existing_ids(linked)
        if missing:
            raise InvalidInputError(
                "problem.library.unknown_link",
                errors=[FieldError(field="replaced_by", message=", ".join(map(str, missing)), source="body")],
            )
        if fields.get("replaced_by") and fields.get("status") != "replaced":
            raise InvalidInputError(
                "problem.library.replaced_needs_status",
                errors=[FieldError(field="status", message="replaced", source="body")],
            )

    async def _derived(self, fields: dict[str, Any]) -> dict[str, Any]:
        """Folded search keys, checked categories and the audience unit's path, from the metadata fields."""
        fields["categories"] = rules.check_categories(fields.get("categories", []))
        fields["title_folded"] = fold(fields["title"])
        fields["number_folded"] = rules.number_key(fields.get("number", ""))
        fields["issuer_folded"] = fold(fields.get("issuer", ""))
        fields["meta_folded"] = rules.meta_folded(
            fields["title"], fields.get("number", ""), fields.get("issuer", ""), fields.get("summary", ""),
            fields.get("tags", []),
        )  # fmt: skip
        if fields.get("audience") == "unit":
            code = fields.get("audience_unit_code")
            if not code:
                raise InvalidInputError(
                    "problem.library.audience_unit_missing",
                    errors=[FieldError(field="audience_unit_code", message="required", source="body")],
                )
            fields["audience_unit_path"] = (await self._unit(None, code))["path"]
        else:
            fields["audience_unit_code"] = fields["audience_unit_path"] = None
        await self._links(fields)
        return fields

    # writing

    async def create_document(
        self, caller: Caller, data: DocumentCreate, source_key: str | None = None
    ) -> DocumentRead:
        """A new draft of data.unit_code (source_key: where the folder import found it)."""
        now = self.clock.now()
        actor = _actor(caller)
        async with db.transaction():
            unit = await self._unit(caller, data.unit_code)
            fields = await self._derived(msgspec.structs.asdict(data))
            document_id = uuid.uuid4()
            values = {
                "id": document_id,
                **fields,
                "unit_code": unit["code"],
                "unit_path": unit["path"],
                "source_key": source_key,
                "created_by": actor,
                "created_at": now,
                "updated_by": actor,
                "updated_at": now,
            }
            await repo.insert_document(values)
            await self._audit(actor, "library.document.created", values, title=data.title)
            return await self._read(document_id)

    async def update_document(self, caller: Caller, document_id: uuid.UUID, data: DocumentUpdate) -> DocumentRead:
        actor = _actor(caller)
        async with db.transaction():
            row = await self._locked(caller, document_id, Permission.write, data.version)
            sent = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET and k != "version"}
            fields = {name: row[name] for name in SNAPSHOT_FIELDS if name != "state"}
            fields["amended_by"] = list(fields["amended_by"])
            fields["categories"] = list(fields["categories"])
            fields["tags"] = list(fields["tags"])
            fields.update(sent)
            fields = await self._derived(fields)
            await self._new_version(row, actor)
            if row["state"] == "published":
                left = set(row["categories"]) - set(fields["categories"])
                # A new audience may hide the document from readers whose packs hold it: removed from all its
                # categories, for them; a reader who still sees it gets it back in the same delta (documents
                # changed after `since` win over removals).
                if (row["audience"], row["audience_unit_path"]) != (fields["audience"], fields["audience_unit_path"]):
                    left = set(row["categories"])
                await repo.record_removals(document_id, sorted(left))
            await repo.update_document(document_id, fields | {"version": row["version"] + 1} | self._stamp(actor))
            await self._audit(actor, "library.document.updated", row, fields=sorted(sent))
            return await self._read(document_id)

    def _stamp(self, actor: str) -> dict[str, Any]:
        return {"updated_by": actor, "updated_at": self.clock.now()}

    async def _new_version(self, row: Any, actor: str) -> None:
        snapshot = {name: row[name] for name in SNAPSHOT_FIELDS}
        await repo.keep_version(row["id"], row["version"], snapshot, actor, self.clock.now())

    async def upload_file(
        self,
        caller: Caller,
        document_id: uuid.UUID,
        version: int | None,
        filename: str,
        upload: SpooledUpload,
    ) -> DocumentRead:
        """The document's text replaced by the file's: extracted, split into passages, the file kept."""
        media_type = extract.media_type_of(filename)
        # Parsing is CPU and disk work: off the event loop.
        extracted, stored = await asyncio.to_thread(self._extract, upload.path, media_type)
        passages = split(extracted.blocks)
        actor = _actor(caller)
        async with db.transaction():
            row = await self._locked(caller, document_id, Permission.write, version)
            await self._new_version(row, actor)
            new_version = row["version"] + 1
            await repo.insert_file(
                {
                    "id": uuid.uuid4(),
                    "document_id": document_id,
                    "document_version": new_version,
                    "filename": Path(filename).name[:255],
                    "media_type": media_type,
                    "size_bytes": len(stored),
                    "sha256": upload.sha256,
                    "has_text_layer": extracted.has_text_layer,
                    "content": stored,
                    "uploaded_by": actor,
                    "uploaded_at": self.clock.now(),
                }
            )
            await repo.replace_passages(document_id, passages)
            await repo.update_document(
                document_id, {"version": new_version, "passage_count": len(passages)} | self._stamp(actor)
            )
            await self._audit(
                actor, "library.document.file_uploaded", row, filename=filename, size=upload.size,
                passages=len(passages), has_text_layer=extracted.has_text_layer,
            )  # fmt: skip
            return await self._read(document_id)

    def _extract(self, path: Path, media_type: str) -> tuple[extract.Extracted, bytes]:
        extracted = extract.extract(path, media_type, self.settings.library_docx_max_uncompressed_bytes)
        stored = extracted.stored if isinstance(extracted.stored, bytes) else Path(extracted.stored).read_bytes()
        return extracted, stored

    async def transition(self, caller: Caller, document_id: uuid.UUID, data: Transition) -> DocumentRead:
        """Move along the workflow, if the caller holds the move's permission on the document's unit."""
        actor = _actor(caller)
        async with db.transaction():
            row = await self._locked(caller, document_id, Permission.read, data.version)
            permission = rules.transition_permission(row["state"], data.to)
            if isinstance(caller, Principal):
                caller.require(permission, row["unit_path"])
            await self._new_version(row, actor)
            values: dict[str, Any] = {"state": data.to, "version": row["version"] + 1} | self._stamp(actor)
            if data.to == "published":
                values["published_at"] = self.clock.now()
            if row["state"] == "published":
                await repo.record_removals(document_id, list(row["categories"]))
            await repo.update_document(document_id, values)
            await self._audit(
                actor, "library.document.transition", row, source=row["state"], target=data.to, note=data.note
            )
            return await self._read(document_id)

    async def _read(self, document_id: uuid.UUID) -> DocumentRead:
        row = await repo.get_documents([document_id])
        return document_read(row[0])

    # reading

    async def get_document(self, principal: Principal | None, document_id: uuid.UUID) -> DocumentDetail:
        async with db.transaction():
            row = await repo.get_document(document_id, reader_of(principal))
            if row is None:
                raise _not_found()
            passages = await repo.passages_of([document_id])
        return DocumentDetail(document=document_read(row), passages=[passage_read(p) for p in passages])

    async def versions(self, principal: Principal, document_id: uuid.UUID) -> list[DocumentVersion]:
        async with db.transaction():
            row = await repo.get_document(document_id, reader_of(principal))
            if row is None or not principal.may(Permission.write, row["unit_path"]):
                raise _not_found()
            rows = await repo.list_versions(document_id)
        return [
            DocumentVersion(
                version=r["version"],
                changed_by=r["changed_by"],
                changed_at=r["changed_at"],
                state=r["state"],
                title=r["title"],
            )
            for r in rows
        ]

    async def download(self, principal: Principal | None, document_id: uuid.UUID) -> Any:
        async with db.transaction():
            if await repo.get_document(document_id, reader_of(principal)) is None:
                raise _not_found()
            file = await repo.latest_file(document_id)
        if file is None:
            raise NotFoundError("problem.library.no_file")
        return file

    async def list_documents(
        self, principal: Principal | None, filters: repo.Filters, cursor: str | None, limit: int, drafts: bool = False
    ) -> DocumentPage:
        after = decode_cursor(cursor, tuple[str, str]) if cursor else None
        async with db.transaction():
            rows = await repo.list_documents(reader_of(principal), filters, after, limit, drafts)
        next_cursor = None
        if len(rows) > limit:
            last = rows[limit - 1]
            next_cursor = encode_cursor((last["title_folded"], str(last["id"])))
        return DocumentPage(items=[document_read(r) for r in rows[:limit]], next_cursor=next_cursor)

    async def categories(self, principal: Principal | None, language: Language) -> list[Category]:
        async with db.transaction():
            counts = await repo.category_counts(reader_of(principal))
        return [
            Category(slug=slug, name=translate(key, language), document_count=counts.get(slug, 0))
            for slug, key in rules.CATEGORIES.items()
        ]

    async def pack_version(self, principal: Principal | None, category: str) -> str:
        """The pack's entity tag for this reader: the category's change number and document count."""
        self._known_category(category)
        async with db.transaction():
            version, count = await repo.pack_version(category, reader_of(principal))
        return f'"{category}-{version}-{count}-{self._reader_key(principal)}"'

    @staticmethod
    def _reader_key(principal: Principal | None) -> str:
        """Readers with the same scopes see the same pack; others get another tag."""
        reader = reader_of(principal)
        if not reader.is_staff:
            return "public"
        return hashlib.sha256("\n".join(reader.read_paths).encode()).hexdigest()[:16]

    @staticmethod
    def _known_category(category: str) -> None:
        if category not in rules.CATEGORIES:
            raise NotFoundError("problem.library.unknown_category", known=", ".join(rules.CATEGORIES))

    async def pack(self, principal: Principal | None, category: str, since: int, language: Language) -> Pack:
        """The category's documents changed after `since` (0: all), with the ids that left it meanwhile."""
        self._known_category(category)
        reader = reader_of(principal)
        async with db.transaction():
            version, _ = await repo.pack_version(category, reader)
            rows = await repo.pack_documents(category, reader, since)
            passages = await repo.passages_of([row["id"] for row in rows])
            removed = await repo.pack_removals(category, since) if since else []
        by_document: dict[uuid.UUID, list[Any]] = {}
        for passage in passages:
            by_document.setdefault(passage["document_id"], []).append(passage_read(passage))
        present = {row["id"] for row in rows}
        return Pack(
            category=category,
            name=translate(rules.CATEGORIES[category], language),
            version=version,
            complete=since == 0,
            documents=[
                PackDocument(
                    document=document_read(row),
                    passages=by_document.get(row["id"], []),
                    keywords=" ".join(dict.fromkeys(row["meta_folded"].split())),
                )
                for row in rows
            ],
            removed=[document_id for document_id in removed if document_id not in present],
        )
