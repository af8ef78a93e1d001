"""Real HTTP servers on 127.0.0.1 inside the test's event loop (uvicorn), for code that must meet a
network peer: the provider seen by an OIDC client library, push services, back-channel logout receivers;
and `mattran serve` in a process of its own for the benchmarks and the load test."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from support.config import TEST_KEY_ENCRYPTION_KEY


@dataclass
class LiveApp:
    """The app served on a local port, as browser tests see it."""

    origin: str
    settings: Any


class _InProcessServer(uvicorn.Server):
    """uvicorn inside the test's event loop: leave pytest's Ctrl-C handling alone."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class LocalServer:
    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0, lifespan: str = "off") -> None:
        self.app, self.host, self.port, self.lifespan = app, host, port, lifespan
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        # Binding here (port 0) gives a free port with no race, known before serving. The explicit IPPROTO_TCP
        # matters: asyncio sets TCP_NODELAY only on sockets whose proto says TCP; without it Nagle and delayed
        # ACKs add 40 ms to every response (headers and body are written separately).
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self.app, lifespan=self.lifespan, log_level="warning", access_log=False)
        self._server = _InProcessServer(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))
        while not self._server.started:
            if self._task.done():
                self._task.result()  # startup failed: raise its error here
                raise RuntimeError("server stopped during startup")
            await asyncio.sleep(0.005)

    async def stop(self) -> None:
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task


@contextlib.asynccontextmanager
async def serving(app: Any, lifespan: str = "off", port: int = 0) -> AsyncIterator[LocalServer]:
    server = LocalServer(app, lifespan=lifespan, port=port)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Recorder:
    """An ASGI app that keeps what it was sent and answers 200, or first the given statuses in turn."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        self.statuses = list(statuses or [])

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        self.requests.append((scope["path"], headers, body))
        status = self.statuses.pop(0) if self.statuses else 200
        await send({"type": "http.response.start", "status": status, "headers": [(b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})


@asynccontextmanager
async def app_running(app: Any) -> AsyncIterator[None]:
    """Run the app's lifespan in a task of its own: pytest-asyncio sets a fixture up and tears it down in
    different tasks, and the lifespan's task group must be entered and left in the same one."""
    started, stop = asyncio.Event(), asyncio.Event()

    async def hold_lifespan() -> None:
        async with app.lifespan():
            started.set()
            await stop.wait()

    holder = asyncio.create_task(hold_lifespan())
    await asyncio.wait([holder, asyncio.create_task(started.wait())], return_when=asyncio.FIRST_COMPLETED)
    if holder.done():
        holder.result()  # startup failed: raise its error here
    try:
        yield
    finally:
        stop.set()
        await holder


@asynccontextmanager
async def app_client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client calling the app in the current event loop, its lifespan running (Litestar's
    AsyncTestClient would run it in a thread with another loop, so the caller could not share the app's
    connection pool)."""
    async with app_running(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as http:
            yield http


@contextlib.contextmanager
def mattran_serve(
    database_url: str, public_url: str, workers: int, log: Path, env: Mapping[str, str] | None = None
) -> Iterator[tuple[str, int]]:
    """`mattran serve --workers N` in a process of its own on a free port, as the benchmarks run it (test keys,
    JSON access log to `log`), once it answers /health; its origin and pid. `public_url` is the issuer of the
    tokens the caller makes in its own process."""
    port = free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MATTRAN_PUBLIC_URL": public_url,
        "MATTRAN_KEY_ENCRYPTION_KEYS": TEST_KEY_ENCRYPTION_KEY,
        "MATTRAN_ENVIRONMENT": "test",
        "MATTRAN_LOG_JSON": "true",
        "MATTRAN_LOG_LEVEL": "INFO",
        **(env or {}),
    }
    command = [sys.executable, "-c", "from backend.cli import main; main()", "serve", "--port", str(port)]
    with log.open("w") as output:
        process = subprocess.Popen([*command, "--workers", str(workers)], env=environment, stdout=output, stderr=output)
        try:
            origin = f"http://127.0.0.1:{port}"
            for _ in range(1200):
                with contextlib.suppress(httpx.TransportError):
                    if httpx.get(f"{origin}/health").status_code == 200:
                        break
                if process.poll() is not None:
                    raise RuntimeError(f"the server stopped:\n{log.read_text()[-3000:]}")
                time.sleep(0.1)
            else:
                raise RuntimeError("the server did not answer /health within 120 s")
            yield origin, process.pid
        finally:
            process.terminate()
            process.wait(60)
