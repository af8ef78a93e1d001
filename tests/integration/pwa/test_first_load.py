"""What a phone downloads for the first paint: the page, its scripts and its stylesheet, compressed.
Target: at most 100 KB (recorded in docs/benchmarks.md)."""

from __future__ import annotations

import re

import pytest
from httpx import AsyncClient

pytestmark = pytest.mark.integration
BUDGET_BYTES = 100 * 1024


async def transferred(client: AsyncClient, url: str) -> int:
    """Bytes on the wire (the body as sent, before httpx decompresses it)."""
    async with client.stream("GET", url, headers={"Accept-Encoding": "gzip, br"}) as response:
        assert response.status_code == 200, url
        return sum([len(chunk) async for chunk in response.aiter_raw()])


async def test_first_load_of_the_shell_fits_the_budget(client: AsyncClient) -> None:
    page = await client.get("/")
    assets = re.findall(r'(?:src|href)="(/(?:static|_reactpy)/[^"]+\.(?:js|css)[^"]*)"', page.text)
    assert len(assets) == 4  # stylesheet, outbox, app, live client
    total = await transferred(client, "/") + sum([await transferred(client, url) for url in assets])
    print(f"first load: {total} bytes compressed")
    assert total <= BUDGET_BYTES
