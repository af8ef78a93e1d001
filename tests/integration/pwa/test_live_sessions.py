"""200 phones on the live pages at once, over real websockets: every one gets its first render."""

from __future__ import annotations

import asyncio
import json
from urllib.parse import quote

import httpx
import pytest
import websockets

from backend.app import create_app
from backend.lib.clock import SystemClock
from support.config import settings_for
from support.servers import LocalServer, free_port

pytestmark = pytest.mark.integration
SESSIONS = 200


async def first_render(origin: str, path: str) -> dict:
    url = origin.replace("http://", "ws://") + "/_reactpy/stream" + path
    async with websockets.connect(url, origin=origin, open_timeout=60) as socket:
        return json.loads(await asyncio.wait_for(socket.recv(), timeout=60))


async def test_200_concurrent_sessions_render(database: str, caplog: pytest.LogCaptureFixture) -> None:
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    server = LocalServer(create_app(settings_for(database, public_url=origin), SystemClock()), port=port, lifespan="on")
    await server.start()
    try:
        paths = [f"/units?q={quote('hoàn kiếm')}" if i % 2 else "/" for i in range(SESSIONS)]
        updates = await asyncio.gather(*[first_render(origin, path) for path in paths])
        async with httpx.AsyncClient() as http:
            assert (await http.get(f"{origin}/health")).status_code == 200
    finally:
        await server.stop()
    assert all(update["type"] == "layout-update" for update in updates)
    assert sum("Hoàn Kiếm" in json.dumps(update, ensure_ascii=False) for update in updates) == SESSIONS // 2
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]


async def test_a_foreign_origin_cannot_open_the_live_socket(database: str) -> None:
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    server = LocalServer(create_app(settings_for(database, public_url=origin), SystemClock()), port=port, lifespan="on")
    await server.start()
    try:
        with pytest.raises(websockets.exceptions.InvalidStatus):
            async with websockets.connect(
                origin.replace("http", "ws") + "/_reactpy/stream", origin="https://evil.example"
            ) as socket:
                await socket.recv()
    finally:
        await server.stop()
