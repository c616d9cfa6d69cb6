"""The worker survives a buggy handler and tells it from a failed dependency (ADR 0018): a bug
is an error line with its traceback and ``kind="bug"``, an outage a warning without one and
``kind="integration"``; both are retried the same way."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from prometheus_client import REGISTRY
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tests.clock_support import FakeClock
from tests.jobs_support import job_row
from tests.log_support import LogCapture

from frontdesk.domain.model import JobState
from frontdesk.jobs import outcome
from frontdesk.jobs.queue import enqueue
from frontdesk.jobs.registry import HandlerRegistry, JobContext
from frontdesk.jobs.worker import Worker
from frontdesk.settings import Settings

Sessions = async_sessionmaker[AsyncSession]


def errors(kind: str, code: str) -> float:
    value = REGISTRY.get_sample_value(
        "frontdesk_errors_total", {"kind": kind, "code": code, "where": "worker_job"}
    )
    return value or 0.0


async def run_once(sessions: Sessions, clock: FakeClock, exc: Exception) -> None:
    """One run of a handler that raises ``exc``."""
    registry = HandlerRegistry()

    @registry.register("test.failing")
    async def failing(ctx: JobContext, payload: dict[str, Any]) -> None:
        """Idempotent: fails before doing anything."""
        raise exc

    async with sessions() as session:
        job_id = await enqueue(session, "test.failing", {}, max_attempts=3)
        await session.commit()
    assert job_id is not None
    worker = Worker(
        sessions,
        registry,
        clock=clock,
        settings=Settings(),
        backoff_base=timedelta(seconds=10),
        periodic=(),
    )
    assert await worker.run_until_idle() == 1
    job = await job_row(sessions, job_id)
    # Retried either way: the worker survived and will try again after backoff.
    assert (job.state, job.attempts) == (JobState.QUEUED, 1)


async def test_a_buggy_handler_is_logged_and_counted_as_a_bug(
    sessions: Sessions, clock: FakeClock, logs_of: LogCapture
) -> None:
    before = errors("bug", "internal_error")
    with logs_of(outcome) as logs:
        await run_once(sessions, clock, KeyError("customer_id"))
    [line] = [e for e in logs if e["event"] == "job run"]
    assert line["log_level"] == "error"
    assert isinstance(line["exc_info"], KeyError)
    assert line["error_kind"] == "bug"
    assert errors("bug", "internal_error") == before + 1


async def test_a_failed_dependency_is_a_warning_without_a_traceback(
    sessions: Sessions, clock: FakeClock, logs_of: LogCapture
) -> None:
    before = errors("integration", "redis_unavailable")
    bugs = errors("bug", "internal_error")
    with logs_of(outcome) as logs:
        await run_once(sessions, clock, RedisConnectionError("connection refused"))
    [line] = [e for e in logs if e["event"] == "job run"]
    assert line["log_level"] == "warning"
    assert "exc_info" not in line
    assert (line["error_kind"], line["error_code"]) == ("integration", "redis_unavailable")
    assert errors("integration", "redis_unavailable") == before + 1
    assert errors("bug", "internal_error") == bugs
