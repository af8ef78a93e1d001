"""Attachment checks (pure): type from the bytes, images fully decoded, EXIF gone from the public copy."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from backend.features.petitions.attachments import (
    AttachmentTooLarge,
    LocalStorage,
    UnsupportedAttachment,
    check,
    sniff,
)

pytestmark = pytest.mark.unit
LIMIT, SIDE = 1_000_000, 800


def image_bytes(fmt: str, size: tuple[int, int] = (1200, 600), **options: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (90, 60, 30)).save(out, fmt, **options)
    return out.getvalue()


def with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (21.0, 1.0, 30.0), 3: "E", 4: (105.0, 51.0, 10.0)}
    exif[0x010F] = "PhoneMaker"
    return image_bytes("JPEG", exif=exif.tobytes())


@pytest.mark.parametrize(("fmt", "media_type"), [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")])
def test_images_are_recognised_by_content_and_resized(fmt: str, media_type: str) -> None:
    checked = check(image_bytes(fmt), LIMIT, SIDE)
    assert checked.media_type == media_type
    assert (checked.width, checked.height) == (800, 400)
    assert Image.open(io.BytesIO(checked.public_copy)).size == (800, 400)


def test_the_public_copy_has_no_exif() -> None:
    original = with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the original carries GPS
    public = Image.open(io.BytesIO(check(original, LIMIT, SIDE).public_copy))
    assert not public.getexif()
    assert b"PhoneMaker" not in check(original, LIMIT, SIDE).public_copy


def test_a_pdf_is_accepted_by_its_magic_number_and_trailer() -> None:
    pdf = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
    assert check(pdf, LIMIT, SIDE).media_type == "application/pdf"


@pytest.mark.parametrize(
    "content",
    [
        b"MZ\x90\x00 an executable named photo.jpg",
        b"%PDX-1.4 not a pdf",
        b"%PDF-1.4 but cut short without its trailer",
        b"\xff\xd8\xff\xe0 only the start of a jpeg",
        image_bytes("PNG")[:200],  # a truncated PNG
    ],
)
def test_fake_and_broken_files_are_refused(content: bytes) -> None:
    with pytest.raises(UnsupportedAttachment):
        check(content, LIMIT, SIDE)


def test_an_oversized_file_is_refused_before_anything_else() -> None:
    with pytest.raises(AttachmentTooLarge):
        check(image_bytes("PNG"), 100, SIDE)


def test_a_decompression_bomb_is_refused() -> None:
    with pytest.raises(UnsupportedAttachment):
        check(image_bytes("PNG", size=(8000, 8000)), 10_000_000, SIDE)


def test_sniffing_ignores_everything_but_the_bytes() -> None:
    assert sniff(b"GIF89a") is None
    assert sniff(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"


def test_local_storage_keeps_keys_inside_its_folder(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    storage.put("a/b.public", b"x")
    assert storage.get("a/b.public") == b"x"
    assert storage.get("a/missing") is None
    with pytest.raises(ValueError):
        storage.put("../outside", b"x")
