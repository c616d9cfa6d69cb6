"""The OpenTelemetry SDK side of tracing: provider, sampler and OTLP/HTTP exporter (ADR 0023).

Imported only when tracing is on (``tracing.configure_tracing``) and by tests, so a process
without ``OTEL_EXPORTER_OTLP_ENDPOINT`` never loads the SDK.
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
from opentelemetry.sdk.trace.sampling import Decision, ParentBased, Sampler, SamplingResult
from opentelemetry.trace import Link, SpanKind, TraceState
from opentelemetry.util.types import Attributes


class RequestsAndJobs(Sampler):
    """The root sampler: a trace starts at a request or a job (server and internal spans).

    A client span without a parent — the worker's idle polls, gauge queries, a connection
    checkout outside any request — starts no trace: those would be most traces and say nothing.
    Under ``ParentBased`` a span inside a sampled trace is sampled, inside a dropped one dropped.
    """

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
        return SamplingResult(Decision.RECORD_AND_SAMPLE, attributes)

    def get_description(self) -> str:
        return "RequestsAndJobs"


def build_provider(service_name: str, environ: Mapping[str, str] = os.environ) -> TracerProvider:
    """A tracer provider without processors: its resource names the service."""
    # Resource.create reads OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME; explicit attributes
    # would override them, so the default name is passed only when the operator gave none.
    attributes: dict[str, Any] = (
        {} if environ.get("OTEL_SERVICE_NAME") else {SERVICE_NAME: service_name}
    )
    return TracerProvider(
        resource=Resource.create(attributes), sampler=ParentBased(root=RequestsAndJobs())
    )


def otlp_provider(service_name: str, environ: Mapping[str, str] = os.environ) -> TracerProvider:
    """The provider of a traced process: spans batched in a background thread and sent as
    protobuf over HTTP to ``$OTEL_EXPORTER_OTLP_ENDPOINT/v1/traces`` (the exporter reads the
    endpoint, headers, timeout and compression from the standard variables). The provider
    flushes and stops the thread at interpreter exit."""
    provider = build_provider(service_name, environ)
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return provider
