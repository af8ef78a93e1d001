"""How many Web Push messages one core encrypts, signs and posts per second.

The sender (`deliver`, one event loop, one core) posts to the local push stub running in a child process,
so the stub's own work (VAPID verification, http_ece decryption) runs on the other core and is not
counted against the sender. Median of 5 runs; run with `pytest -m bench tests/bench -s` to see it.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import statistics
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from backend.features.notify.webpush import Outcome, PushMessage, PushSubscription, VapidKeys, deliver, prepare
from support.push_stub import make_browser_subscription, serve_in_process

pytestmark = pytest.mark.bench

MESSAGES = 2000
RUNS = 5
CONCURRENCY = 8  # in flight over as many keep-alive connections; httpcore scans its pool per request, so more is slower
SUBSCRIPTIONS = 64
MESSAGE = PushMessage(
    title="Kiến nghị mới",
    body="Ông Nguyễn Văn Đặng gửi kiến nghị về đường liên thôn; hạn trả lời 15 ngày.",
    url="/kien-nghi/42",
    tag="kn-42",
)


@pytest.fixture(scope="module")
def stub_process() -> Iterator[tuple[Any, str, list[PushSubscription]]]:
    # spawn, not fork: forking a process that runs an event loop copies the loop's state.
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=serve_in_process, args=(child, SUBSCRIPTIONS), daemon=True)
    process.start()
    origin, subscriptions = parent.recv()
    yield parent, origin, subscriptions
    parent.send("stop")
    accepted = parent.recv()
    process.join(timeout=10)
    # Every message the benchmark counted was verified and decrypted by the stub.
    assert accepted == (RUNS + 1) * MESSAGES


async def post_all(client: httpx.AsyncClient, subscriptions: list[PushSubscription], keys: VapidKeys) -> float:
    """Send MESSAGES messages with CONCURRENCY in flight; return messages per second."""

    async def worker(offset: int) -> None:
        for number in range(offset, MESSAGES, CONCURRENCY):
            subscription = subscriptions[number % len(subscriptions)]
            result = await deliver(client, subscription, MESSAGE, keys=keys, subscriber_email="bench@mattran.vn")
            assert result.outcome is Outcome.DELIVERED, result

    started = time.perf_counter()
    await asyncio.gather(*(worker(offset) for offset in range(CONCURRENCY)))
    return MESSAGES / (time.perf_counter() - started)


async def test_encrypt_and_post_throughput_per_core(stub_process: tuple[Any, str, list[PushSubscription]]) -> None:
    _, _, subscriptions = stub_process
    keys = VapidKeys.generate()
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        await post_all(client, subscriptions, keys)  # warm-up: connections, key cache
        rates = [await post_all(client, subscriptions, keys) for _ in range(RUNS)]

    median = statistics.median(rates)
    runs = ", ".join(f"{rate:,.0f}" for rate in rates)
    print(f"\nweb push encrypt+sign+post: {median:,.0f} messages/s per core (median of {RUNS}: {runs})")
    assert median > 50


def test_encrypt_and_sign_alone() -> None:
    """The CPU part of a delivery without HTTP, to tell how much of the figure above is the network."""
    keys = VapidKeys.generate()
    subscription = make_browser_subscription("https://fcm.googleapis.com").subscription
    rates = []
    for _ in range(RUNS):
        started = time.perf_counter()
        for _ in range(MESSAGES):
            prepare(subscription, MESSAGE, keys=keys, subscriber_email="bench@mattran.vn", now=datetime.now(UTC))
        rates.append(MESSAGES / (time.perf_counter() - started))
    print(f"\nweb push encrypt+sign only: {statistics.median(rates):,.0f} messages/s per core (median of {RUNS})")
