"""One seeded source database and its backup, shared by the backup tests (seeding is the slow part)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from backup_helpers import HOUSEHOLDS, Source, mattran, new_database, photo, table_counts

from backend import db
from backend.features.petitions.service import PetitionService
from backend.lib.access import Principal, Role, ScopedRole
from backend.lib.clock import FrozenClock
from backend.seed import seed_demo
from support.commands import command_env
from support.config import settings_for


@pytest.fixture(scope="session")
def template_name(template_dsn: str) -> str:
    return urlsplit(template_dsn).path.lstrip("/")


@pytest.fixture(scope="session")
async def source(
    server_dsn: str, template_name: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Source]:
    """Demo data (a few hundred households, the demo library with its original files, petitions) plus a
    photo attached to a petition, then `mattran backup` of it all."""
    files = tmp_path_factory.mktemp("source-files")
    async with new_database(server_dsn, template_name) as dsn:
        settings = settings_for(dsn, petitions_storage_dir=str(files))
        clock = FrozenClock(datetime(2026, 3, 2, 3, 0, tzinfo=UTC))
        await db.connect(dsn, min_size=1, max_size=4)
        try:
            await seed_demo(settings, clock, households=HOUSEHOLDS)
            async with db.connection() as conn:
                petition_id: uuid.UUID = await conn.fetchval("SELECT id FROM petitions ORDER BY id LIMIT 1")
            staff = Principal(account_id=None, client_id="test", roles=(ScopedRole(Role.central_admin, "TW", "TW"),))
            await PetitionService(settings, clock).add_attachment(staff, petition_id, photo(), "hien-truong.png")
        finally:
            await db.disconnect()
        archive = tmp_path_factory.mktemp("archive") / "mattran.tar"
        made = mattran(
            command_env(DATABASE_URL=dsn, MATTRAN_PETITIONS_STORAGE_DIR=str(files)), "backup", "--output", str(archive)
        )
        assert made.returncode == 0, made.stderr
        yield Source(dsn=dsn, files=files, archive=archive, counts=await table_counts(dsn), backup_output=made.stdout)
