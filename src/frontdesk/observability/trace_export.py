"""The OpenTelemetry SDK side of tracing: provider, sampler and OTLP/HTTP exporter (ADR 0023).

Imported only when tracing is on (``tracing.configure_tracing``) and by tests, so a process
without ``OTEL_EXPORTER_OTLP_ENDPOINT`` never loads the trace SDK or the exporter.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from opentelemetry.context import Context
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import (
    Decision,
    ParentBased,
    Sampler,
    SamplingResult,
    TraceIdRatioBased,
)
from opentelemetry.trace import Link, SpanKind, TraceState
from opentelemetry.util.types import Attributes

# The share of request and job traces kept (0..1), OpenTelemetry's variable for a ratio sampler.
RATIO_VARIABLE = "OTEL_TRACES_SAMPLER_ARG"


class RequestsAndJobs(Sampler):
    """The root sampler: a trace starts at a request or a job (server and internal spans),
    ``ratio`` of them by trace id (all by default).

    A client span without a parent — the worker's idle polls, gauge queries, a connection
    checkout outside any request — starts no trace: those would be most traces and say nothing.
    Under ``ParentBased`` a span inside a sampled trace is sampled, inside a dropped one dropped
    (cheaply: its children are non-recording spans).
    """

    def __init__(self, ratio: float = 1.0) -> None:
        self._ratio = TraceIdRatioBased(ratio)

    def should_sample(
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: TraceState | None = None,
    ) -> SamplingResult:
        if kind == SpanKind.CLIENT:
            return SamplingResult(Decision.DROP)
        return self._ratio.should_sample(
            parent_context, trace_id, name, kind, attributes, links, trace_state
        )

    def get_description(self) -> str:
        return f"RequestsAndJobs{{{self._ratio.rate}}}"


def sampling_ratio(environ: Mapping[str, str] = os.environ) -> float:
    """``OTEL_TRACES_SAMPLER_ARG`` as a share in [0, 1]; 1 when unset or not a number (a typo
    must not switch tracing off)."""
    try:
        ratio = float(environ.get(RATIO_VARIABLE, "1"))
    except ValueError:
        return 1.0
    return min(1.0, max(0.0, ratio))


def build_provider(service_name: str, environ: Mapping[str, str] = os.environ) -> TracerProvider:
    """A tracer provider without processors: its resource names the service."""
    # Resource.create reads OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME; explicit attributes
    # would override them, so the default name is passed only when the operator gave none.
    attributes: dict[str, Any] = (
        {} if environ.get("OTEL_SERVICE_NAME") else {SERVICE_NAME: service_name}
    )
    root = RequestsAndJobs(sampling_ratio(environ))
    return TracerProvider(resource=Resource.create(attributes), sampler=ParentBased(root=root))


def otlp_provider(service_name: str, environ: Mapping[str, str] = os.environ) -> TracerProvider:
    """The provider of a traced process: spans batched in a background thread and sent as
    protobuf over HTTP to ``$OTEL_EXPORTER_OTLP_ENDPOINT/v1/traces`` (the exporter reads the
    endpoint, headers, timeout and compression from the standard variables). The provider
    flushes and stops the thread at interpreter exit."""
    provider = build_provider(service_name, environ)
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return provider
