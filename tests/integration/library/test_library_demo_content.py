"""The demo library: loaded by the demo seeder, idempotent, substantive and citable."""

from __future__ import annotations

import pytest

from backend.features.library.demo import DEMO_CONTENT, seed_demo_library
from backend.features.library.search import SearchParams, search
from backend.lib.clock import FrozenClock
from backend.settings import Settings

pytestmark = pytest.mark.integration


async def test_demo_content_loads_once_and_is_searchable(
    connected: str, settings: Settings, clock: FrozenClock
) -> None:
    assert (await seed_demo_library(settings, clock))["library_documents"] >= 12
    assert (await seed_demo_library(settings, clock))["library_documents"] == 0
    religion = await search(None, SearchParams(q="ghi ton giao dong y"))
    assert religion.hits and religion.hits[0].passages
    old_rule = await search(None, SearchParams(q="quy che tiep nhan phan anh"))
    titles = [hit.document.title for hit in old_rule.hits]
    assert any("2026" in t for t in titles) and not any("2024" in t for t in titles)
    cited = await search(None, SearchParams(q="ty le nu trong uy ban", kind="guidance"))
    assert cited.hits[0].passages[0].locator == "Điều 4, khoản 1"
    assert len(list(DEMO_CONTENT.glob("*.md"))) >= 12
