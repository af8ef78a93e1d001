"""Demo households load through COPY, deterministically and only once per seed."""

from __future__ import annotations

import pytest
from registry_helpers import residents_out_of_listing_order

from backend.features.registry.demo import seed_demo_households
from backend.features.units.service import UnitService
from backend.lib.clock import FrozenClock

pytestmark = pytest.mark.integration


async def test_demo_households_are_idempotent(connected: str, clock: FrozenClock) -> None:
    await UnitService(clock).seed_demo_areas(7)
    first = await seed_demo_households(clock, 7, 250)
    assert first["households"] == 250 and first["residents"] >= 250
    assert await seed_demo_households(clock, 7, 250) == {"households": 0, "residents": 0}
    assert await residents_out_of_listing_order() == 0
