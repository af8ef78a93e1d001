"""The load test of issue 10: the mix of tests/load/locustfile.py against `mattran serve --workers N`, on a
database seeded with 1,000,000 households (`mattran seed demo --households 1000000`) and, with --prepare,
1,000,000 petitions (tests/support/petition_data.py, the petitions benchmark's loader).

    pip install -e '.[load]'
    python tests/load/run.py --database-url postgresql://postgres@127.0.0.1:5432/mattran_bench_1m \\
        --prepare --workers 1 2 4 --duration 120

For each worker count: start the server on a free port, run the mix for --warmup seconds (not recorded), then
for --duration seconds recorded by Locust (CSV with percentiles per route), reading the CPU seconds of the
PostgreSQL cluster, the web processes and Locust from /proc before and after. Prints a Markdown table per
worker count and writes them to --report.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the support package

import httpx

from backend import db
from backend.app import create_app
from backend.lib.clock import Clock, SystemClock
from backend.settings import Settings
from support import petition_data
from support.config import settings_for
from support.identity import access_token_for, bearer, make_account
from support.servers import app_running, mattran_serve

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
# Tokens outlive the whole run (three worker counts, warm-ups included); the server only checks their expiry.
TOKEN_SECONDS = 3 * 3600
# Citizens file far more than 20 petitions a minute from 127.0.0.1 here: the per-address limit would answer
# 429 to nearly all of them. Production keeps its default; the limit has its own tests.
ANONYMOUS_WRITES_PER_MINUTE = 1_000_000
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# People -----------------------------------------------------------------------------------------------


async def _account(settings: Settings, clock: Clock, username: str, role: str, unit: str) -> None:
    """The account, made on the first run and kept (the database is prepared once)."""
    async with db.connection() as conn:
        if await conn.fetchval("SELECT 1 FROM accounts WHERE username = $1", username):
            return
    await make_account(settings, clock, username, role, unit)


async def _first_pull(http: httpx.AsyncClient, headers: dict[str, str]) -> str:
    """A device's pull of its whole scope, page after page: the cursor a device holding its area sends."""
    cursor: str | None = None
    while True:
        body = {"device_id": "load-prepare", "operations": [], "pull": True, "pull_cursor": cursor}
        response = await http.post("/api/v1/sync", json=body, headers=headers)
        response.raise_for_status()
        answer = response.json()
        cursor = answer["cursor"] or cursor
        if not answer["more"]:
            assert cursor is not None
            return cursor


async def people(settings: Settings, clock: Clock, areas: int) -> dict[str, Any]:
    """Area cadres of `areas` residential areas with households (each in its own commune), the officers of
    those communes and of their provinces, with tokens; what citizens need (communes, petitions seeded)."""
    app = create_app(settings, clock)
    async with app_running(app), db.connection() as conn:
        rows = await conn.fetch(
            "SELECT DISTINCT ON (u.parent) u.code, u.parent, u.path, p.path AS parent_path FROM units u"
            " JOIN units p ON p.code = u.parent WHERE u.level = 'residential_area' AND u.valid_to IS NULL"
            " AND EXISTS (SELECT 1 FROM households h WHERE h.unit_code = u.code AND h.deleted_at IS NULL)"
            " ORDER BY u.parent, u.code LIMIT $1",
            areas,
        )
        assert rows, "no residential area holds households: seed the database first (mattran seed demo)"
        communes = [
            row["code"]
            for row in await conn.fetch("SELECT code FROM units WHERE level = 'commune' AND valid_to IS NULL")
        ]
        petitions = await conn.fetchval("SELECT count(*) FROM petitions WHERE tracking_code LIKE 'KN-BENCH-%'")
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://testserver") as http:
            found: dict[str, Any] = {"cadres": [], "commune_officers": [], "province_officers": []}
            provinces = sorted({row["path"].split("/")[1] for row in rows})
            for province in provinces:
                await _account(settings, clock, f"load.province.{province}", "province_officer", province)
                token = await access_token_for(http, f"load.province.{province}")
                found["province_officers"].append({"token": token, "unit": province})
            for row in rows:
                await _account(settings, clock, f"load.cadre.{row['code']}", "area_cadre", row["code"])
                token = await access_token_for(http, f"load.cadre.{row['code']}")
                households = await conn.fetch(
                    "SELECT id, version FROM households WHERE unit_code = $1 AND deleted_at IS NULL", row["code"]
                )
                found["cadres"].append(
                    {
                        "token": token,
                        "unit": row["code"],
                        "households": [str(h["id"]) for h in households],
                        "versions": {str(h["id"]): h["version"] for h in households},
                        "cursor": await _first_pull(http, bearer(token)),
                    }
                )
                await _account(settings, clock, f"load.commune.{row['parent']}", "commune_officer", row["parent"])
                token = await access_token_for(http, f"load.commune.{row['parent']}")
                households = await conn.fetch(
                    "SELECT id FROM households WHERE unit_path LIKE $1 AND deleted_at IS NULL ORDER BY id LIMIT 500",
                    row["parent_path"] + "/%",
                )
                found["commune_officers"].append(
                    {"token": token, "unit": row["parent"], "households": [str(h["id"]) for h in households]}
                )
    return found | {"communes": communes, "petitions": petitions}


