"""`mattran seed demo`: realistic, deterministic demo data for the features that exist.

Each feature contributes its own demo step; every step is idempotent, so seeding twice changes nothing.
"""

from __future__ import annotations

from backend.features.units.service import UnitService
from backend.lib.clock import Clock

DEFAULT_SEED = 2025


async def seed_demo(clock: Clock, seed: int = DEFAULT_SEED) -> dict[str, int]:
    return {"residential_areas": await UnitService(clock).seed_demo_areas(seed)}
