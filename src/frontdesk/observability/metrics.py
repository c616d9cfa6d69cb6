"""Prometheus metrics of the process, and their exposition (multi-process aware)."""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.registry import REGISTRY

HTTP_REQUESTS = Counter(
    "frontdesk_http_requests_total",
    "HTTP requests answered, by route template and status code.",
    ["method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "frontdesk_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)


def render_metrics() -> tuple[bytes, str]:
    """The exposition body and its content type.

    With several worker processes ``PROMETHEUS_MULTIPROC_DIR`` is set by the start script and the
    per-process files are merged; otherwise the default registry is rendered.
    """
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
