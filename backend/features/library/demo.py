"""The demo library: original Vietnamese guides, legal-style texts and forms written for the demo
(demo_content/), imported as published documents of the central level. Idempotent."""

from __future__ import annotations

from pathlib import Path

from backend.features.library.importer import import_folder
from backend.features.library.service import LibraryService
from backend.lib.clock import Clock
from backend.settings import Settings

DEMO_CONTENT = Path(__file__).parent / "demo_content"
DEMO_UNIT = "TW"


async def seed_demo_library(settings: Settings, clock: Clock) -> dict[str, int]:
    report = await import_folder(LibraryService(settings, clock), DEMO_CONTENT, DEMO_UNIT, "demo")
    return {"library_documents": report.created + report.updated}
