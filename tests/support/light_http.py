"""A keep-alive HTTP/1.1 client for benchmarks that costs the machine little.

The benchmarks run their clients on the same two cores as the server and PostgreSQL. httpx spends about
3 ms of CPU per request (measured: 22.6 s for the registry bench's 7,800 requests, as much as the server
itself), CPU that a phone would spend, not the server; this client sends the request bytes and reads the
answer with h11 (already installed with httpx) over one asyncio connection, about a tenth of that.
Bodies are read but not decoded: a benchmark wants the status, the server does all of its own work
(gzip included, as phones accept it).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from types import TracebackType
from urllib.parse import urlsplit

import h11


class LightConnection:
    """One connection to `origin` (http://host:port), used for one request at a time."""

    def __init__(self, origin: str) -> None:
        parts = urlsplit(origin)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._state = h11.Connection(h11.CLIENT)

    async def __aenter__(self) -> LightConnection:
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._writer is not None:
            self._writer.close()
            await self._writer.wait_closed()

    async def get(self, target: str, headers: Mapping[str, str]) -> tuple[int, bytes]:
        """(status, raw body) of GET target."""
        assert self._reader is not None and self._writer is not None, "use `async with`"
        request_headers = [("host", f"{self.host}:{self.port}"), ("accept-encoding", "gzip"), *headers.items()]
        self._writer.write(self._state.send(h11.Request(method="GET", target=target, headers=request_headers)))
        self._writer.write(self._state.send(h11.EndOfMessage()))
        await self._writer.drain()
        status, body = 0, bytearray()
        while True:
            event = self._state.next_event()
            if event is h11.NEED_DATA:
                data = await self._reader.read(65536)
                self._state.receive_data(data)
            elif isinstance(event, h11.Response):
                status = event.status_code
            elif isinstance(event, h11.Data):
                body += event.data
            elif isinstance(event, h11.EndOfMessage):
                self._state.start_next_cycle()
                return status, bytes(body)
            elif isinstance(event, h11.ConnectionClosed):
                raise ConnectionError(f"the server closed the connection during GET {target}")
