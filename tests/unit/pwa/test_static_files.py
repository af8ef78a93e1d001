"""The images the manifest names exist with the sizes it declares (Chromium rejects a mismatch)."""

import struct
from pathlib import Path

import pytest

from pwa.assets import STATIC_DIR

pytestmark = pytest.mark.unit

DECLARED = {
    "icons/icon-192.png": (192, 192),
    "icons/icon-512.png": (512, 512),
    "icons/icon-maskable-512.png": (512, 512),
    "screenshots/phone.png": (360, 740),
    "screenshots/wide.png": (1280, 800),
}


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", path
    width, height = struct.unpack(">II", header[16:24])
    return width, height


@pytest.mark.parametrize(("name", "size"), sorted(DECLARED.items()))
def test_declared_images_exist_with_their_sizes(name: str, size: tuple[int, int]) -> None:
    assert png_size(STATIC_DIR / name) == size
