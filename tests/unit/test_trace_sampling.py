"""Which spans start a trace (ADR 0023): requests and jobs do, at the configured share; a client
span without a parent (a poll, a gauge query) never does; inside a kept trace everything is kept."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from opentelemetry import trace
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import Decision
from opentelemetry.trace import SpanKind

from frontdesk.observability.trace_export import (
    RequestsAndJobs,
    build_provider,
    sampling_ratio,
)

TRACE_IDS = st.integers(min_value=1, max_value=2**128 - 1)


@given(TRACE_IDS)
def test_a_client_span_without_a_parent_starts_no_trace(trace_id: int) -> None:
    result = RequestsAndJobs().should_sample(None, trace_id, "SELECT db", SpanKind.CLIENT)
    assert result.decision == Decision.DROP


@given(TRACE_IDS, st.sampled_from([SpanKind.SERVER, SpanKind.INTERNAL]))
def test_requests_and_jobs_are_all_kept_by_default_and_none_at_ratio_zero(
    trace_id: int, kind: SpanKind
) -> None:
    kept = RequestsAndJobs().should_sample(None, trace_id, "POST /x", kind)
    assert kept.decision == Decision.RECORD_AND_SAMPLE
    dropped = RequestsAndJobs(0.0).should_sample(None, trace_id, "POST /x", kind)
    assert dropped.decision == Decision.DROP


@given(st.text() | st.floats(allow_nan=True).map(str))
def test_the_ratio_is_a_share_and_a_typo_keeps_everything(text: str) -> None:
    ratio = sampling_ratio({"OTEL_TRACES_SAMPLER_ARG": text})
    assert 0.0 <= ratio <= 1.0
    try:
        number = float(text)
    except ValueError:
        assert ratio == 1.0
    else:
        if not math.isnan(number):
            assert ratio == min(1.0, max(0.0, number))


def test_unset_ratio_keeps_everything() -> None:
    assert sampling_ratio({}) == 1.0


def test_inside_a_kept_trace_client_spans_are_kept_and_orphans_are_not() -> None:
    exporter = InMemorySpanExporter()
    provider = build_provider("frontdesk-test", environ={})
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("test")
    with (
        tracer.start_as_current_span("GET /x", kind=SpanKind.SERVER),
        tracer.start_as_current_span("SELECT db", kind=SpanKind.CLIENT),
    ):
        pass
    with tracer.start_as_current_span("SELECT db", kind=SpanKind.CLIENT) as orphan:
        assert not orphan.is_recording()
        # A span inside a dropped trace is not kept either.
        with tracer.start_as_current_span("job x"):
            assert not trace.get_current_span().is_recording()
    assert [s.name for s in exporter.get_finished_spans()] == ["SELECT db", "GET /x"]
    assert dict(provider.resource.attributes)["service.name"] == "frontdesk-test"
    provider.shutdown()


def test_the_operators_service_name_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    # Resource.create reads the process environment; our default must not override it.
    monkeypatch.setenv("OTEL_SERVICE_NAME", "salon-api")
    provider = build_provider("frontdesk")
    assert provider.resource.attributes["service.name"] == "salon-api"
    provider.shutdown()
