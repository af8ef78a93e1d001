"""An upload streamed to a temporary file with a running byte count: a body over the limit is refused as
soon as the count passes it (413), whatever Content-Length said, so a 200 MB upload is never in memory."""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import AsyncIterable, AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from backend.lib.errors import AppError


class UploadTooLarge(AppError):
    status = 413
    slug = "request-too-large"
    title_key = "problem.too_large.title"


@dataclass(frozen=True)
class SpooledUpload:
    path: Path
    size: int
    sha256: str


@asynccontextmanager
async def spooled(chunks: AsyncIterable[bytes], max_bytes: int) -> AsyncIterator[SpooledUpload]:
    """The body written to a temporary file (removed afterwards), with its size and sha256."""
    digest = hashlib.sha256()
    size = 0
    with tempfile.TemporaryDirectory(prefix="mattran-upload-") as folder:
        path = Path(folder) / "upload"
        with path.open("wb") as out:
            async for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    raise UploadTooLarge("problem.too_large.detail", limit=max_bytes)
                digest.update(chunk)
                out.write(chunk)
        yield SpooledUpload(path=path, size=size, sha256=digest.hexdigest())