async def prepare_petitions(settings: Settings, clock: Clock, count: int) -> None:
    """Load count petitions with the benchmark's loader, unless they are there already (idempotent)."""
    async with db.connection() as conn:
        loaded = await conn.fetchval("SELECT count(*) FROM petitions WHERE tracking_code LIKE 'KN-BENCH-%'")
        commune = await conn.fetchval("SELECT min(code) FROM units WHERE level = 'commune' AND valid_to IS NULL")
    if loaded:
        print(f"petitions: {loaded:,} seeded already, left as they are")
        return
    await _account(settings, clock, "load.assignee", "commune_officer", commune)
    async with db.connection() as conn:
        assignee = await conn.fetchval("SELECT id FROM accounts WHERE username = 'load.assignee'")
    started = time.perf_counter()
    await petition_data.seed(clock.now(), assignee, count)
    print(f"petitions: seeded {count:,} in {time.perf_counter() - started:.0f} s")


async def setup(args: argparse.Namespace, settings: Settings) -> dict[str, Any]:
    clock = SystemClock()  # the seeded database's signing keys date from the seed: real time, as a server
    await db.connect(settings.database_url, min_size=2, max_size=6)
    try:
        async with db.connection() as conn:
            households = await conn.fetchval("SELECT count(*) FROM households WHERE deleted_at IS NULL")
        print(f"households: {households:,}")
        if args.prepare:
            await prepare_petitions(settings, clock, args.petitions)
            # Statistics as a live database has them (autovacuum may not have caught up with the bulk loads
            # and table rewrites of the seed and migrations): without them the planner guesses tiny tables.
            async with db.connection() as conn:
                await conn.execute("ANALYZE", timeout=1800)
        return await people(settings, clock, args.areas)
    finally:
        await db.disconnect()


# CPU accounting ---------------------------------------------------------------------------------------


def _processes() -> dict[int, tuple[int, float]]:
    """pid -> (parent pid, CPU seconds of the process and of its children it has waited for)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            # Fields 14-17 of proc(5): utime, stime, cutime, cstime (after the name: state is field 3).
            ticks = sum(int(value) for value in fields[11:15])
            found[int(entry.name)] = (int(fields[1]), ticks / CLOCK_TICKS)
    return found


def tree_cpu(root: int, processes: dict[int, tuple[int, float]]) -> float:
    """CPU seconds of root and every live descendant. Each exited descendant counts once too: in the waited
    children's time (cutime + cstime) of the process that reaped it."""
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in processes.items():
        children.setdefault(parent, []).append(pid)
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += processes.get(pid, (0, 0.0))[1]
        todo.extend(children.get(pid, []))
    return total


