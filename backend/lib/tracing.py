"""OpenTelemetry traces, off unless MATTRAN_OTEL_ENABLED (docs/observability.md).

Requests are traced by Litestar's OpenTelemetry plugin, database queries by the asyncpg instrumentation;
spans go over OTLP/HTTP wherever the standard OTEL_EXPORTER_OTLP_* variables say. The packages come with the
`otel` extra, so the default install stays small; they are imported only when tracing is switched on.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from backend.settings import Settings

if TYPE_CHECKING:
    from litestar.plugins import PluginProtocol
    from opentelemetry.sdk.trace.export import SpanExporter
    from opentelemetry.trace import Span

# Where the request's server span waits in the ASGI scope until routing has found the route's template.
_SERVER_SPAN = "mattran.otel_server_span"


def configure_tracing(settings: Settings, exporter: SpanExporter | None = None) -> None:
    """Once per process: the tracer provider every span goes to, and asyncpg's instrumentation."""
    if not settings.otel_enabled:
        return
    try:
        from opentelemetry import trace
        from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError as missing:
        raise SystemExit("MATTRAN_OTEL_ENABLED needs the otel extra: pip install 'mattran[otel]'") from missing
    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter()
    provider = TracerProvider(
        resource=Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME", "mattran")})
    )
    provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    AsyncPGInstrumentor().instrument()


def tracing_plugins(settings: Settings) -> list[PluginProtocol]:
    if not settings.otel_enabled:
        return []
    from litestar.plugins.opentelemetry import OpenTelemetryConfig, OpenTelemetryPlugin

    return [
        OpenTelemetryPlugin(
            OpenTelemetryConfig(
                server_request_hook_handler=_keep_server_span, client_response_hook_handler=_name_by_route
            )
        )
    ]


def _keep_server_span(span: Span, scope: dict[str, Any]) -> None:
    scope[_SERVER_SPAN] = span


def _name_by_route(_send_span: Span, scope: dict[str, Any], message: dict[str, Any]) -> None:
    """Name the server span after the route's template (`GET /api/v1/households/{household_id}`), not the
    raw path: the plugin names spans when the request arrives, before routing, with ids in them."""
    template = scope.get("path_template")
    server: Span | None = scope.get(_SERVER_SPAN)
    if message["type"] == "http.response.start" and template and server is not None:
        server.update_name(f"{scope.get('method', '')} {template}".strip())
        server.set_attribute("http.route", template)
