"""The people of the library tests: a commune officer (writes and approves), a residential-area cadre
(writes, cannot publish) and a citizen; each with a bearer token."""

from __future__ import annotations

import pytest
from httpx import AsyncClient
from library_helpers import COMMUNE

from backend.lib.clock import FrozenClock
from backend.settings import Settings
from support.identity import access_token_for, bearer, make_account


@pytest.fixture
async def officer(client: AsyncClient, settings: Settings, clock: FrozenClock) -> dict[str, str]:
    await make_account(settings, clock, "lib_officer", "commune_officer", COMMUNE)
    return bearer(await access_token_for(client, "lib_officer"))


@pytest.fixture
async def citizen(client: AsyncClient, settings: Settings, clock: FrozenClock) -> dict[str, str]:
    await make_account(settings, clock, "lib_citizen", "citizen", "TW")
    return bearer(await access_token_for(client, "lib_citizen"))
