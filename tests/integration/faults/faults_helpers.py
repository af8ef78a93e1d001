"""Helpers of the fault tests (importable by name: the test folders are not packages)."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import msgspec
import pytest

from backend import db
from backend.features.notify.service import notify
from backend.lib.clock import FrozenClock
from support.push_stub import BrowserSubscription, PushServiceStub, ReceivedPush


async def eventually(condition: Callable[[], object], seconds: float, what: str) -> float:
    """Poll until condition holds (it may be async); returns the seconds it took. Fault tests wait on real
    time: the recovery under test runs on its own schedule."""
    started = time.monotonic()
    while True:
        result = condition()
        if await result if inspect.isawaitable(result) else result:
            return time.monotonic() - started
        if time.monotonic() - started > seconds:
            pytest.fail(f"timed out after {seconds:.0f} s waiting for {what}")
        await asyncio.sleep(0.05)


@dataclass
class HeldStub(PushServiceStub):
    """The push-service stub, slowed down: a request is read whole, then waits for `gate` (when given) and
    `delay` seconds before it is answered. One whose sender gave up or died meanwhile is still accepted, as a
    real push service that already has the message does."""

    gate: asyncio.Event | None = None
    delay: float = 0.0
    waiting: int = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await super().__call__(scope, receive, send)
        messages = [await receive()]
        while messages[-1].get("more_body"):
            messages.append(await receive())
        self.waiting += 1
        if self.gate is not None:
            await self.gate.wait()
        await asyncio.sleep(self.delay)
        self.waiting -= 1

        async def replay() -> Any:
            return messages.pop(0)

        with contextlib.suppress(OSError, RuntimeError):  # the answer to a sender that is gone goes nowhere
            await super().__call__(scope, replay, send)
        return None


async def notify_event(clock: FrozenClock, account_id: uuid.UUID, key: str) -> uuid.UUID:
    """A notification committed as a feature writes one (inside its change's transaction)."""
    async with db.transaction():
        notification_id = await notify(
            account_id, "assignment", "Kiến nghị mới được giao", f"Sự kiện {key}", dedup_key=key, now=clock.now()
        )
    assert notification_id is not None
    return notification_id


def copies_by_notification(stub: PushServiceStub, browser: BrowserSubscription) -> dict[str, list[ReceivedPush]]:
    """What the device received, grouped by the notification each push carries (payload `id`)."""
    grouped: dict[str, list[ReceivedPush]] = {}
    for push in stub.received_for(browser.id):
        grouped.setdefault(msgspec.json.decode(push.payload)["id"], []).append(push)
    return grouped


def shown_once(copies: list[ReceivedPush]) -> bool:
    """The user sees one notification however many copies came: same Topic (the push service replaces a
    copy it holds) and the same payload, tag and id included (the service worker replaces what it shows)."""
    return len({push.headers["topic"] for push in copies}) == 1 and len({push.payload for push in copies}) == 1
