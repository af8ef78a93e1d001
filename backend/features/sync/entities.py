"""The entities `/api/v1/sync` carries. The registry issue adds its handlers (households, residents,
visits) to this list; nothing else in the sync core changes."""

from __future__ import annotations

from backend.features.sync.drafts import DraftHandler
from backend.features.sync.handlers import Registry
from backend.lib.clock import Clock


def default_registry(clock: Clock) -> Registry:
    return Registry([DraftHandler(clock)])
