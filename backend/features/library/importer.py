"""Documents from a folder (`mattran library import FOLDER`, and the demo content): every file of a
supported format becomes a published document of the given unit; importing again updates only what
changed (idempotent on the file's path and content).

Metadata comes from a front matter block at the top of a Markdown file, or for other formats from a
sidecar `<file>.meta` with the same `key: value` lines:

    ---
    title: Quy chế tiếp nhận phản ánh (mẫu)
    kind: guidance
    number: 02/2026/QC-MTTQ-MAU
    categories: petitions, front_law
    replaces: quy-che-tiep-nhan-2024      (the stem of another file of the folder)
    ---
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import msgspec

from backend import db
from backend.features.library import repo
from backend.features.library.extract import MEDIA_TYPES
from backend.features.library.service import LibraryService
from backend.features.library.upload import spooled
from backend.lib.errors import AppError
from backend.lib.i18n import translate
from schemas.library import DocumentCreate, DocumentState, DocumentUpdate, ImportReport, Transition

IMPORT_ACTOR = "import"
LIST_FIELDS = frozenset({"categories", "tags"})
CREATE_FIELDS = frozenset(field.name for field in msgspec.structs.fields(DocumentCreate))


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """(metadata, body) of a file that may start with a `---` block of `key: value` lines."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---" or "---" not in (line.strip() for line in lines[1:]):
        return {}, text
    end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() == "---")
    return parse_metadata("\n".join(lines[1:end])), "\n".join(lines[end + 1 :]).lstrip("\n")


def parse_metadata(text: str) -> dict[str, Any]:
    metadata: dict[str, Any] = {}
    for line in text.splitlines():
        key, separator, value = line.partition(":")
        if not separator or not key.strip():
            continue
        name, value = key.strip(), value.strip()
        metadata[name] = [part.strip() for part in value.split(",") if part.strip()] if name in LIST_FIELDS else value
    return metadata


async def _chunks(content: bytes) -> AsyncIterator[bytes]:
    yield content


class FolderImport:
    def __init__(self, service: LibraryService, unit_code: str, key_prefix: str) -> None:
        self.service = service
        self.unit_code = unit_code
        self.key_prefix = key_prefix
        self.report = ImportReport(created=0, updated=0, unchanged=0, files=[])
        self.ids: dict[str, uuid.UUID] = {}
        self.replaces: dict[str, str] = {}

    def _read(self, path: Path) -> tuple[dict[str, Any], bytes]:
        raw = path.read_bytes()
        if path.suffix.lower() == ".md":
            metadata, body = split_front_matter(raw.decode("utf-8-sig"))
            return metadata, body.encode()
        sidecar = path.with_name(path.name + ".meta")
        return (parse_metadata(sidecar.read_text("utf-8")) if sidecar.exists() else {}), raw

    async def file(self, path: Path) -> str:
        """Import one file: "created", "updated" or "unchanged"."""
        metadata, content = await asyncio.to_thread(self._read, path)
        if metadata.get("replaces"):
            self.replaces[path.stem] = metadata["replaces"]
        fields = {k: v for k, v in metadata.items() if k in CREATE_FIELDS} | {"unit_code": self.unit_code}
        fields.setdefault("title", path.stem.replace("-", " ").replace("_", " "))
        fields.setdefault("kind", "guide")
        data = msgspec.convert(fields, DocumentCreate, strict=False)
        source_key = f"{self.key_prefix}:{path.name}"[:200]
        # Metadata and content together: a change to either is imported again.
        fingerprint = hashlib.sha256(msgspec.json.encode(fields) + content).hexdigest()
        async with db.transaction():
            existing = await repo.document_by_source(source_key)
            if existing is not None and existing["source_fingerprint"] == fingerprint:
                self.ids[path.stem] = existing["id"]
                return "unchanged"
            if existing is not None:
                update = msgspec.convert(
                    {k: v for k, v in msgspec.structs.asdict(data).items() if k != "unit_code"}
                    | {"version": existing["version"]},
                    DocumentUpdate,
                )
                document = await self.service.update_document(IMPORT_ACTOR, existing["id"], update)
            else:
                document = await self.service.create_document(IMPORT_ACTOR, data, source_key=source_key)
            limit = self.service.settings.library_upload_max_bytes
            async with spooled(_chunks(content), limit) as upload:
                document = await self.service.upload_file(IMPORT_ACTOR, document.id, None, path.name, upload)
            steps: tuple[DocumentState, ...] = ("review", "published") if document.state != "published" else ()
            for state in steps:
                transition = Transition(to=state, version=document.version)
                document = await self.service.transition(IMPORT_ACTOR, document.id, transition)
            await repo.set_source_fingerprint(document.id, fingerprint)
        self.ids[path.stem] = document.id
        return "created" if existing is None else "updated"

    async def link_replacements(self) -> None:
        for newer, older in self.replaces.items():
            if older not in self.ids or newer not in self.ids:
                continue
            async with db.transaction():
                row = await repo.lock_document(self.ids[older])
                if row is None or row["replaced_by"] == self.ids[newer]:
                    continue
                update = DocumentUpdate(version=row["version"], status="replaced", replaced_by=self.ids[newer])
                await self.service.update_document(IMPORT_ACTOR, row["id"], update)


def supported_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in MEDIA_TYPES)


async def import_folder(service: LibraryService, folder: Path, unit_code: str, key_prefix: str) -> ImportReport:
    """Import every supported file of folder (not recursive), published, owned by unit_code."""
    job = FolderImport(service, unit_code, key_prefix)
    files = await asyncio.to_thread(supported_files, folder)
    for path in files:
        try:
            outcome = await job.file(path)
        except AppError as error:
            reason = translate(error.detail_key or error.title_key, "vi", **error.params)
            job.report.files.append(f"{path.name}: {reason}")
            continue
        except msgspec.ValidationError as error:
            job.report.files.append(f"{path.name}: {error}")
            continue
        setattr(job.report, outcome, getattr(job.report, outcome) + 1)
        job.report.files.append(path.name)
    await job.link_replacements()
    return job.report
