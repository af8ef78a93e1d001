"""Seeded fixtures (support/templates.py): every test using one starts from exactly the seeded state, in a
database of its own, whatever the tests before it did; a fixture built on another sees both seedings."""

from __future__ import annotations

import pytest

from backend import db
from support.templates import Seeding, seeded_fixture, seeded_template_for


async def seed_probe(seeding: Seeding) -> int:
    async with db.connection() as conn:
        await conn.execute("CREATE TABLE seeded_probe (id serial PRIMARY KEY, note text NOT NULL)")
        return int(await conn.fetchval("INSERT INTO seeded_probe (note) VALUES ('base') RETURNING id"))


async def seed_more(seeding: Seeding) -> int:
    async with db.connection() as conn:
        return int(await conn.fetchval("INSERT INTO seeded_probe (note) VALUES ('more') RETURNING id"))


system_probe = seeded_fixture("system_probe", seed_probe)
system_probe_more = seeded_fixture("system_probe_more", seed_more, base="system_probe")
# Built on nothing: a test may not use it together with the two above (never used, so never seeded).
system_probe_apart = seeded_fixture("system_probe_apart", seed_more)


async def notes() -> list[tuple[int, str]]:
    async with db.connection() as conn:
        return [(row["id"], row["note"]) for row in await conn.fetch("SELECT id, note FROM seeded_probe ORDER BY id")]


@pytest.mark.parametrize("run", [1, 2])
async def test_each_test_starts_from_the_seeded_state(connected: str, system_probe: int, run: int) -> None:
    assert await notes() == [(system_probe, "base")]
    async with db.connection() as conn:
        # The sequence goes on from where seeding left it, as it would had the test seeded by itself.
        added = await conn.fetchval("INSERT INTO seeded_probe (note) VALUES ('mine') RETURNING id")
        await conn.execute("DELETE FROM seeded_probe WHERE note = 'base'")
    assert added == system_probe + 1
    assert await notes() == [(added, "mine")]


async def test_a_fixture_built_on_another_sees_both(connected: str, system_probe: int, system_probe_more: int) -> None:
    assert await notes() == [(system_probe, "base"), (system_probe_more, "more")]


async def test_a_test_without_it_gets_the_migrated_template(connected: str) -> None:
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT to_regclass('seeded_probe')") is None


def test_seeded_fixtures_that_do_not_build_on_one_another_are_refused() -> None:
    assert seeded_template_for(["database", "system_probe", "system_probe_more"]) == "system_probe_more"
    assert seeded_template_for(["database", "client"]) is None
    with pytest.raises(pytest.UsageError, match="do not build on one another"):
        seeded_template_for(["system_probe_more", "system_probe_apart"])
