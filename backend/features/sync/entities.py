"""The entities `/api/v1/sync` carries: drafts, the registry's households, residents and visits, and petitions.
Nothing else in the sync core changes when an entity is added."""

from __future__ import annotations

from backend.features.petitions.sync_handlers import PetitionHandler
from backend.features.registry.sync_handlers import registry_handlers
from backend.features.sync.drafts import DraftHandler
from backend.features.sync.handlers import Registry
from backend.lib.clock import Clock
from backend.settings import Settings, get_settings


def default_registry(clock: Clock, settings: Settings | None = None) -> Registry:
    settings = settings or get_settings()
    return Registry([DraftHandler(clock), *registry_handlers(settings, clock), PetitionHandler(settings, clock)])
