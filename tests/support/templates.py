"""Test databases: copies of a template database made ahead of the tests and dropped behind them, and seeded
templates, whose data a fixture seeds once per run instead of once per test.

CREATE DATABASE ... TEMPLATE copies everything a test can see (rows, the sequences' positions, the signing
keys), so a test cloned from a seeded template starts from exactly the state its fixture would have left by
seeding itself, and still owns its database: it may commit, change or drop anything.
"""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from backend.app import create_app
from backend.lib.clock import FrozenClock
from backend.settings import Settings
from support.config import settings_for
from support.servers import app_client


def with_database(dsn: str, name: str) -> str:
    """The same server DSN pointing at another database (works for host and unix-socket forms)."""
    parts = urlsplit(dsn)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def database_name(dsn: str) -> str:
    return urlsplit(dsn).path.lstrip("/")


@dataclass(frozen=True)
class Seeding:
    """What a seeder gets: the app running on the template database, and the values of the templates it
    builds on (by fixture name)."""

    settings: Settings
    clock: FrozenClock
    http: Any  # httpx.AsyncClient calling the app
    values: dict[str, Any]


Seeder = Callable[[Seeding], Awaitable[Any]]


@dataclass(frozen=True)
class _Kind:
    seed: Seeder
    base: str | None


# Seeded fixtures by name; `database` looks for them among the fixtures a test uses.
_KINDS: dict[str, _Kind] = {}


def seeded_fixture(name: str, seed: Seeder, *, base: str | None = None) -> Any:
    """A fixture `name` whose value `seed` makes once per run in a template database; every test using it
    gets its database cloned from that template and the value seeding returned. With `base`, the template
    starts from the data of the seeded fixture `base` (and a test may use both: it gets the one database).
    `database` finds seeded fixtures by name among those a test uses, so the name must be unique in the
    whole suite (prefix it with the feature) and never overridden.

    The seeder runs with a FrozenClock at the tests' instant and must leave it there (tests get a fresh
    clock at that instant, as they would had the fixture seeded with theirs)."""
    if base is not None and base not in _KINDS:
        raise ValueError(f"seeded fixture {name}: unknown base {base}")
    known = _KINDS.get(name)
    if known is not None and known.seed is not seed:
        raise ValueError(f"two seeded fixtures are named {name}")
    _KINDS[name] = _Kind(seed, base)

    @pytest.fixture(name=name)
    def fixture(database: str, test_databases: TestDatabases) -> Any:
        return test_databases.seeded_value(database, name)

    return fixture


def _lineage(name: str) -> list[str]:
    """name, its base, the base's base, ..."""
    chain: list[str] = []
    current: str | None = name
    while current is not None:
        chain.append(current)
        current = _KINDS[current].base
    return chain


def seeded_template_for(fixture_names: Iterable[str]) -> str | None:
    """The seeded fixture a test's database must be cloned from: the one the others it uses build on."""
    used = [name for name in fixture_names if name in _KINDS]
    covered = {ancestor for name in used for ancestor in _lineage(name)[1:]}
    leaves = sorted(set(used) - covered)
    if len(leaves) > 1:
        raise pytest.UsageError(
            f"a test uses the seeded fixtures {leaves}, which do not build on one another: give one a base"
        )
    return leaves[0] if leaves else None


