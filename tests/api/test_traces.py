"""Traces through the ASGI app (ADR 0023): one trace per request, HTTP → use case → SQL, the
same trace id on the request's log lines, no personal data in attributes — and nothing at all
(no provider, no middleware, no hooks, no ids in logs) when tracing is off."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import httpx
import pytest
import structlog
from opentelemetry import trace
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from sqlalchemy.ext.asyncio import AsyncEngine
from tests.app_support import DEMO_KEY, client_for, settings_for
from tests.clock_support import NOW, FakeClock
from tests.rest_support import booking
from tests.trace_support import (
    assert_no_personal_data,
    children,
    named,
    recording,
    statements,
    trace_hex,
)
from tests.voice_support import retell_client, seed

from frontdesk.app import create_app
from frontdesk.observability import requests, tracing
from frontdesk.observability.logging import configure_logging, get_logger


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    with recording() as exporter:
        yield exporter


@pytest.fixture
async def traced_client(
    db: AsyncEngine, spans: InMemorySpanExporter
) -> AsyncIterator[httpx.AsyncClient]:
    """The demo salon over an app built while tracing into ``spans``."""
    await seed(db)
    async for client in client_for(create_app(settings_for(db), clock=lambda: NOW)):
        client.headers["Authorization"] = f"Bearer {DEMO_KEY}"
        spans.clear()
        yield client


async def test_a_rest_booking_is_one_trace_from_http_through_the_use_case_to_sql(
    traced_client: httpx.AsyncClient, spans: InMemorySpanExporter
) -> None:
    response = await traced_client.post("/api/v1/appointments", json=booking())
    assert response.status_code == 201, response.text
    finished = spans.get_finished_spans()
    server = named(finished, "POST /api/v1/appointments")
    assert server.kind == SpanKind.SERVER
    assert server.parent is None
    [use_case] = [s for s in children(finished, server) if s.name.startswith("booking.")]
    assert use_case.name == "booking.book"
    assert use_case.status.is_ok
    written = statements(children(finished, use_case))
    assert any(s.startswith("INSERT INTO appointment") for s in written), written
    assert any(s.startswith("INSERT INTO job") for s in written), written
    # Every span of the request is in its trace; the job it wrote is named on the use case.
    assert {trace_hex(s) for s in finished} == {trace_hex(server)}
    assert [e.name for e in use_case.events].count("job.enqueued") >= 1
    assert_no_personal_data(finished)


async def test_a_use_case_refusal_is_an_answer_not_a_failed_span(
    traced_client: httpx.AsyncClient, spans: InMemorySpanExporter
) -> None:
    first = await traced_client.post("/api/v1/appointments", json=booking())
    assert first.status_code == 201, first.text
    spans.clear()
    someone_else = {"name": "Max Muster", "phone": "+4917612345678"}
    same_chair = booking(customer=someone_else, staff_id=first.json()["staff_id"])
    taken = await traced_client.post("/api/v1/appointments", json=same_chair)
    assert taken.status_code == 409, taken.text
    use_case = named(spans.get_finished_spans(), "booking.book")
    assert use_case.status.is_unset
    assert (use_case.attributes or {})["error.type"] == "SlotUnavailable"


async def test_a_customer_search_keeps_its_text_out_of_the_span(
    traced_client: httpx.AsyncClient, spans: InMemorySpanExporter
) -> None:
    found = await traced_client.get("/api/v1/customers", params={"q": "Mustermann"})
    assert found.status_code == 200, found.text
    server = named(spans.get_finished_spans(), "GET /api/v1/customers")
    assert "?" not in str((server.attributes or {}).get("http.url"))
    assert_no_personal_data(spans.get_finished_spans())


async def test_probes_and_scrapes_are_not_traced(
    traced_client: httpx.AsyncClient, spans: InMemorySpanExporter
) -> None:
    for path in ("/healthz", "/readyz", "/metrics"):
        assert (await traced_client.get(path)).status_code == 200
    # The readiness probe's own database ping starts no trace either (a client span).
    assert spans.get_finished_spans() == ()


async def test_a_voice_function_is_http_then_the_use_case_then_sql(
    db: AsyncEngine, spans: InMemorySpanExporter
) -> None:
    await seed(db)
    async for retell in retell_client(db):
        check = await retell.fn(
            "check_availability", {"service": "Herrenhaarschnitt", "date": "morgen"}
        )
        assert check["status"] in ("available", "options"), check
        retell.clock.advance(timedelta(seconds=20))
        spans.clear()
        booked = await retell.fn("book_appointment", {"slot_id": check["slots"][0]["slot_id"]})
        assert booked["status"] == "booked", booked
    finished = spans.get_finished_spans()
    server = named(finished, "POST /retell/functions/{name}")
    use_case = named(finished, "booking.book")
    # The gateway runs the function in a task of its own: the context travels with it.
    assert use_case.parent is not None
    assert server.context is not None
    assert use_case.parent.span_id == server.context.span_id
    assert any(
        s.startswith("INSERT INTO appointment") for s in statements(children(finished, use_case))
    )
    assert_no_personal_data(finished)


@pytest.fixture
def json_logs(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    """Real JSON log lines, into a buffer; the request middleware's logger made afresh
    (loggers are cached on first use, with the configuration of that moment)."""
    configure_logging("INFO", "json")
    buffer = io.StringIO()
    [handler] = logging.getLogger().handlers
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(buffer)
    monkeypatch.setattr(requests, "log", get_logger("frontdesk.http"))
    yield buffer
    structlog.reset_defaults()
    logging.getLogger().handlers.clear()


async def test_the_requests_log_lines_carry_its_trace_id(
    json_logs: io.StringIO, traced_client: httpx.AsyncClient, spans: InMemorySpanExporter
) -> None:
    response = await traced_client.post("/api/v1/appointments", json=booking())
    assert response.status_code == 201, response.text
    server = named(spans.get_finished_spans(), "POST /api/v1/appointments")
    lines = _json_lines(json_logs.getvalue())
    mine = [line for line in lines if line.get("request_id") == response.headers["x-request-id"]]
    assert [line["event"] for line in mine][-1] == "request"
    assert {line["trace_id"] for line in mine} == {trace_hex(server)}
    assert all(len(line["span_id"]) == 16 for line in mine)


async def test_without_an_endpoint_nothing_is_set_up_and_lines_carry_no_trace_id(
    db: AsyncEngine, json_logs: io.StringIO
) -> None:
    assert tracing.configure_tracing("frontdesk", environ={}) is False
    assert not tracing.enabled()
    assert isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)
    app = create_app(settings_for(db), clock=FakeClock())
    assert not getattr(app, "_is_instrumented_by_opentelemetry", False)
    async for client in client_for(app):
        assert not SQLAlchemyInstrumentor().is_instrumented_by_opentelemetry
        await client.get("/api/v1/services")
        # The stack is built at the first request.
        layers = _middleware_names(app)
        assert "RequestContextMiddleware" in layers
        assert "OpenTelemetryMiddleware" not in layers
    lines = _json_lines(json_logs.getvalue())
    assert any(line["event"] == "request" for line in lines)
    assert not any("trace_id" in line or "span_id" in line for line in lines)
    assert not [t for t in threading.enumerate() if "OtelBatchSpanProcessor" in t.name]


def test_without_an_endpoint_the_trace_sdk_is_not_even_imported() -> None:
    """A fresh process builds the app as ``frontdesk serve`` does, without the variable.
    (redis-py imports OpenTelemetry's metrics SDK by itself when the package is there; it
    installs nothing.)"""
    script = (
        "import sys\n"
        "from frontdesk.app import create_app_from_env\n"
        "create_app_from_env()\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('opentelemetry.sdk.trace', "
        "'opentelemetry.instrumentation', 'opentelemetry.exporter')))\n"
        "print(loaded)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    env["FRONTDESK_DATABASE_URL"] = "sqlite+aiosqlite:///:memory:"
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def _middleware_names(app: object) -> list[str]:
    names = []
    layer = getattr(app, "middleware_stack", None)
    while layer is not None:
        names.append(type(layer).__name__)
        layer = getattr(layer, "app", None)
    return names


def _json_lines(err: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in err.splitlines() if line.startswith("{")]
