"""Recording the spans a test's code makes: the SDK with an in-memory exporter, installed the
way ``configure_tracing`` installs the OTLP one (same sampler, same instrumentation points)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from frontdesk.observability import tracing
from frontdesk.observability.trace_export import build_provider

# Words of the demo's customers and the REST tests' caller that must never be a span attribute.
PERSONAL = ("+49151", "015112345678", "Erika", "Mustermann")


@contextmanager
def recording() -> Iterator[InMemorySpanExporter]:
    """Trace into memory for the block: apps, engines and clients made inside are traced."""
    exporter = InMemorySpanExporter()
    provider = build_provider("frontdesk-test")
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.install(provider)
    try:
        yield exporter
    finally:
        tracing.uninstall()
        provider.shutdown()


def named(spans: tuple[ReadableSpan, ...], name: str) -> ReadableSpan:
    found = [s for s in spans if s.name == name]
    assert len(found) == 1, (name, [s.name for s in spans])
    return found[0]


def children(spans: tuple[ReadableSpan, ...], parent: ReadableSpan) -> list[ReadableSpan]:
    return [s for s in spans if s.parent is not None and s.parent.span_id == span_id(parent)]


def span_id(span: ReadableSpan) -> int:
    assert span.context is not None
    return span.context.span_id


def trace_hex(span: ReadableSpan) -> str:
    assert span.context is not None
    return format(span.context.trace_id, "032x")


def sql_spans(spans: list[ReadableSpan]) -> list[ReadableSpan]:
    return [s for s in spans if s.kind == SpanKind.CLIENT and "db.system" in (s.attributes or {})]


def statements(spans: list[ReadableSpan]) -> list[str]:
    return [str((s.attributes or {}).get("db.statement", "")) for s in sql_spans(spans)]


def assert_no_personal_data(spans: tuple[ReadableSpan, ...]) -> None:
    for span in spans:
        for key, value in (span.attributes or {}).items():
            text = str(value)
            assert not any(word in text for word in PERSONAL), (span.name, key, text)
