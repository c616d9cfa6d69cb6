"""A job run is a trace of its own (ADR 0023): a ``job <kind>`` span with the job's id, attempt
and outcome, its SQL below it; the request that enqueued the job names the id in a
``job.enqueued`` event; the worker's polls between runs start no trace."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from tests.clock_support import FakeClock
from tests.trace_support import children, named, recording, statements, trace_hex

from frontdesk.jobs.errors import TransientJobError
from frontdesk.jobs.queue import enqueue
from frontdesk.jobs.registry import HandlerRegistry, JobContext
from frontdesk.jobs.worker import Worker
from frontdesk.observability.tracing import instrument_engine, span
from frontdesk.settings import Settings

Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture
def spans(db: AsyncEngine) -> Iterator[InMemorySpanExporter]:
    with recording() as exporter:
        instrument_engine(db)
        yield exporter


def worker(sessions: Sessions, registry: HandlerRegistry, clock: FakeClock) -> Worker:
    return Worker(
        sessions,
        registry,
        clock=clock,
        settings=Settings(),
        backoff_base=timedelta(seconds=10),
        backoff_cap=timedelta(hours=1),
        periodic=(),
        concurrency=2,
    )


async def _ok(_ctx: JobContext, _payload: dict[str, Any]) -> None:
    return None


async def _flaky(_ctx: JobContext, _payload: dict[str, Any]) -> None:
    raise TransientJobError("the provider is down")


async def test_a_job_run_is_its_own_trace_found_from_the_enqueuing_request(
    sessions: Sessions, clock: FakeClock, spans: InMemorySpanExporter
) -> None:
    registry = HandlerRegistry()
    registry.add("test.ok", _ok)
    registry.add("test.flaky", _flaky)
    with span("request"):
        async with sessions() as session:
            ok_id = await enqueue(session, "test.ok", {})
            flaky_id = await enqueue(session, "test.flaky", {})
            await session.commit()
    request = named(spans.get_finished_spans(), "request")
    enqueued = [dict(e.attributes or {}) for e in request.events if e.name == "job.enqueued"]
    assert enqueued == [
        {"job.id": ok_id, "job.kind": "test.ok"},
        {"job.id": flaky_id, "job.kind": "test.flaky"},
    ]
    spans.clear()

    assert await worker(sessions, registry, clock).run_until_idle() == 2

    finished = spans.get_finished_spans()
    ok, flaky = named(finished, "job test.ok"), named(finished, "job test.flaky")
    assert ok.parent is None
    assert dict(ok.attributes or {}) == {
        "job.id": ok_id,
        "job.kind": "test.ok",
        "job.attempt": 1,
        "job.outcome": "succeeded",
    }
    assert (flaky.attributes or {})["job.outcome"] == "retry"
    assert (flaky.attributes or {})["error.type"] == "TransientJobError"
    assert any(s.startswith("UPDATE job") for s in statements(children(finished, ok)))
    assert trace_hex(ok) != trace_hex(flaky) != trace_hex(request)
    # The claim queries between runs belong to no job: no trace of their own.
    roots = {s.name for s in finished if s.parent is None}
    assert roots == {"job test.ok", "job test.flaky"}
