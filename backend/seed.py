"""`mattran seed demo`: realistic, deterministic demo data for the features that exist.

Each feature contributes its own demo step; every step is idempotent, so seeding twice changes nothing.
"""

from __future__ import annotations

from backend import db
from backend.features.congress.demo import seed_demo_congresses
from backend.features.identity.service import AccountService, Caller
from backend.features.library.demo import seed_demo_library
from backend.features.petitions.demo import seed_demo_petitions
from backend.features.registry.demo import seed_demo_households
from backend.features.reports.demo import seed_demo_reports
from backend.features.units.service import UnitService
from backend.lib.clock import Clock
from backend.settings import Settings
from schemas.identity import AccountCreate, RoleGrant

DEFAULT_SEED = 2025
DEFAULT_HOUSEHOLDS = 300


# Demo sign-ins, so whoever runs the demo can try the staff side. Only `seed demo` creates them: never seed
# demo data into a production database.
DEMO_PASSWORD = "demo-mattran-2026"
DEMO_COMMUNE_OFFICER = "demo.xa"
DEMO_AREA_CADRE = "demo.kdc"


async def seed_demo(
    settings: Settings, clock: Clock, seed: int = DEFAULT_SEED, households: int = DEFAULT_HOUSEHOLDS
) -> dict[str, int]:
    areas = await UnitService(clock).seed_demo_areas(seed)
    counts = {"residential_areas": areas, **await seed_demo_households(clock, seed, households)}
    counts |= await seed_demo_congresses(settings, clock, seed)
    counts |= await seed_demo_library(settings, clock)
    counts |= await seed_demo_petitions(settings, clock, seed)
    counts |= await seed_demo_reports(clock, seed)
    return counts | {"accounts": await seed_demo_accounts(settings, clock)}


async def seed_demo_accounts(settings: Settings, clock: Clock) -> int:
    """A commune officer and a cadre of one of its residential areas (the first demo area that has
    households), unless they exist already."""
    async with db.connection() as conn:
        area = await conn.fetchrow(
            "SELECT a.code, a.parent FROM units a WHERE a.level = 'residential_area'"
            " AND EXISTS (SELECT 1 FROM households h WHERE h.unit_code = a.code) ORDER BY a.code LIMIT 1"
        )
        existing = await conn.fetchval(
            "SELECT count(*) FROM accounts WHERE lower(username) = ANY($1::text[])",
            [DEMO_COMMUNE_OFFICER, DEMO_AREA_CADRE],
        )
    if area is None or existing:
        return 0
    accounts = AccountService(settings, clock)
    for username, name, role, unit in (
        (DEMO_COMMUNE_OFFICER, "Cán bộ xã (demo)", "commune_officer", area["parent"]),
        (DEMO_AREA_CADRE, "Cán bộ khu dân cư (demo)", "area_cadre", area["code"]),
    ):
        data = AccountCreate(
            username=username, password=DEMO_PASSWORD, display_name=name, roles=[RoleGrant(role=role, unit_code=unit)]
        )
        await accounts.create_account(data, "seed", Caller(ip="seed"))
    return 2
