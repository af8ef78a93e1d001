"""The web app's static files and their version (a hash of their content): it names the service worker's
caches and busts browser caches, so a deploy never mixes old and new files."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from reactpy.backend._common import CLIENT_BUILD_DIR

STATIC_DIR = Path(__file__).resolve().parent / "static"
REACTPY_ASSETS_DIR = CLIENT_BUILD_DIR / "assets"
STATIC_PREFIX = "/static"
REACTPY_ASSETS_PREFIX = "/_reactpy/assets"


@lru_cache(maxsize=1)
def reactpy_client() -> str:
    """URL of reactpy's client bundle (its file name carries the bundle's own hash)."""
    bundle = next(p for p in sorted(REACTPY_ASSETS_DIR.glob("index.*.js")))
    return f"{REACTPY_ASSETS_PREFIX}/{bundle.name}"


@lru_cache(maxsize=1)
def version() -> str:
    digest = hashlib.sha256()
    for path in sorted(STATIC_DIR.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(STATIC_DIR).as_posix().encode())
            digest.update(path.read_bytes())
    digest.update(reactpy_client().encode())
    return digest.hexdigest()[:12]


def static_url(name: str) -> str:
    return f"{STATIC_PREFIX}/{name}?v={version()}"


def precached_urls() -> list[str]:
    """What the service worker stores at install: the shell works offline from the first visit on."""
    return [
        "/offline",
        reactpy_client(),
        static_url("app.css"),
        static_url("app.js"),
        static_url("outbox.js"),
        "/manifest.webmanifest",
        f"{STATIC_PREFIX}/icons/icon-192.png",
        f"{STATIC_PREFIX}/icons/badge-96.png",
    ]
