"""The assistant tests' world: the demo data (areas, households, congresses, library, petitions) of a
small commune, visits and petitions recorded in it, a commune officer and an officer of another commune,
with bearer tokens. Seeded once per run into a template that each test using it gets a copy of."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from assistant_helpers import FILED, World

from backend import db
from backend.features.petitions.service import PetitionService
from backend.features.registry.service import RegistryService
from backend.lib.access import Principal, Role, ScopedRole
from backend.lib.clock import FrozenClock
from backend.seed import seed_demo
from backend.settings import Settings
from schemas.petitions import PetitionCreate
from schemas.registry import VisitCreate
from support.identity import access_token_for, bearer, make_account
from support.templates import Seeding, seeded_fixture

# (household index, day, concerns): household 0 twice, so visits and visited households differ.
VISITS = (
    (0, date(2026, 2, 3), "Đường ngõ ngập khi mưa"),
    (0, date(2026, 2, 20), ""),
    (1, date(2026, 3, 1), ""),
    (2, date(2025, 12, 15), "Cần hỗ trợ sửa nhà"),
    (3, date(2026, 1, 9), "Lo ngại ô nhiễm từ xưởng gỗ"),
)


async def record_visits(settings: Settings, clock: FrozenClock, commune: str, officer: uuid.UUID) -> None:
    async with db.connection() as conn:
        path = await conn.fetchval("SELECT path FROM units WHERE code = $1", commune)
        households = await conn.fetch(
            "SELECT id FROM households WHERE unit_path LIKE $1 AND deleted_at IS NULL AND status = 'active'"
            " ORDER BY id",
            f"{path}/%",
        )
    principal = Principal(
        account_id=officer, client_id="test", roles=(ScopedRole(Role.commune_officer, commune, path),)
    )
    registry = RegistryService(settings, clock)
    for index, day, concerns in VISITS:
        visit = VisitCreate(
            id=uuid.uuid4(), household_id=households[index]["id"], visited_on=day, purpose="Thăm hỏi", concerns=concerns
        )
        await registry.record_visit(principal, visit)


async def seed_world(seeding: Seeding) -> World:
    settings, clock, client = seeding.settings, seeding.clock, seeding.http
    await seed_demo(settings, clock, households=40)
    async with db.connection() as conn:
        # The demo commune with the most households, and its first residential area that has some.
        area = await conn.fetchrow(
            "SELECT a.code, a.parent FROM units a WHERE a.parent = (SELECT a2.parent FROM units a2"
            " JOIN households h ON h.unit_code = a2.code GROUP BY a2.parent ORDER BY count(*) DESC, a2.parent LIMIT 1)"
            " AND EXISTS (SELECT 1 FROM households h WHERE h.unit_code = a.code) ORDER BY a.code LIMIT 1"
        )
        other = await conn.fetchval(
            "SELECT code FROM units WHERE level = 'commune' AND code <> $1 AND valid_to IS NULL ORDER BY code LIMIT 1",
            area["parent"],
        )
    petitions = PetitionService(settings, clock)
    for number, category in enumerate(FILED):
        data = PetitionCreate(
            title=f"Phản ánh số {number + 1} về {category}",
            description="Nội dung phản ánh của người dân trong khu dân cư, cần được xem xét giải quyết.",
            unit_code=area["code"],
            category_code=category,
            contact_phone="0912345678",
        )
        await petitions.file(None, data)
    officer = await make_account(settings, clock, "as_officer", "commune_officer", area["parent"])
    await record_visits(settings, clock, area["parent"], officer)
    await make_account(settings, clock, "as_outsider", "commune_officer", other)
    return World(
        commune=area["parent"],
        area=area["code"],
        officer=bearer(await access_token_for(client, "as_officer")),
        outsider=bearer(await access_token_for(client, "as_outsider")),
        outsider_commune=other,
    )


# Named for the feature: seeded fixtures are found by name among a test's fixtures, and `world` is common.
assistant_world = seeded_fixture("assistant_world", seed_world)


@pytest.fixture
def world(assistant_world: World) -> World:
    return assistant_world
