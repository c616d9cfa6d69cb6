"""The job worker while the database is unreachable (ADR 0016): it keeps polling, and says so
once per 30 s without a traceback — the embedded worker shares the event loop with the voice
answers, and rendering a traceback per poll would cost them."""

from __future__ import annotations

import asyncio

import pytest
from tests.clock_support import FakeClock
from tests.log_support import LogCapture
from tests.outage_support import free_port

from frontdesk.db.engine import create_engine, create_session_factory
from frontdesk.jobs import worker as worker_module
from frontdesk.jobs.registry import HandlerRegistry
from frontdesk.jobs.worker import Worker
from frontdesk.observability.metrics import DEGRADED
from frontdesk.resilience import outage
from frontdesk.settings import Settings


async def test_a_worker_polling_a_dead_database_warns_once_and_keeps_going(
    logs_of: LogCapture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outage, "_WARNINGS", outage.ThrottledWarning())
    engine = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nothing")
    sessions = create_session_factory(engine, FakeClock())
    worker = Worker(
        sessions, HandlerRegistry(), clock=FakeClock(), settings=Settings(), periodic=(),
        poll_interval=0.02, stats_interval=0.02,
    )  # fmt: skip
    polls = DEGRADED.labels(dependency="database", where="worker_poll")
    before = polls._value.get()
    stop = asyncio.Event()
    with logs_of(outage, worker_module) as logs:
        running = asyncio.create_task(worker.run(stop))
        for _ in range(500):  # at most 10 s
            if polls._value.get() >= before + 5:
                break
            await asyncio.sleep(0.02)
        stop.set()
        await asyncio.wait_for(running, timeout=10)
    await engine.dispose()
    events = [e["event"] for e in logs]
    assert events.count("database unavailable: degraded answer") == 1
    assert "worker poll failed" not in events
    assert polls._value.get() >= before + 5  # it kept polling
