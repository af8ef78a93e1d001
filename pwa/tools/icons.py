"""Draws the app icons (a yellow star on red, the colours of the Front's emblem) as PNG files.

Run once when the design changes: `python -m pwa.tools.icons`; the PNGs are committed in pwa/static/icons.
No imaging library is needed: the star is rasterised with 4x4 supersampling and written with zlib.
"""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

RED = (200, 16, 46)
YELLOW = (255, 205, 0)
ICONS = Path(__file__).resolve().parent.parent / "static" / "icons"


def star(cx: float, cy: float, outer: float) -> list[tuple[float, float]]:
    inner = outer * math.sin(math.radians(18)) / math.sin(math.radians(126))
    return [
        (
            cx + (outer if i % 2 == 0 else inner) * math.sin(math.radians(36 * i)),
            cy - (outer if i % 2 == 0 else inner) * math.cos(math.radians(36 * i)),
        )
        for i in range(10)
    ]


def inside(x: float, y: float, polygon: list[tuple[float, float]]) -> bool:
    result = False
    for (x1, y1), (x2, y2) in zip(polygon, polygon[1:] + polygon[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            result = not result
    return result


def draw(size: int, star_share: float) -> bytes:
    """PNG bytes: red square, star with outer radius star_share * size / 2 (smaller for maskable icons)."""
    polygon = star(size / 2, size / 2 * 1.04, size / 2 * star_share)
    rows = []
    for y in range(size):
        row = bytearray(b"\x00")
        for x in range(size):
            hits = sum(inside(x + (i + 0.5) / 4, y + (j + 0.5) / 4, polygon) for i in range(4) for j in range(4))
            row.extend(round(r + (s - r) * hits / 16) for r, s in zip(RED, YELLOW, strict=True))
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )


def main() -> None:
    ICONS.mkdir(parents=True, exist_ok=True)
    (ICONS / "icon-192.png").write_bytes(draw(192, 0.72))
    (ICONS / "icon-512.png").write_bytes(draw(512, 0.72))
    # Maskable: the star stays inside the 80 % safe zone whatever shape the launcher cuts.
    (ICONS / "icon-maskable-512.png").write_bytes(draw(512, 0.5))
    (ICONS / "badge-96.png").write_bytes(draw(96, 0.8))


if __name__ == "__main__":
    main()
