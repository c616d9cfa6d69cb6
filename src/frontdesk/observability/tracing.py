"""OpenTelemetry traces, exported over OTLP/HTTP when ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set.

This module (with ``trace_export``, the SDK side) is the only place that knows OpenTelemetry's
SDK and instrumentations (ADR 0023). Without the variable nothing is set up: no tracer
provider, no exporter thread, no middleware, no engine or client hooks; the helpers below then
cost one ``None`` check. With it,
a request is one trace: the HTTP server span (FastAPI), the use case (``traced``), each SQL
statement (SQLAlchemy) and each call to a calendar provider (httpx); a job run is one trace too.

Span attributes carry no personal data: query strings (customer search text) are cut from the
server span's URL, SQL statements carry placeholders only, provider requests carry ids and times.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from fastapi.telemetry import TelemetryConfig
from opentelemetry import trace
from opentelemetry.trace import Span, Status, StatusCode, Tracer

from frontdesk.domain.errors import DomainError

if TYPE_CHECKING:
    import httpx
    from fastapi import FastAPI
    from opentelemetry.sdk.trace import TracerProvider
    from sqlalchemy.ext.asyncio import AsyncEngine

P = ParamSpec("P")
T = TypeVar("T")

# Either turns tracing on; the exporter reads them (and OTEL_EXPORTER_OTLP_HEADERS, _TIMEOUT, ...)
# itself, as the OpenTelemetry specification says.
ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
# Probes and scrapes every few seconds would drown the traces that matter.
EXCLUDED_URLS = "/healthz$,/readyz$,/metrics$"
TRACER_NAME = "frontdesk"
# For FastAPI(telemetry=...): its built-in OpenTelemetry support, all off (see app.py).
NO_FASTAPI_TELEMETRY: TelemetryConfig = {
    "tracing": False,
    "metrics": False,
    "logs": False,
    "operation_spans": False,
    "auto_configure": False,
}

AttributeValue = str | bool | int | float | Sequence[str] | Sequence[int]

_provider: TracerProvider | None = None
_tracer: Tracer | None = None


def tracing_requested(environ: Mapping[str, str] = os.environ) -> bool:
    return any(environ.get(name) for name in ENDPOINT_VARIABLES)


def enabled() -> bool:
    """Whether this process traces (an SDK provider is installed)."""
    return _provider is not None


def configure_tracing(service_name: str, environ: Mapping[str, str] = os.environ) -> bool:
    """Install the SDK with a batching OTLP/HTTP exporter when an endpoint is configured.

    Once per process (a second call keeps the first set-up). ``service_name`` names the process
    (``frontdesk``, ``frontdesk-worker``) unless ``OTEL_SERVICE_NAME`` says otherwise. Returns
    whether the process traces.
    """
    if _provider is not None:
        return True
    if not tracing_requested(environ):
        return False
    # Imported here: a process without tracing never loads the SDK or the exporter.
    from frontdesk.observability.trace_export import otlp_provider

    provider = otlp_provider(service_name, environ)
    trace.set_tracer_provider(provider)
    install(provider)
    return True


def install(provider: TracerProvider) -> None:
    """Trace with ``provider`` from now on (``configure_tracing``; tests with an in-memory
    exporter). Apps, engines and clients made afterwards are instrumented."""
    global _provider, _tracer
    _provider = provider
    _tracer = provider.get_tracer(TRACER_NAME)


def uninstall() -> None:
    """Stop tracing new work (tests): the SQLAlchemy hooks are removed; apps and clients
    instrumented before keep their spans until they are dropped."""
    global _provider, _tracer
    if _provider is None:
        return
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    instrumentor = SQLAlchemyInstrumentor()
    if instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.uninstrument()
    _provider = None
    _tracer = None


# -- instrumentation at the edges (app factory, resources) -------------------------------------


def instrument_app(app: FastAPI) -> None:
    """The HTTP server span of every request, outermost (so the access line carries its ids)."""
    if _provider is None:
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(
        app,
        tracer_provider=_provider,
        excluded_urls=EXCLUDED_URLS,
        # One span per ASGI message (each body chunk) tells nothing the server span does not.
        exclude_spans=["receive", "send"],
        server_request_hook=_without_query,
    )


def instrument_engine(engine: AsyncEngine) -> None:
    """A client span per SQL statement (and per connection checkout) of ``engine``.

    A process has one engine (``resources.open_resources``); the instrumentor follows one set-up
    per process, so a later engine (tests build many) replaces the earlier one.
    """
    if _provider is None:
        return
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    instrumentor = SQLAlchemyInstrumentor()
    if instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.uninstrument()
    # The instrumentation declares "sqlalchemy < 2.1" and would refuse 2.1 without a word
    # more than a log line; it uses only the engine event API, which 2.1 kept
    # (tests/api/test_traces.py proves the statements arrive as spans).
    instrumentor.instrument(
        engine=engine.sync_engine, tracer_provider=_provider, skip_dep_check=True
    )


def instrument_http_client(client: httpx.AsyncClient) -> None:
    """A client span per request ``client`` sends (the calendar providers' pool), with the
    ``traceparent`` header, so a provider that traces joins the trace."""
    if _provider is None:
        return
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    HTTPXClientInstrumentor.instrument_client(client, tracer_provider=_provider)


# -- spans of our own -----------------------------------------------------------------------


def traced(name: str) -> Callable[[Callable[P, Awaitable[T]]], Callable[P, Awaitable[T]]]:
    """A span named ``name`` around each call of the decorated coroutine function (a use case).

    A domain error (the slot was taken, unknown service) is an answer, not a fault: the span
    keeps status unset and names the error in ``error.type``; any other exception marks it
    failed. Without tracing the wrapper only checks that it is off.
    """

    def decorate(fn: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
        @functools.wraps(fn)
        async def run(*args: P.args, **kwargs: P.kwargs) -> T:
            if _tracer is None:
                return await fn(*args, **kwargs)
            with _tracer.start_as_current_span(
                name, record_exception=False, set_status_on_exception=False
            ) as span:
                try:
                    return await fn(*args, **kwargs)
                except BaseException as exc:
                    _mark(span, exc)
                    raise

        return run

    return decorate


Annotate = Callable[[str, AttributeValue], None]


def _ignore(_key: str, _value: AttributeValue) -> None:
    return None


@contextmanager
def span(name: str, attributes: Mapping[str, AttributeValue] | None = None) -> Iterator[Annotate]:
    """A span around a block (a job run), yielding a function that sets an attribute on it
    (the run's outcome, known at its end). Nothing without tracing. Errors as in ``traced``."""
    if _tracer is None:
        yield _ignore
        return
    with _tracer.start_as_current_span(
        name,
        attributes=attributes,
        record_exception=False,
        set_status_on_exception=False,
    ) as current:
        try:
            yield current.set_attribute
        except BaseException as exc:
            _mark(current, exc)
            raise


def add_event(name: str, attributes: Mapping[str, AttributeValue]) -> None:
    """An event on the current span (e.g. the id of a job written in this request), so a job's
    own trace can be found from the request's; nothing without tracing."""
    if _tracer is None:
        return
    current = trace.get_current_span()
    if current.is_recording():
        current.add_event(name, attributes)


def current_ids() -> tuple[str, str] | None:
    """The current trace and span id in W3C hex form, or None outside any valid span."""
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return trace.format_trace_id(context.trace_id), trace.format_span_id(context.span_id)


def _mark(current: Span, exc: BaseException) -> None:
    current.set_attribute("error.type", type(exc).__name__)
    if not isinstance(exc, DomainError):
        current.record_exception(exc)
        current.set_status(Status(StatusCode.ERROR, type(exc).__name__))


def _without_query(current: Span, scope: dict[str, Any]) -> None:
    """Cut the query string (a customer search's name or phone) from the server span's URL."""
    if not scope.get("query_string") or not current.is_recording():
        return
    attributes = getattr(current, "attributes", None) or {}
    url = attributes.get("http.url")
    if isinstance(url, str):
        current.set_attribute("http.url", url.split("?", 1)[0])
    if "url.query" in attributes:
        current.set_attribute("url.query", "[redacted]")
