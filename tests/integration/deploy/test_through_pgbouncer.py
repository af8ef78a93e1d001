"""The web app through PgBouncer with the pooling settings of deploy/k8s/pgbouncer.ini and the app settings
of deploy/k8s/configmap.yaml: sign-in, writes under the audit chain's lock, reads. Migrations and the
worker bypass the pooler (MATTRAN_DIRECT_DATABASE_URL); asyncpg's statement cache has to be off for it."""

from __future__ import annotations

import asyncio
import configparser
import os
import pwd
import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import asyncpg
import httpx
import pytest
import yaml

from backend.app import create_app
from backend.lib.clock import FrozenClock
from backend.settings import Settings
from support.config import settings_for
from support.identity import access_token_for, bearer, make_account
from support.servers import app_running, free_port

pytestmark = pytest.mark.integration

K8S = Path(__file__).resolve().parents[3] / "deploy" / "k8s"
COMMUNE = "00070"
# Where the test's PgBouncer must differ from the cluster's: address, authentication, files.
LOCAL_ONLY = {"listen_addr", "listen_port", "auth_type", "auth_file", "logfile", "pidfile", "unix_socket_dir"}


def configmap() -> dict[str, str]:
    document = yaml.safe_load((K8S / "configmap.yaml").read_text())
    return {name: str(value) for name, value in document["data"].items()}


@pytest.fixture
def pool_overrides() -> dict[str, str]:
    return {}


@pytest.fixture
def pgbouncer(database: str, tmp_path: Path, pool_overrides: dict[str, str]) -> Iterator[str]:
    """A PgBouncer in front of this test's database, pooling as the cluster's does; its DSN."""
    binary = shutil.which("pgbouncer") or ("/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None)
    if binary is None:
        pytest.skip("pgbouncer is not installed (apt-get install pgbouncer)")
    cluster = configparser.ConfigParser()
    cluster.read(K8S / "pgbouncer.ini")
    target = urlsplit(database)
    port = free_port()
    options = {key: value for key, value in cluster["pgbouncer"].items() if key not in LOCAL_ONLY}
    options |= {"listen_addr": "127.0.0.1", "listen_port": str(port), "auth_type": "any", "unix_socket_dir": ""}
    options |= pool_overrides
    dbname = target.path.lstrip("/")
    # The embedded server (the default) listens on a socket in its data folder (?host=/folder), not on TCP.
    host = parse_qs(target.query).get("host", [target.hostname or "127.0.0.1"])[0]
    lines = [
        "[databases]",
        f"{dbname} = host={host} port={target.port or 5432} dbname={dbname} user={target.username or 'postgres'}",
        "[pgbouncer]",
    ]
    lines += [f"{key} = {value}" for key, value in options.items()]
    config = tmp_path / "pgbouncer.ini"
    config.write_text("\n".join(lines) + "\n")
    tmp_path.chmod(0o755)
    config.chmod(0o644)
    command = [binary, str(config)]
    if os.geteuid() == 0:  # PgBouncer refuses to run as root; the socket's folder admits only its server's owner
        owner = pwd.getpwuid(Path(host).stat().st_uid).pw_name if host.startswith("/") else "nobody"
        command[1:1] = ["-u", owner]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        yield f"postgresql://{target.username or 'postgres'}@127.0.0.1:{port}/{dbname}"
    finally:
        process.terminate()
        process.wait(timeout=10)


async def wait_until_accepting(dsn: str) -> None:
    for _ in range(50):
        try:
            connection = await asyncpg.connect(dsn, statement_cache_size=0)
        except OSError:
            await asyncio.sleep(0.1)
        else:
            await connection.close()
            return
    raise AssertionError("pgbouncer did not start")


@pytest.fixture
async def pooled(pgbouncer: str, clock: FrozenClock) -> AsyncIterator[tuple[httpx.AsyncClient, Settings]]:
    await wait_until_accepting(pgbouncer)
    cache = int(configmap()["MATTRAN_DB_STATEMENT_CACHE_SIZE"])
    # A pool bigger than PgBouncer's: clients really are moved between server connections.
    settings = settings_for(pgbouncer, db_statement_cache_size=cache, db_pool_min=4, db_pool_max=12)
    app = create_app(settings, clock)
    async with app_running(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as http:
            yield http, settings


async def test_the_app_works_through_pgbouncer_as_configured(
    pooled: tuple[httpx.AsyncClient, Settings], clock: FrozenClock
) -> None:
    http, settings = pooled
    assert (await http.get("/health")).json()["database"] == "ok"
    await make_account(settings, clock, "officer", "commune_officer", COMMUNE)
    token = await access_token_for(http, "officer")
    area = await http.post(
        f"/api/v1/units/{COMMUNE}/areas", json={"name": "Tổ dân phố số 9", "kind": "to_dan_pho"}, headers=bearer(token)
    )
    assert area.status_code == 201, area.text

    async def add(number: int) -> int:
        body = {
            "id": str(uuid.uuid4()),
            "unit_code": area.json()["code"],
            "house_number": str(number),
            "street": "Hàng Bài",
        }
        return (await http.post("/api/v1/households", json=body, headers=bearer(token))).status_code

    # Concurrent writes (each with its audit entry under the chain's transaction-scoped lock) and reads.
    assert await asyncio.gather(*(add(number) for number in range(1, 25))) == [201] * 24
    for _ in range(3):
        found = await http.get("/api/v1/households", params={"q": "hang bai", "limit": 50}, headers=bearer(token))
        assert found.status_code == 200, found.text
        assert len(found.json()["items"]) == 24


@pytest.mark.parametrize("pool_overrides", [{"default_pool_size": "3"}])
async def test_cached_prepared_statements_break_behind_transaction_pooling(pgbouncer: str) -> None:
    """Why the ConfigMap turns asyncpg's statement cache off: with it on, the same pool fails (fewer server
    connections than clients here, so every client surely changes server connection)."""
    await wait_until_accepting(pgbouncer)
    pool = await asyncpg.create_pool(pgbouncer, min_size=4, max_size=12, statement_cache_size=100)
    assert pool is not None

    async def query(number: int) -> None:
        async with pool.acquire() as connection:
            await connection.fetchval("SELECT $1::int + 1", number)
            await connection.fetchval("SELECT $1::text", str(number))

    try:
        with pytest.raises(asyncpg.exceptions.InvalidSQLStatementNameError):
            await asyncio.gather(*(query(number) for number in range(200)))
    finally:
        await pool.close()
