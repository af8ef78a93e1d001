"""`mattran serve --workers 2`: each web process counts on its own, and a scrape of either adds them all up
(prometheus_client's multiprocess mode, in a directory emptied at start)."""

from __future__ import annotations

import re
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from observability_helpers import value

from support.commands import MATTRAN, command_env
from support.servers import free_port

pytestmark = pytest.mark.integration


def pids_counted(folder: Path) -> set[str]:
    return {match.group(1) for f in folder.iterdir() if (match := re.fullmatch(r"histogram_(\d+)\.db", f.name))}


def test_two_workers_are_scraped_as_one(database: str, tmp_path: Path) -> None:
    folder = tmp_path / "metrics"
    folder.mkdir()
    (folder / "histogram_1.db").write_bytes(b"left by an earlier run")
    env = command_env(DATABASE_URL=database, MATTRAN_LOG_LEVEL="WARNING", PROMETHEUS_MULTIPROC_DIR=str(folder))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen([MATTRAN, "serve", "--port", str(port), "--workers", "2"], env=env)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, "mattran serve exited early"
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "mattran serve did not become healthy in time"
            time.sleep(0.2)
        assert not (folder / "histogram_1.db").exists()  # emptied at start
        # New connections until both workers have answered some (the kernel picks which one accepts).
        requests = 0
        while len(pids_counted(folder)) < 2 or requests < 10:
            assert requests < 400, f"one worker took every connection: {pids_counted(folder)}"
            assert httpx.get(f"{base}/api/v1/units/00070", timeout=5).status_code == 200
            requests += 1
        texts = [httpx.get(f"{base}/metrics", timeout=5).text for _ in range(4)]
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()

    labels = {"method": "GET", "route": "/api/v1/units/{code}", "status": "2xx"}
    # Whichever worker answered the scrape, it counted every request of both.
    assert {value(text, "mattran_http_request_duration_seconds_count", **labels) for text in texts} == {requests}


def test_the_worker_serves_its_own_metrics_when_given_a_port(database: str) -> None:
    port = free_port()
    env = command_env(DATABASE_URL=database, MATTRAN_WORKER_METRICS_PORT=str(port))
    process = subprocess.Popen([MATTRAN, "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, "mattran worker exited early"
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the worker's metrics port never opened"
                time.sleep(0.2)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
    assert response.status_code == 200
    assert "# TYPE mattran_push_deliveries_total counter" in response.text
