"""The console script as an operator (and the README's run command) uses it: real processes, real ports."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from support.commands import MATTRAN, command_env
from support.servers import free_port

pytestmark = pytest.mark.integration


@contextmanager
def serving(
    env: dict[str, str], *args: str, startup_seconds: float = 90, output: list[str] | None = None
) -> Iterator[str]:
    """`mattran serve` on a free port until the block ends; its output is appended to `output` after it stops."""
    port = free_port()
    process = subprocess.Popen(
        [MATTRAN, "serve", "--port", str(port), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        # Its own process group, so that web processes left behind can be killed and cannot hang the test.
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_seconds
        while True:
            if process.poll() is not None:
                pytest.fail(f"mattran serve exited early:\n{process.stdout.read() if process.stdout else ''}")
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("mattran serve did not become healthy in time")
            time.sleep(0.2)
        yield base
    finally:
        # As Ctrl+C or a process manager stops it: the signal to the command only, which stops its workers.
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            pytest.fail("mattran serve did not stop within 30 s of SIGINT")
        finally:
            if output is not None and process.stdout:
                output.append(process.stdout.read())


def test_serve_on_a_database_url_with_demo_data(database: str) -> None:
    with serving(command_env(DATABASE_URL=database), "--demo") as base:
        provinces = httpx.get(f"{base}/api/v1/units", params={"level": "province", "limit": 200}).json()
        assert len(provinces["items"]) == 34
        areas = httpx.get(f"{base}/api/v1/units", params={"level": "residential_area", "limit": 1}).json()
        assert areas["items"], "demo residential areas were seeded"
        found = httpx.get(f"{base}/api/v1/units", params={"q": "hoan kiem"}).json()
        assert found["items"][0]["name"] == "Phường Hoàn Kiếm"


def test_serve_with_several_workers_keeps_their_access_log(database: str) -> None:
    output: list[str] = []
    with serving(command_env(DATABASE_URL=database), "--workers", "2", output=output) as base:
        for _ in range(4):
            assert httpx.get(f"{base}/api/v1/units/00070").status_code == 200
    assert output[0].count("mattran.access: GET /api/v1/units/00070 200") == 4


def test_serve_without_database_url_starts_the_embedded_database(tmp_path: Path) -> None:
    data_dir = tmp_path / "d"
    with serving(command_env(MATTRAN_DATA_DIR=str(data_dir))) as base:
        assert httpx.get(f"{base}/health").json()["database"] == "ok"
        assert httpx.get(f"{base}/api/v1/units/00070").json()["name"] == "Phường Hoàn Kiếm"
    assert (data_dir / "pg" / "PG_VERSION").exists()
    # The server stopped with the app; the data stays for the next run.
    time.sleep(0.5)
    assert not (data_dir / "pg" / "postmaster.pid").exists()


def test_migrate_and_seed_are_idempotent(database: str) -> None:
    env = command_env(DATABASE_URL=database)
    for _ in range(2):
        migrated = subprocess.run([MATTRAN, "migrate"], env=env, capture_output=True, text=True, timeout=120)
        assert migrated.returncode == 0, migrated.stderr
        seeded = subprocess.run([MATTRAN, "seed", "demo"], env=env, capture_output=True, text=True, timeout=120)
        assert seeded.returncode == 0, seeded.stderr
    assert "'inserted': 0, 'updated': 0, 'moved': 0, 'retired': 0" in migrated.stdout


def test_invalid_setting_stops_the_command_with_a_message() -> None:
    result = subprocess.run(
        [MATTRAN, "migrate"], env=command_env(MATTRAN_PORT="eighty"), capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "Invalid setting" in result.stderr and "port" in result.stderr


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([MATTRAN, *args], env=env, capture_output=True, text=True, timeout=120)


def test_users_clients_and_keys_commands(database: str) -> None:
    env = command_env(DATABASE_URL=database, MATTRAN_ARGON2_MEMORY_KIB="1024", MATTRAN_ARGON2_TIME_COST="1")
    created = run(
        env,
        "users",
        "create",
        "--username",
        "admin.tw",
        "--password",
        "mat-khau-quan-tri",
        "--role",
        "central_admin",
        "--unit",
        "TW",
    )
    assert created.returncode == 0, created.stderr
    assert "admin.tw" in created.stdout
    duplicate = run(
        env,
        "users",
        "create",
        "--username",
        "ADMIN.TW",
        "--password",
        "mat-khau-quan-tri",
        "--role",
        "central_admin",
        "--unit",
        "TW",
    )
    assert duplicate.returncode != 0 and "đã có người dùng" in duplicate.stderr
    wrong_level = run(
        env,
        "users",
        "create",
        "--username",
        "x.y",
        "--password",
        "mat-khau-quan-tri",
        "--role",
        "area_cadre",
        "--unit",
        "01",
    )
    assert wrong_level.returncode != 0
    client = run(
        env,
        "clients",
        "create",
        "--name",
        "Ứng dụng tỉnh",
        "--kind",
        "confidential",
        "--redirect-uri",
        "https://tinh.example.vn/cb",
    )
    assert client.returncode == 0 and "client_secret: " in client.stdout
    public = run(env, "clients", "create", "--name", "App", "--kind", "public", "--redirect-uri", "http://evil/cb")
    assert public.returncode != 0 and "https" in public.stderr
    rotated = run(env, "keys", "rotate")
    assert rotated.returncode == 0 and "active" in rotated.stdout
