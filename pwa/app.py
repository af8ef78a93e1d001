"""The web app's routes inside the one Litestar app: pages (pre-rendered, then live over reactpy's
websocket), the manifest, the service worker, static files and the offline page."""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import parse_qsl

from litestar import Request, Response, WebSocket, get, websocket
from litestar.datastructures import CacheControlHeader, Cookie
from litestar.handlers import BaseRouteHandler
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect
from litestar.static_files import create_static_files_router

from backend.features.identity.bff_controllers import safe_next
from backend.lib.i18n import translate
from pwa.assets import REACTPY_ASSETS_DIR, REACTPY_ASSETS_PREFIX, STATIC_DIR, STATIC_PREFIX, precached_urls, version
from pwa.document import THEME_COLOR, document
from pwa.pages import PAGES, App
from pwa.reactpy_litestar import install_task_local_hook_stack, prerender, serve_socket
from pwa.session import LANGUAGE_COOKIE, page_language, page_session

PAGE_HEADERS = {"Cache-Control": "no-cache", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin"}


@get(list(PAGES), include_in_schema=False)
async def page(request: Request[Any, Any, Any]) -> Response[str]:
    session = await page_session(request)
    path = request.url.path
    query = dict(parse_qsl(request.url.query))
    data = await PAGES[path].load(session, query)
    html = await prerender(App(session, path, data), request.scope, path, request.url.query)
    title = translate(PAGES[path].title_key, session.language)
    return Response(document(session.language, title, html), media_type="text/html", headers=PAGE_HEADERS)


async def _stream(socket: WebSocket[Any, Any, Any], path: str) -> None:
    # Cookies authenticate the socket, so only pages of this origin may open it (cross-site hijacking).
    origin = socket.headers.get("origin")
    if origin is not None and origin != socket.app.state.settings.issuer and origin != _own_origin(socket):
        await socket.close(code=4403)
        return
    await socket.accept()
    session = await page_session(socket)
    query_string = socket.scope.get("query_string", b"").decode()
    page_path = path if path in PAGES else "/"
    data = await PAGES[page_path].load(session, dict(parse_qsl(query_string)))
    await serve_socket(socket, App(session, path, data), path, f"?{query_string}" if query_string else "")


def _own_origin(socket: WebSocket[Any, Any, Any]) -> str:
    scheme = "https" if socket.url.scheme in ("wss", "https") else "http"
    return f"{scheme}://{socket.headers.get('host', '')}"


@websocket("/_reactpy/stream", include_in_schema=False)
async def stream_root(socket: WebSocket[Any, Any, Any]) -> None:
    await _stream(socket, "/")


@websocket("/_reactpy/stream/{path:path}", include_in_schema=False)
async def stream_page(socket: WebSocket[Any, Any, Any], path: FromPath[str]) -> None:
    await _stream(socket, path if path.startswith("/") else f"/{path}")


@get("/lang/{language:str}", include_in_schema=False)
async def switch_language(
    language: FromPath[str], next_path: Annotated[str | None, QueryParameter(name="next")] = None
) -> Response[Any]:
    response: Response[Any] = Redirect(safe_next(next_path))
    if language in ("vi", "en"):
        response.set_cookie(
            Cookie(key=LANGUAGE_COOKIE, value=language, max_age=365 * 24 * 3600, path="/", samesite="lax", secure=True)
        )
    return response


@get("/manifest.webmanifest", include_in_schema=False)
async def manifest(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    language = page_language(request)
    body = {
        "id": "/",
        "name": translate("pwa.name", language),
        "short_name": translate("pwa.name", language),
        "description": translate("pwa.tagline", language),
        "lang": language,
        "start_url": "/?source=pwa",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOR,
        "categories": ["government", "social"],
        "icons": [
            {"src": "/static/icons/icon-192.png", "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": "/static/icons/icon-512.png", "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {
                "src": "/static/icons/icon-maskable-512.png",
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
        "screenshots": [
            {"src": "/static/screenshots/phone.png", "sizes": "360x740", "type": "image/png", "form_factor": "narrow"},
            {"src": "/static/screenshots/wide.png", "sizes": "1280x800", "type": "image/png", "form_factor": "wide"},
        ],
    }
    return Response(body, media_type="application/manifest+json", headers={"Cache-Control": "no-cache"})


@get("/sw.js", include_in_schema=False)
async def service_worker() -> Response[str]:
    """The worker script with this deploy's version and precache list; never cached by HTTP, so browsers
    notice a new deploy on their next visit."""
    script = (STATIC_DIR / "sw.js").read_text(encoding="utf-8")
    config = json.dumps({"version": version(), "precache": precached_urls(), "outbox": f"{STATIC_PREFIX}/outbox.js"})
    return Response(
        f"self.MATTRAN = {config};\n{script}",
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"},
    )


@get("/offline", include_in_schema=False)
async def offline(request: Request[Any, Any, Any]) -> Response[str]:
    language = page_language(request)
    body = (
        f'<main class="content"><h1>{translate("pwa.offline.title", language)}</h1>'
        f'<p>{translate("pwa.offline.body", language)}</p><p><a class="button" href="/">'
        f"{translate('pwa.nav.home', language)}</a></p></main>"
    )
    return Response(
        document(language, translate("pwa.offline.title", language), body, live=False),
        media_type="text/html",
        headers={"Cache-Control": "no-cache"},
    )


def pwa_routes() -> list[BaseRouteHandler | Any]:
    install_task_local_hook_stack()
    immutable = CacheControlHeader(max_age=365 * 24 * 3600, public=True)
    return [
        page,
        stream_root,
        stream_page,
        switch_language,
        manifest,
        service_worker,
        offline,
        create_static_files_router(
            path=STATIC_PREFIX, directories=[STATIC_DIR], name="pwa-static", cache_control=immutable
        ),
        create_static_files_router(
            path=REACTPY_ASSETS_PREFIX, directories=[REACTPY_ASSETS_DIR], name="reactpy-assets", cache_control=immutable
        ),
    ]
