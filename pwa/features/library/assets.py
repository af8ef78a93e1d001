"""The library's browser script (offline packs), served at a fixed path the service worker keeps."""

from __future__ import annotations

from pathlib import Path

from litestar import Response, get

OFFLINE_SCRIPT = Path(__file__).parent / "offline.js"
OFFLINE_SCRIPT_PATH = "/library/offline.js"


@get(OFFLINE_SCRIPT_PATH, include_in_schema=False, sync_to_thread=False)
def offline_script() -> Response[bytes]:
    # no-cache: the service worker revalidates it (network first), so a new version reaches phones.
    return Response(OFFLINE_SCRIPT.read_bytes(), media_type="text/javascript", headers={"Cache-Control": "no-cache"})
