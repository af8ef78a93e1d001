"""`mattran seed demo`: realistic, deterministic demo data for the features that exist.

Each feature contributes its own demo step; every step is idempotent, so seeding twice changes nothing.
"""

from __future__ import annotations

from backend.features.registry.demo import seed_demo_households
from backend.features.units.service import UnitService
from backend.lib.clock import Clock

DEFAULT_SEED = 2025
DEFAULT_HOUSEHOLDS = 300


async def seed_demo(clock: Clock, seed: int = DEFAULT_SEED, households: int = DEFAULT_HOUSEHOLDS) -> dict[str, int]:
    areas = await UnitService(clock).seed_demo_areas(seed)
    return {"residential_areas": areas, **await seed_demo_households(clock, seed, households)}
