"""OpenTelemetry, switched on by MATTRAN_OTEL_ENABLED: a request gives a server span named after its route
template, with the database queries it made as spans of the same trace."""

from __future__ import annotations

import httpx
import pytest
from opentelemetry import trace
from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from backend.app import create_app
from backend.lib.clock import FrozenClock
from backend.lib.tracing import configure_tracing
from support.config import settings_for
from support.servers import app_running

pytestmark = pytest.mark.integration


async def test_a_request_is_traced_with_its_queries(database: str, clock: FrozenClock) -> None:
    exporter = InMemorySpanExporter()
    settings = settings_for(database, otel_enabled=True)
    configure_tracing(settings, exporter)
    try:
        app = create_app(settings, clock)
        async with (
            app_running(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://t") as http,
        ):
            assert (await http.get("/api/v1/units/00070")).status_code == 200
    finally:
        AsyncPGInstrumentor().uninstrument()
    provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)
    provider.force_flush()

    spans = exporter.get_finished_spans()
    [server] = [span for span in spans if span.kind == SpanKind.SERVER]
    assert server.name == "GET /api/v1/units/{code}"  # the template, not /api/v1/units/00070
    assert server.attributes is not None and server.attributes["http.route"] == "/api/v1/units/{code}"
    queries = [
        span
        for span in spans
        if span.attributes
        and span.attributes.get("db.system") == "postgresql"
        and span.context.trace_id == server.context.trace_id
    ]
    assert queries, [span.name for span in spans]


def test_tracing_is_off_by_default(database: str, clock: FrozenClock) -> None:
    app = create_app(settings_for(database), clock)
    assert "OpenTelemetryPlugin" not in {type(plugin).__name__ for plugin in app.plugins}
