"""Attachments: what a file really is (its bytes, never its name), a public copy without EXIF, and storage.

Images are JPEG, PNG or WebP by magic number and must also decode fully with Pillow (a truncated or forged
file fails); their public copy is re-encoded from pixels, which drops EXIF (GPS included) and every other
metadata block, and scaled down to the configured longest side. PDFs are checked by magic number and
trailer, and served as they are (a PDF carries no camera GPS). The original is kept for staff only.
"""

from __future__ import annotations

import errno
import io
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from PIL import Image, ImageOps, UnidentifiedImageError

from backend.lib.errors import AppError, InvalidInputError

IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
PDF_TYPE = "application/pdf"
# A decompression bomb (a small file claiming a huge canvas) is refused before decoding it.
MAX_PIXELS = 40_000_000


class AttachmentTooLarge(AppError):
    status = 413
    slug = "attachment-too-large"
    title_key = "problem.too_large.title"


class UnsupportedAttachment(InvalidInputError):
    slug = "unsupported-attachment"


@dataclass(frozen=True)
class Checked:
    media_type: str
    public_copy: bytes
    width: int | None
    height: int | None


def sniff(content: bytes) -> str | None:
    """The media type the bytes start with, among those accepted."""
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    if content.startswith(b"%PDF-"):
        return PDF_TYPE
    return None


def check(content: bytes, max_bytes: int, max_side: int) -> Checked:
    """The checked file and its public copy; AttachmentTooLarge or UnsupportedAttachment otherwise."""
    if len(content) > max_bytes:
        raise AttachmentTooLarge("problem.petitions.attachment_too_large", limit=max_bytes)
    media_type = sniff(content)
    if media_type is None:
        raise UnsupportedAttachment("problem.petitions.attachment_type")
    if media_type == PDF_TYPE:
        if b"%%EOF" not in content[-1024:]:
            raise UnsupportedAttachment("problem.petitions.attachment_corrupt")
        return Checked(PDF_TYPE, content, None, None)
    return _checked_image(content, media_type, max_side)


def _checked_image(content: bytes, sniffed: str, max_side: int) -> Checked:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as probe:
                if IMAGE_TYPES.get(probe.format or "") != sniffed or probe.width * probe.height > MAX_PIXELS:
                    raise UnsupportedAttachment("problem.petitions.attachment_corrupt")
                probe.verify()  # checks the structure (and PNG checksums)
            with Image.open(io.BytesIO(content)) as image:
                image.load()  # decodes every pixel: a truncated file fails here
                upright = ImageOps.exif_transpose(image)
                upright.thumbnail((max_side, max_side))
                return Checked(sniffed, _encode(upright, sniffed), upright.width, upright.height)
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as error:
        raise UnsupportedAttachment("problem.petitions.attachment_corrupt") from error


def _encode(image: Image.Image, media_type: str) -> bytes:
    """Pixels only: no exif=, no icc/xmp info is passed on, so no metadata survives."""
    out = io.BytesIO()
    if media_type == "image/jpeg":
        image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    elif media_type == "image/png":
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "WEBP", quality=85)
    return out.getvalue()


class StorageFull(AppError):
    """The storage has no room left (ENOSPC, or the quota): the operator must free space; sending again later
    works."""

    status = 507
    slug = "insufficient-storage"
    title_key = "problem.storage_full.title"


class Storage(Protocol):
    """Where attachment bytes live, by key. Local disk by default; an S3-compatible one fits the same shape."""

    def put(self, key: str, content: bytes) -> None: ...

    def get(self, key: str) -> bytes | None: ...

    def discard(self, *keys: str) -> None: ...


class LocalStorage:
    """Files under one folder; writes go to a temporary name first, so a crash never leaves half a file."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        # Keys are made by the service (uuid/purpose), never by clients; refuse anything that climbs out.
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError(f"storage key outside the folder: {key!r}")
        return path

    def put(self, key: str, content: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(path.suffix + ".part")
        try:
            temporary.write_bytes(content)
            os.replace(temporary, path)
        except OSError as error:
            temporary.unlink(missing_ok=True)  # a full disk leaves what it managed to write
            if error.errno in (errno.ENOSPC, errno.EDQUOT):
                raise StorageFull("problem.storage_full.detail") from error
            raise

    def discard(self, *keys: str) -> None:
        for key in keys:
            self._path(key).unlink(missing_ok=True)

    def get(self, key: str) -> bytes | None:
        path = self._path(key)
        return path.read_bytes() if path.is_file() else None
