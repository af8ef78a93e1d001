"""create_app(settings) -> the one Litestar ASGI app: API, (later) OIDC provider and PWA."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import cast

import msgspec
from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin
from litestar.static_files import create_static_files_router
from litestar.types import (
    HTTPResponseStartEvent,
    HTTPScope,
    LifeSpanReceive,
    LifeSpanScope,
    LifeSpanSend,
    Message,
    Receive,
    Scope,
    Send,
)
from swagger_ui_bundle import swagger_ui_path

from backend import db
from backend.features.assistant.controllers import ASSISTANT_CONTROLLERS
from backend.features.congress.controllers import CONGRESS_CONTROLLERS
from backend.features.identity import keys
from backend.features.identity.bff_controllers import BFF_ROUTES
from backend.features.identity.controllers import AccountController, MeController
from backend.features.identity.oauth_errors import OAuthError, oauth_error_response
from backend.features.identity.oidc_controllers import OIDC_ROUTES
from backend.features.identity.security_audit import audit_security_failure
from backend.features.jobs.worker import in_process_worker
from backend.features.library.controllers import LIBRARY_CONTROLLERS
from backend.features.notify.controllers import NotificationController, PushController
from backend.features.petitions.controllers import PetitionController
from backend.features.petitions.open311_controllers import Open311Controller
from backend.features.registry.controllers import REGISTRY_CONTROLLERS
from backend.features.registry.transfer_controllers import TRANSFER_CONTROLLERS
from backend.features.reports.controllers import REPORT_CONTROLLERS
from backend.features.sync.controllers import DraftController, SyncController
from backend.features.system.controllers import SYSTEM_ROUTES
from backend.features.units.controllers import UnitController
from backend.lib import metrics
from backend.lib.clock import Clock, SystemClock
from backend.lib.errors import EXCEPTION_HANDLERS, PROBLEM_MEDIA_TYPE, build_problem
from backend.lib.i18n import negotiate_language, translate
from backend.lib.logging import configure_logging
from backend.lib.rate_limit import STORE_NAME, anonymous_write_limit, rate_limit_store
from backend.lib.request_context import begin_request
from backend.lib.security_headers import with_security_headers
from backend.lib.tracing import configure_tracing, tracing_plugins
from backend.migrations import ensure_web_client
from backend.settings import Settings, get_settings
from backend.version import VERSION
from pwa.app import pwa_routes
from pwa.features.library.assets import offline_script

access_log = logging.getLogger("mattran.access")

SWAGGER_ASSETS = "/schema/assets"


class MattranApp(Litestar):
    """Litestar plus what must happen before routing, for every request: a request id (echoed in the
    X-Request-ID header and logs), an access log line, and refusal of a declared body over the limit
    (413) before anything reads it, whatever the route."""

    async def __call__(
        self,
        scope: Scope | LifeSpanScope,
        receive: Receive | LifeSpanReceive,
        send: Send | LifeSpanSend,
    ) -> None:
        if scope["type"] == "http":
            await self._serve_http(cast(HTTPScope, scope), cast(Receive, receive), cast(Send, send))
        else:
            await super().__call__(scope, receive, send)

    async def _serve_http(self, scope: HTTPScope, receive: Receive, send: Send) -> None:
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        request_id = begin_request(headers.get("x-request-id"))
        started = time.perf_counter()
        status = 0

        async def send_with_request_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
                message["headers"] = with_security_headers(headers, scope["path"], https=self._https)
            await send(message)

        try:
            if self._declared_body_too_large(headers):
                await self._refuse_too_large(scope, headers, send_with_request_id)
            else:
                await super().__call__(scope, receive, send_with_request_id)
        finally:
            elapsed = time.perf_counter() - started
            metrics.observe_request(scope, status, elapsed)
            duration_ms = round(elapsed * 1000, 2)
            access_log.info(
                "%s %s %s",
                scope["method"],
                scope["path"],
                status,
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "route": scope.get("path_template"),  # groups lines by route, as /metrics does
                    "status": status,
                    "duration_ms": duration_ms,
                },
            )

    @property
    def _https(self) -> bool:
        settings: Settings = self.state.settings
        return settings.public_url.startswith("https://")

    def _declared_body_too_large(self, headers: dict[str, str]) -> bool:
        declared = headers.get("content-length", "")
        return declared.isdigit() and int(declared) > self.state.settings.max_body_bytes

    async def _refuse_too_large(self, scope: HTTPScope, headers: dict[str, str], send: Send) -> None:
        settings: Settings = self.state.settings
        language = negotiate_language(headers.get("accept-language"), settings.default_language)
        problem = build_problem(
            413,
            "request-too-large",
            translate("problem.too_large.title", language),
            detail=translate("problem.too_large.detail", language, limit=settings.max_body_bytes),
            instance=scope["path"],
        )
        body = msgspec.json.encode(problem)
        start: HTTPResponseStartEvent = {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
        await send(start)
        await send({"type": "http.response.body", "body": body, "more_body": False})


def _openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Mặt trận số API",
        version=VERSION,
        description="API of the digital platform of the Vietnam Fatherland Front. Errors are RFC 9457 "
        "problem+json; lists are cursor-paginated; text search ignores Vietnamese diacritics.",
        path="/schema",
        render_plugins=[
            JsonRenderPlugin(),
            SwaggerRenderPlugin(
                path=["/", "/swagger"],
                js_url=f"{SWAGGER_ASSETS}/swagger-ui-bundle.js",
                css_url=f"{SWAGGER_ASSETS}/swagger-ui.css",
                standalone_preset_js_url=f"{SWAGGER_ASSETS}/swagger-ui-standalone-preset.js",
                favicon=f"<link rel='icon' type='image/png' href='{SWAGGER_ASSETS}/favicon-32x32.png'>",
            ),
        ],
    )


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> MattranApp:
    settings = settings or get_settings()
    clock = clock or SystemClock()

    @asynccontextmanager
    async def database_lifespan(app: Litestar) -> AsyncIterator[None]:
        dsn = settings.database_url or db.start_embedded_postgres(settings.embedded_pgdata)
        await db.connect(
            dsn,
            min_size=settings.db_pool_min,
            max_size=settings.db_pool_max,
            statement_cache_size=settings.db_statement_cache_size,
        )
        keys.forget_cached()
        # The web app's redirect URIs follow MATTRAN_PUBLIC_URL, which may change without a migration.
        await ensure_web_client(settings)
        try:
            yield
        finally:
            await db.disconnect()

    rate_limit = anonymous_write_limit(settings)

    def provide_clock(state: State) -> Clock:
        clock_: Clock = state.clock
        return clock_

    return MattranApp(
        route_handlers=[
            *SYSTEM_ROUTES,
            UnitController,
            AccountController,
            MeController,
            PushController,
            NotificationController,
            SyncController,
            DraftController,
            *REGISTRY_CONTROLLERS,
            PetitionController,
            Open311Controller,
            *LIBRARY_CONTROLLERS,
            offline_script,
            *TRANSFER_CONTROLLERS,
            *CONGRESS_CONTROLLERS,
            *REPORT_CONTROLLERS,
            *ASSISTANT_CONTROLLERS,
            *OIDC_ROUTES,
            *BFF_ROUTES,
            *pwa_routes(),
            create_static_files_router(path=SWAGGER_ASSETS, directories=[swagger_ui_path], name="swagger-assets"),
        ],
        dependencies={"clock": Provide(provide_clock, sync_to_thread=False)},
        exception_handlers={**EXCEPTION_HANDLERS, OAuthError: oauth_error_response},
        after_exception=[audit_security_failure],
        middleware=[rate_limit.middleware] if rate_limit else [],
        stores={STORE_NAME: rate_limit_store(settings)},
        # The worker (when it runs in this process) starts after the pool and stops before it.
        lifespan=[database_lifespan, in_process_worker],
        plugins=tracing_plugins(settings),
        state=State({"settings": settings, "clock": clock}),
        openapi_config=_openapi_config(),
        compression_config=CompressionConfig(backend="gzip", minimum_size=1024),
        request_max_body_size=settings.max_body_bytes,
        logging_config=None,
        debug=False,
    )


def create_app_from_env() -> MattranApp:
    """Factory for uvicorn (`mattran serve` passes the resolved DATABASE_URL through the environment).

    With `--workers N` each worker is a fresh process that imports this factory, so it sets up logging
    itself; otherwise the access log and every other record of those workers would be lost."""
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    configure_tracing(settings)
    return create_app(settings)
