"""How a job run ends: the outcome written to the job's row (fenced by the lease), the delay
before a retry, the text kept in ``last_error``, and the one ``job run`` log line per run.

A handler that returns succeeds; a ``PermanentJobError`` or a failure of the last attempt makes
the job ``dead``; any other failure reschedules it after backoff with jitter, or after the
``retry_after`` a ``TransientJobError`` asks for.
"""

from __future__ import annotations

import random
import traceback
from datetime import timedelta
from time import perf_counter

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from frontdesk.db.repositories import jobs as job_rows
from frontdesk.db.repositories.jobs import ClaimedJob
from frontdesk.domain.clock import Clock
from frontdesk.failures import Kind, classify, count
from frontdesk.jobs.backoff import backoff_delay
from frontdesk.jobs.errors import JobDeferred, PermanentJobError, TransientJobError
from frontdesk.observability.logging import get_logger
from frontdesk.observability.metrics import (
    JOBS_DEAD,
    JOBS_DEFERRED,
    JOBS_FAILED,
    JOBS_SUCCEEDED,
)

log = get_logger(__name__)


class Outcomes:
    """Records and logs the runs of one worker (``worker_id``)."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        worker_id: str,
        clock: Clock,
        *,
        backoff_base: timedelta,
        backoff_cap: timedelta,
        rng: random.Random,
    ) -> None:
        self._sessions = sessions
        self._worker_id = worker_id
        self._clock = clock
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        self._rng = rng

    async def record(self, job: ClaimedJob, error: Exception | None) -> str:
        """Write the run's outcome (fenced by our lease); the outcome's name for the log."""
        now = self._clock()
        async with self._sessions() as session:
            if error is None:
                held = await job_rows.complete_job(session, job.id, self._worker_id, now)
                outcome, counter = "succeeded", JOBS_SUCCEEDED
            elif isinstance(error, JobDeferred):
                held = await job_rows.defer_job(
                    session, job.id, self._worker_id, now + error.retry_after, describe(error)
                )
                outcome, counter = "deferred", JOBS_DEFERRED
            elif isinstance(error, PermanentJobError) or job.attempts >= job.max_attempts:
                held = await job_rows.mark_dead(
                    session, job.id, self._worker_id, now, describe(error)
                )
                outcome, counter = "dead", JOBS_DEAD
            else:
                run_after = now + self.retry_delay(job.attempts, error)
                held = await job_rows.reschedule_job(
                    session, job.id, self._worker_id, run_after, describe(error)
                )
                outcome, counter = "retry", JOBS_FAILED
            await session.commit()
        if not held:
            return "lease_lost"
        counter.labels(job.kind).inc()
        return outcome

    def retry_delay(self, attempt: int, error: Exception) -> timedelta:
        """The handler's own ``retry_after`` when given, else backoff with jitter."""
        if isinstance(error, TransientJobError) and error.retry_after is not None:
            return error.retry_after
        return backoff_delay(attempt, self._backoff_base, self._backoff_cap, self._rng)

    def log_run(
        self, job: ClaimedJob, started: float, outcome: str, error: Exception | None = None
    ) -> None:
        """The run's one ``job run`` line; ``started`` is its ``perf_counter`` start."""
        fields = {
            "job_id": job.id,
            "kind": job.kind,
            "attempt": job.attempts,
            "duration_ms": round((perf_counter() - started) * 1000, 2),
            "outcome": outcome,
            "worker_id": self._worker_id,
        }
        if error is None:
            log.info("job run", **fields)
            return
        if isinstance(error, TransientJobError | PermanentJobError | JobDeferred):
            log.warning("job run", error=str(error), **fields)
            return
        failure = classify(error)
        count(failure, "worker_job")
        if failure.kind is Kind.BUG:
            # A bug in a handler: its traceback, at error level, every time.
            log.error("job run", exc_info=error, error_kind=failure.kind, **fields)
            return
        # A dependency failed (or a refusal nobody expected): retried with backoff like a
        # transient error, said without a traceback.
        log.warning(
            "job run",
            error=f"{type(error).__name__}: {error}"[:300],
            error_kind=failure.kind,
            error_code=failure.code,
            **fields,
        )


def describe(error: Exception) -> str:
    """The text kept in ``last_error``: the message, plus the traceback for unexpected errors."""
    if isinstance(error, TransientJobError | PermanentJobError | JobDeferred):
        return f"{type(error).__name__}: {error}"
    return "".join(traceback.format_exception(error)).strip()
