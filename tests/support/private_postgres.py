"""A PostgreSQL server of the test's own (initdb + pg_ctl from the system's PostgreSQL binaries) that fault
tests may stop, restart and kill without touching the shared test server every other test uses."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from support.servers import free_port

# initdb and postgres refuse to run as root; the system's server account runs them then.
SERVER_USER = "postgres"


def _binaries() -> Path:
    """TEST_PG_BIN, else the system's PostgreSQL 15, else the one the pgserver wheel ships (as in CI)."""
    if os.environ.get("TEST_PG_BIN"):
        return Path(os.environ["TEST_PG_BIN"])
    system = Path("/usr/lib/postgresql/15/bin")
    if (system / "pg_ctl").exists():
        return system
    spec = importlib.util.find_spec("pgserver")
    return system if spec is None or spec.origin is None else Path(spec.origin).parent / "pginstall" / "bin"


PG_BIN = _binaries()


def available() -> str | None:
    """Why a private server cannot be started here, or None."""
    if not (PG_BIN / "pg_ctl").exists():
        return f"no PostgreSQL binaries at {PG_BIN} (set TEST_PG_BIN)"
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            return "running as root without runuser to drop to the postgres account"
        try:
            pwd.getpwnam(SERVER_USER)
        except KeyError:
            return f"running as root and there is no {SERVER_USER} account to run the server as"
    return None


class PrivatePostgres:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / "data"
        self.port = free_port()

    @property
    def dsn(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        command = [str(PG_BIN / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def init(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.root, SERVER_USER, SERVER_USER)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        # A throwaway cluster: no fsync. The socket goes into the cluster's own folder, not /var/run.
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"port = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.root}'\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 100\n"
            )

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def restart(self) -> float:
        """`pg_ctl restart -m fast` (every session is cut, as on a failover or an upgrade); returns its seconds."""
        started = time.monotonic()
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-m", "fast", "-w", "restart")
        return time.monotonic() - started


@contextlib.contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    with tempfile.TemporaryDirectory(prefix="mattran-pg-") as folder:
        os.chmod(folder, 0o755)  # the postgres account must reach its cluster inside
        server = PrivatePostgres(Path(folder) / "cluster")
        server.init()
        server.start()
        try:
            yield server
        finally:
            with contextlib.suppress(subprocess.CalledProcessError):
                server.stop("immediate")
