"""Prometheus metrics: what the processes count (requests, sign-in failures, sync conflicts, push deliveries)
and the text exposition served at GET /metrics (docs/observability.md lists every metric).

With `mattran serve --workers N` every web process counts on its own; prometheus_client's multiprocess mode
(PROMETHEUS_MULTIPROC_DIR, set by `serve` before the workers start) keeps each process's values in files
there, and a scrape of any worker adds them all up. The mode is chosen when prometheus_client is first
imported, so the directory must be in the environment before that: `prepare_multiprocess_dir` is called by
the parent process, whose children import everything afresh.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from litestar.types import HTTPScope
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
    start_http_server,
    values,
)
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# Label values must stay few: a route template (never the raw path, which carries ids), a known method,
# a status class.
UNMATCHED_ROUTE = "unmatched"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUEST_SECONDS = Histogram(
    "mattran_http_request_duration_seconds",
    "Time from a request's arrival to the end of its response, by route template.",
    ["method", "route", "status"],
    # From a cached read on a LAN to a slow sync batch or export over 3G.
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
LOGIN_FAILURES = Counter("mattran_login_failures_total", "Refused sign-ins, by reason.", ["reason"])
SYNC_CONFLICTS = Counter(
    "mattran_sync_conflicts_total", "Offline edits turned into a conflict for a human, by entity.", ["entity"]
)
PUSH_DELIVERIES = Counter(
    "mattran_push_deliveries_total", "Web Push deliveries settled by a worker, by outcome.", ["outcome"]
)
# A settled delivery's state (backend.features.notify.tables.DeliveryState) as the metric names it.
_PUSH_OUTCOMES = {"sent": "delivered", "to_send": "retry", "gone": "gone", "failed": "failed"}


def observe_request(scope: HTTPScope, status: int, seconds: float) -> None:
    # Litestar writes the matched route's template into the scope while routing; unrouted requests have none.
    route = str(scope.get("path_template") or UNMATCHED_ROUTE)
    method = scope["method"] if scope["method"] in METHODS else "OTHER"
    # Status 0: no response was started (the client went away, the task was cancelled).
    status_class = f"{status // 100}xx" if status else "aborted"
    REQUEST_SECONDS.labels(method, route, status_class).observe(seconds)


def count_login_failure(reason: str) -> None:
    LOGIN_FAILURES.labels(reason).inc()


def count_sync_conflicts(entities: Iterable[str]) -> None:
    for entity in entities:
        SYNC_CONFLICTS.labels(entity).inc()


def count_push_settlement(state: str) -> None:
    PUSH_DELIVERIES.labels(_PUSH_OUTCOMES.get(state, state)).inc()


def multiprocess_mode() -> bool:
    """Whether this process's metrics live in files (decided when prometheus_client was imported)."""
    return values.ValueClass is not values.MutexValue


def prepare_multiprocess_dir() -> Path:
    """A fresh directory for the metrics of the web processes about to start, in the environment they inherit.

    An operator's PROMETHEUS_MULTIPROC_DIR is used (and emptied: files of an earlier run would be added to this
    one's); otherwise a new temporary directory, which the caller removes when the processes have stopped."""
    chosen = os.environ.get(MULTIPROCESS_ENV) or tempfile.mkdtemp(prefix="mattran-metrics-")
    path = Path(chosen)
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    os.environ[MULTIPROCESS_ENV] = str(path)
    return path


class _Families(Collector):
    """Metric families computed for one scrape (figures read from the database just before)."""

    def __init__(self, families: list[Metric]) -> None:
        self.families = families

    def collect(self) -> Iterator[Metric]:
        yield from self.families


def _counted() -> CollectorRegistry:
    """This process's metrics, or those of every process sharing the multiprocess directory."""
    if not multiprocess_mode():
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


def serve_worker_metrics(host: str, port: int) -> None:
    """`mattran worker` answers no HTTP otherwise: its counts (push deliveries) get a scrape port of their own."""
    start_http_server(port, addr=host, registry=_counted())


def exposition(scraped: list[Metric]) -> bytes:
    """The text format of every metric of the processes, followed by the families read for this scrape."""
    counted = generate_latest(_counted())
    extra = CollectorRegistry(auto_describe=False)
    extra.register(_Families(scraped))
    return counted + generate_latest(extra)