class TestDatabases:
    """Makes each test's database while the previous test runs, and drops it while the next one runs:
    the clone and the drop, each about as long as a small test, leave the tests' critical path."""

    __test__ = False  # a helper, not a test class

    def __init__(self, server_dsn: str, now: datetime) -> None:
        self.server_dsn, self.now = server_dsn, now
        self._numbers = itertools.count()
        self._creating: asyncpg.Pool | None = None
        self._dropping: asyncpg.Pool | None = None
        self._spares: dict[str, asyncio.Task[str]] = {}  # template -> its next copy, being made
        self._drops: set[asyncio.Task[None]] = set()
        self._seeded: dict[str, tuple[str, dict[str, Any]]] = {}  # fixture -> (template, values of its lineage)
        self._values: dict[str, dict[str, Any]] = {}  # test database -> values of the fixtures seeded in it

    async def start(self) -> None:
        # Apart, because DROP DATABASE waits for a checkpoint (seconds on a busy server) and CREATE does not:
        # a new copy never queues behind the drops.
        self._creating = await asyncpg.create_pool(self.server_dsn, min_size=1, max_size=2)
        self._dropping = await asyncpg.create_pool(self.server_dsn, min_size=1, max_size=4)

    def _pools(self) -> tuple[asyncpg.Pool, asyncpg.Pool]:
        if self._creating is None or self._dropping is None:
            raise RuntimeError("TestDatabases.start() was not awaited")
        return self._creating, self._dropping

    def _new_name(self) -> str:
        return f"mattran_t{os.getpid()}_{next(self._numbers)}"

    async def _clone(self, template: str, name: str | None = None) -> str:
        name = name or self._new_name()
        await self._pools()[0].execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return name

    async def _drop_now(self, name: str) -> None:
        await self._pools()[1].execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    async def take(self, template: str) -> str:
        """A fresh copy of template (the one made ahead if there is one), and the next copy started."""
        spare = self._spares.pop(template, None)
        name = await spare if spare is not None else await self._clone(template)
        self._spares[template] = asyncio.create_task(self._clone(template))
        return name

    def drop(self, dsn: str) -> None:
        """Drop a test's database in the background."""
        self._values.pop(dsn, None)
        task = asyncio.create_task(self._drop_now(database_name(dsn)))
        self._drops.add(task)
        task.add_done_callback(self._keep_if_failed)

    def _keep_if_failed(self, task: asyncio.Task[None]) -> None:
        # A failed drop stays in the set, so close() raises its error instead of losing it.
        if task.exception() is None:
            self._drops.discard(task)

    async def retire(self, template: str) -> None:
        """Drop a template and the copy of it made ahead."""
        spare = self._spares.pop(template, None)
        if spare is not None:
            await self._drop_now(await spare)
        await self._drop_now(template)

    async def database_for(self, fixture_names: Iterable[str], migrated: str) -> str:
        """The DSN of a fresh database for a test using these fixtures (seeded templates made on first use)."""
        kind = seeded_template_for(fixture_names)
        if kind is None:
            return with_database(self.server_dsn, await self.take(migrated))
        template, values = await self._seeded_template(kind, migrated)
        dsn = with_database(self.server_dsn, await self.take(template))
        self._values[dsn] = values
        return dsn

    def seeded_value(self, database: str, name: str) -> Any:
        return self._values[database][name]

    async def _seeded_template(self, kind: str, migrated: str) -> tuple[str, dict[str, Any]]:
        if kind not in self._seeded:
            base = _KINDS[kind].base
            source, values = (migrated, {}) if base is None else await self._seeded_template(base, migrated)
            self._seeded[kind] = await self._seed(kind, source, values)
        return self._seeded[kind]

    async def _seed(self, kind: str, source: str, values: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        name = await self._clone(source, f"mattran_seed{os.getpid()}_{kind}")
        settings = settings_for(with_database(self.server_dsn, name))
        clock = FrozenClock(self.now)
        # The app's lifespan connects the shared pool to the template and disconnects it on the way out, so
        # nothing stays connected to the template (CREATE DATABASE ... TEMPLATE requires that).
        try:
            async with app_client(create_app(settings, clock)) as http:
                value = await _KINDS[kind].seed(Seeding(settings, clock, http, dict(values)))
            if clock.now() != self.now:
                raise RuntimeError(f"the seeder of {kind} moved the clock; tests would start at another instant")
        except BaseException:
            # Half-seeded: gone, so the next test using it seeds again (and reports the same error).
            await self._drop_now(name)
            raise
        return name, values | {kind: value}

    async def close(self) -> None:
        for template, _ in self._seeded.values():
            await self.retire(template)
        await asyncio.gather(*self._drops)
        for pool in self._pools():
            await pool.close()