def database_backends(database_url: str) -> set[int]:
    """The server processes working for this database now (the web workers' pooled connections)."""

    async def pids() -> set[int]:
        await db.connect(database_url, min_size=1, max_size=1)
        try:
            async with db.connection() as conn:
                query = (
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
                return {row["pid"] for row in await conn.fetch(query)}
        finally:
            await db.disconnect()

    return asyncio.run(pids())


def postmaster(database_url: str) -> int:
    """The PostgreSQL server process: the parent of this connection's backend (every backend, background
    writer, autovacuum worker … is its child), read while the backend lives."""

    async def parent_of_backend() -> int:
        await db.connect(database_url, min_size=1, max_size=1)
        try:
            async with db.connection() as conn:
                return _processes()[int(await conn.fetchval("SELECT pg_backend_pid()"))][0]
        finally:
            await db.disconnect()

    parent = asyncio.run(parent_of_backend())
    assert Path(f"/proc/{parent}/comm").read_text().strip() == "postgres", "run on the PostgreSQL server's machine"
    return parent


# Server and Locust --------------------------------------------------------------------------------------


def locust(origin: str, users: int, seconds: int, people_file: Path, think: float, csv_prefix: Path | None) -> None:
    command = [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--host", origin,
        "--users", str(users), "--spawn-rate", str(users), "--run-time", f"{seconds}s",
        "--stop-timeout", "10", "--only-summary", "--loglevel", "WARNING",
    ]  # fmt: skip
    if csv_prefix:
        command += ["--csv", str(csv_prefix)]
    env = {**os.environ, "MATTRAN_LOAD_PEOPLE": str(people_file), "MATTRAN_LOAD_THINK": str(think)}
    # Exit status 1 means "some requests failed": the failures are in the table, not a reason to stop.
    finished = subprocess.run(command, env=env, capture_output=True, text=True)
    if finished.returncode not in (0, 1):
        raise RuntimeError(f"locust failed ({finished.returncode}):\n{finished.stderr[-3000:]}")


@dataclass
class Run:
    workers: int
    seconds: float
    rows: list[dict[str, str]]
    cpu: dict[str, float]
    load_before: str
    failures: list[dict[str, str]]

    def markdown(self) -> str:
        lines = [
            f"#### {self.workers} web worker{'s' if self.workers > 1 else ''}",
            "",
            "| Route | Requests | Req/s | p50 ms | p95 ms | p99 ms | Errors |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        total = None
        for row in self.rows:
            cells = (
                row["Request Count"], f"{float(row['Requests/s']):.1f}", row["50%"], row["95%"], row["99%"],
                row["Failure Count"],
            )  # fmt: skip
            if row["Name"] == "Aggregated":
                total = cells
            else:
                lines.append(f"| `{row['Name']}` | " + " | ".join(cells) + " |")
        if total:
            lines.append("| **all** | " + " | ".join(f"**{cell}**" for cell in total) + " |")
        everyone = self.cpu["postgres"] + self.cpu["web"] + self.cpu["locust"]
        share = self.cpu["postgres"] / everyone if everyone else 0.0
        lines += [
            "",
            f"CPU seconds over {self.seconds:.0f} s: PostgreSQL {self.cpu['postgres']:.1f}, web workers "
            f"{self.cpu['web']:.1f}, Locust {self.cpu['locust']:.1f}; **PostgreSQL share {share:.0%}**; "
            f"together {everyone / self.seconds / (os.cpu_count() or 1):.0%} of {os.cpu_count()} cores "
            f"(load average before: {self.load_before}). Of PostgreSQL's, the backends serving this database "
            f"used {self.cpu['database_backends']:.1f} (the rest: its background processes and other databases).",
        ]
        lines += [f"- errors: {row['Occurrences']} × `{row['Name']}`: {row['Error']}" for row in self.failures]
        return "\n".join(lines)


def measure(args: argparse.Namespace, settings: Settings, people_file: Path, workdir: Path, workers: int) -> Run:
    pg = postmaster(settings.database_url)
    log = workdir / f"server-{workers}.log"
    writes = {"MATTRAN_ANONYMOUS_WRITES_PER_MINUTE": str(ANONYMOUS_WRITES_PER_MINUTE)}
    with mattran_serve(settings.database_url, settings.public_url, workers, log, writes) as (origin, server_pid):
        load_before = Path("/proc/loadavg").read_text().split()[:3]
        locust(origin, args.users, args.warmup, people_file, args.think, None)
        prefix = workdir / f"workers-{workers}"
        backends = database_backends(settings.database_url)
        before, started = _processes(), time.monotonic()
        # Locust is the one child started in between: its CPU is what it used, whole.
        locust(origin, args.users, args.duration, people_file, args.think, prefix)
        after, seconds = _processes(), time.monotonic() - started
        # Backends opened during the run count whole; those closed during it are not seen (the pools keep theirs).
        backends |= database_backends(settings.database_url)
        own = os.getpid()
        cpu = {
            "postgres": tree_cpu(pg, after) - tree_cpu(pg, before),
            "web": tree_cpu(server_pid, after) - tree_cpu(server_pid, before),
            "database_backends": sum(after.get(pid, (0, 0.0))[1] - before.get(pid, (0, 0.0))[1] for pid in backends),
            # This process's waited children: the two Locust runs (the warm-up's before, both after).
            "locust": after[own][1] - before[own][1],
        }
    with Path(f"{prefix}_stats.csv").open(encoding="utf-8") as stats:
        rows = list(csv.DictReader(stats))
    with Path(f"{prefix}_failures.csv").open(encoding="utf-8") as failures:
        failed = list(csv.DictReader(failures))
    return Run(workers, seconds, rows, cpu, " ".join(load_before), failed)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--database-url", required=True, help="a database seeded with mattran seed demo")
    parser.add_argument("--prepare", action="store_true", help="first load --petitions petitions (once)")
    parser.add_argument("--petitions", type=int, default=petition_data.PETITIONS)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4], help="web worker counts, one run each")
    parser.add_argument("--duration", type=int, default=120, help="recorded seconds per run")
    parser.add_argument("--warmup", type=int, default=20, help="seconds of the mix before recording")
    parser.add_argument("--users", type=int, default=32, help="simulated users at once (closed loop)")
    parser.add_argument("--think", type=float, default=0.0, help="mean pause between a user's requests (s)")
    parser.add_argument("--areas", type=int, default=16, help="residential areas (one cadre each) and their communes")
    parser.add_argument("--report", type=Path, default=Path("load-report.md"), help="where the tables go")
    args = parser.parse_args()

    settings = settings_for(args.database_url, access_token_seconds=TOKEN_SECONDS)
    with tempfile.TemporaryDirectory(prefix="mattran-load-") as temporary:
        workdir = Path(temporary)
        people_file = workdir / "people.json"
        people_file.write_text(json.dumps(asyncio.run(setup(args, settings))), encoding="utf-8")
        command = " ".join(["python", "tests/load/run.py", *sys.argv[1:]])
        sections = [f"`{command}` — {args.users} users, {args.warmup} s warm-up, {args.duration} s recorded", ""]
        for workers in args.workers:
            run = measure(args, settings, people_file, workdir, workers)
            sections += [run.markdown(), ""]
            print(run.markdown(), "\n", flush=True)
    args.report.write_text("\n".join(sections), encoding="utf-8")
    print(f"written to {args.report}")


if __name__ == "__main__":
    main()
