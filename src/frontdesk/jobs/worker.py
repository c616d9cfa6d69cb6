"""The job worker: claims due jobs, runs their handlers, records the outcome.

Guarantees and their mechanics:

* **At least once.** A claim is a lease (``locked_by``, ``locked_until``) committed before the
  handler starts. A worker that dies mid-job leaves the lease to expire; any worker then claims
  the job again. Handlers are idempotent by contract (see ``registry``).
* **Never twice at the same time, as long as leases hold.** PostgreSQL claims with
  ``FOR UPDATE SKIP LOCKED``, SQLite through its single writer. A heartbeat extends the lease of
  a long handler; outcome writes are fenced by ``locked_by`` so a worker that lost its lease
  cannot overwrite the outcome of the worker that took over.
* **Retries.** Failures are rescheduled with exponential backoff and jitter until
  ``max_attempts``; a ``PermanentJobError`` or the last attempt moves the job to ``dead``.
* **Graceful shutdown.** ``run`` stops claiming when ``stop`` is set, lets in-flight jobs finish
  for ``grace`` seconds, then cancels the rest and releases them (queued, due now, the attempt
  not counted).

Time for ``run_after`` and leases comes from the injected ``clock`` (tests drive it); waits and
durations use the event loop's monotonic clock.

This module is the loop: claim, run, shut down. Claiming, heartbeats and releases are in
``lease``, what a run's end writes and logs in ``outcome``, the queue gauges in ``stats``.
"""

from __future__ import annotations

import asyncio
import os
import random
import secrets
import socket
from collections.abc import Coroutine, Iterable
from datetime import datetime, timedelta
from time import perf_counter
from typing import TYPE_CHECKING, Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from frontdesk.db.repositories import jobs as job_rows
from frontdesk.db.repositories.jobs import ClaimedJob
from frontdesk.domain.clock import Clock
from frontdesk.failures import classify, report
from frontdesk.jobs.errors import TransientJobError
from frontdesk.jobs.lease import Leases
from frontdesk.jobs.outcome import Outcomes
from frontdesk.jobs.registry import HandlerRegistry, JobContext
from frontdesk.jobs.schedule import Periodic, enqueue_due_periods
from frontdesk.jobs.stats import update_gauges
from frontdesk.observability.logging import get_logger
from frontdesk.observability.metrics import JOB_DURATION, JOBS_SUCCEEDED
from frontdesk.observability.tracing import AttributeValue, span
from frontdesk.settings import Settings, get_settings

if TYPE_CHECKING:
    from frontdesk.calendars.providers import CalendarProviders
    from frontdesk.messages.channels import Channels

log = get_logger(__name__)

DEFAULT_LEASE = timedelta(seconds=60)
DEFAULT_BACKOFF_BASE = timedelta(seconds=10)
DEFAULT_BACKOFF_CAP = timedelta(hours=1)


def default_worker_id() -> str:
    """Host, process and a random suffix: unique across machines and restarts."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"[:128]


class Worker:
    """One worker process's (or the embedded worker's) view of the job table."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        registry: HandlerRegistry,
        *,
        worker_id: str | None = None,
        concurrency: int = 4,
        lease: timedelta = DEFAULT_LEASE,
        poll_interval: float = 1.0,
        clock: Clock,
        periodic: tuple[Periodic, ...] | None = None,
        settings: Settings | None = None,
        grace: float = 10.0,
        backoff_base: timedelta = DEFAULT_BACKOFF_BASE,
        backoff_cap: timedelta = DEFAULT_BACKOFF_CAP,
        rng: random.Random | None = None,
        stats_interval: float = 5.0,
        calendars: CalendarProviders | None = None,
        channels: Channels | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if lease <= timedelta(0):
            raise ValueError("lease must be positive")
        self.worker_id = worker_id or default_worker_id()
        self._sessions = sessions
        self._calendars = calendars
        self._channels = channels
        self._registry = registry
        self._concurrency = concurrency
        self._poll_interval = poll_interval
        self._clock = clock
        self._periodic = registry.periodic() if periodic is None else periodic
        self._settings = settings or get_settings()
        self._grace = grace
        self._stats_interval = stats_interval
        self._leases = Leases(sessions, self.worker_id, lease, clock)
        self._outcomes = Outcomes(
            sessions,
            self.worker_id,
            clock,
            backoff_base=backoff_base,
            backoff_cap=backoff_cap,
            rng=rng or random.Random(),
        )
        # Each task runs one job, or several transactional ones together (``_run_together``).
        self._inflight: dict[asyncio.Task[None], tuple[ClaimedJob, ...]] = {}
        self._running = 0
        self._slot_freed = asyncio.Event()
        self._scheduled_periods: dict[str, datetime] = {}
        self._finished = 0

    @property
    def in_flight(self) -> int:
        return self._running

    async def run(self, stop: asyncio.Event) -> None:
        """Poll, claim and run jobs until ``stop`` is set, then shut down gracefully."""
        log.info("worker started", worker_id=self.worker_id, concurrency=self._concurrency)
        loop = asyncio.get_running_loop()
        next_stats = loop.time()
        try:
            while not stop.is_set():
                free = self._concurrency - self._running
                claimed: list[ClaimedJob] = []
                try:
                    await self.schedule_periodic()
                    if loop.time() >= next_stats:
                        await self.update_gauges()
                        next_stats = loop.time() + self._stats_interval
                    if free > 0:
                        claimed = await self._leases.claim(free)
                except Exception as exc:
                    # Catch-all on purpose: the worker stays alive and polls again. The
                    # classifier says which: an outage is said once per 30 s without a
                    # traceback (the embedded worker shares its event loop with the voice
                    # answers, ADR 0016), a bug is logged with its traceback and counted as one.
                    report(classify(exc), "worker_poll", worker_id=self.worker_id)
                self._start(claimed)
                # A full batch means more may be due: claim again as soon as a slot frees.
                await self._pause(stop, wake_on_slot=bool(claimed) and len(claimed) == free)
        finally:
            await self._shutdown()
        log.info("worker stopped", worker_id=self.worker_id)

    async def run_until_idle(self) -> int:
        """Run due jobs until none is due and none is in flight; how many runs finished.

        For tests and benchmarks: periodic runs are not scheduled (call ``schedule_periodic``).
        """
        finished_before = self._finished
        while True:
            free = self._concurrency - self._running
            claimed = await self._leases.claim(free) if free > 0 else []
            self._start(claimed)
            if not self._inflight:
                return self._finished - finished_before
            if claimed and len(claimed) == free:
                continue
            await asyncio.wait(list(self._inflight), return_when=asyncio.FIRST_COMPLETED)

    async def schedule_periodic(self) -> list[int]:
        """Enqueue the current period's run of each periodic kind; ids this worker created.

        Skipped without touching the database while every period is already scheduled by this
        worker; other workers' inserts of the same period are absorbed by the dedupe key.
        """
        now = self._clock()
        starts = {entry.kind: entry.period_start(now) for entry in self._periodic}
        if not starts or starts == self._scheduled_periods:
            return []
        async with self._sessions() as session:
            created = await enqueue_due_periods(session, self._periodic, now)
            await session.commit()
        self._scheduled_periods = starts
        return created

    async def update_gauges(self) -> None:
        """Set the queue-depth and oldest-due-age gauges from the table."""
        await update_gauges(self._sessions, self._clock())

    def _start(self, claimed: list[ClaimedJob]) -> None:
        """Run what one claim returned: transactional jobs together in one transaction (one
        commit for all their writes and success marks), every other job on its own."""
        together = [job for job in claimed if self._registry.is_transactional(job.kind)]
        if len(together) < 2:
            together = []
        for job in claimed:
            if job not in together:
                self._track(self._execute(job), (job,), f"job-{job.id}")
        if together:
            self._track(self._execute_together(together), tuple(together), "jobs-together")

    def _track(
        self, work: Coroutine[Any, Any, None], jobs: tuple[ClaimedJob, ...], name: str
    ) -> None:
        task = asyncio.create_task(work, name=name)
        self._inflight[task] = jobs
        self._running += len(jobs)
        task.add_done_callback(self._on_done)

    def _on_done(self, task: asyncio.Task[None]) -> None:
        jobs = self._inflight.pop(task, ())
        self._running -= len(jobs)
        self._finished += len(jobs)
        self._slot_freed.set()

    async def _pause(self, stop: asyncio.Event, *, wake_on_slot: bool) -> None:
        """Wait for the poll interval, ``stop``, or (when asked) enough freed slots.

        Enough = half of them: claiming as soon as one slot frees makes every claim (a
        statement and a commit) serve a single job when jobs arrive steadily.
        """
        if wake_on_slot and self._free_enough():
            return
        self._slot_freed.clear()
        waiters: list[asyncio.Future[Any]] = [asyncio.ensure_future(stop.wait())]
        if wake_on_slot:
            waiters.append(asyncio.create_task(self._enough_freed()))
        try:
            await asyncio.wait(
                waiters, timeout=self._poll_interval, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            for waiter in waiters:
                waiter.cancel()

    def _free_enough(self) -> bool:
        return self._concurrency - self._running >= max(1, self._concurrency // 2)

    async def _enough_freed(self) -> None:
        while not self._free_enough():
            self._slot_freed.clear()
            await self._slot_freed.wait()

    async def _execute_together(self, jobs: list[ClaimedJob]) -> None:
        """Transactional jobs in one transaction; if any fails or lost its lease, nothing of
        the attempt is kept and each job runs again on its own, so no job pays for another."""
        attributes: dict[str, AttributeValue] = {
            "job.ids": [job.id for job in jobs],
            "job.kinds": [job.kind for job in jobs],
        }
        with span("jobs together", attributes) as annotate:
            started = perf_counter()
            heartbeats = [asyncio.create_task(self._leases.keep(job)) for job in jobs]
            try:
                together = await self._run_together(jobs)
            except asyncio.CancelledError:
                await self._give_back(jobs, started)
                raise
            finally:
                for heartbeat in heartbeats:
                    heartbeat.cancel()
            annotate("job.together", together)
            if not together:
                for job in jobs:
                    await self._execute(job)
                return
            for job in jobs:
                JOB_DURATION.labels(job.kind).observe(perf_counter() - started)
                JOBS_SUCCEEDED.labels(job.kind).inc()
                self._outcomes.log_run(job, started, "succeeded")

    async def _run_together(self, jobs: list[ClaimedJob]) -> bool:
        error, committed = await self._in_one_transaction(jobs)
        if error is not None:
            log.info("jobs run together failed; running them one by one", error=str(error))
        return committed

    async def _execute(self, job: ClaimedJob) -> None:
        # One trace per run (ADR 0023); the enqueuing request's span has a "job.enqueued" event
        # with this job.id (no trace context is stored in the job row).
        attributes: dict[str, AttributeValue] = {
            "job.id": job.id,
            "job.kind": job.kind,
            "job.attempt": job.attempts,
        }
        with (
            structlog.contextvars.bound_contextvars(job_id=job.id, kind=job.kind),
            span(f"job {job.kind}", attributes) as annotate,
        ):
            started = perf_counter()
            heartbeat = asyncio.create_task(self._leases.keep(job))
            try:
                error, recorded = await self._call_handler(job)
            except asyncio.CancelledError:
                heartbeat.cancel()
                await self._give_back((job,), started)
                raise
            finally:
                heartbeat.cancel()
            JOB_DURATION.labels(job.kind).observe(perf_counter() - started)
            if recorded is not None:
                annotate("job.outcome", recorded)
                self._outcomes.log_run(job, started, recorded)
                return
            try:
                outcome = await self._outcomes.record(job, error)
            except Exception as exc:
                # Catch-all on purpose: the lease will expire and another run will record it
                # (handlers are idempotent); the worker goes on. Classified, so an outage is
                # not logged as a bug nor a bug as an outage.
                report(classify(exc), "worker_outcome", job_id=job.id, kind=job.kind)
                outcome = "unrecorded"
            annotate("job.outcome", outcome)
            if error is not None:
                annotate("error.type", type(error).__name__)
            self._outcomes.log_run(job, started, outcome, error)

    async def _call_handler(self, job: ClaimedJob) -> tuple[Exception | None, str | None]:
        """Run the handler: its error (``None``: it succeeded), and the outcome when the run
        was already recorded (transactional handlers), else ``None``."""
        handler = self._registry.get(job.kind)
        if handler is None:
            # Transient on purpose: during a rolling deploy a newer worker may know the kind.
            return TransientJobError(f"no handler registered for job kind {job.kind!r}"), None
        if self._registry.is_transactional(job.kind):
            return await self._run_in_transaction(job)
        try:
            await handler(self._context(job), job.payload)
        except Exception as exc:
            # Catch-all on purpose: a failing (or buggy) handler must not take the worker down.
            # The error is recorded on the job and classified in its run's log line
            # (``Outcomes.log_run``).
            return exc, None
        return None, None

    async def _run_in_transaction(self, job: ClaimedJob) -> tuple[Exception | None, str | None]:
        """The handler's writes and the success mark in one commit, fenced by our lease."""
        error, held = await self._in_one_transaction([job])
        if error is not None:
            return error, None
        if not held:
            return None, "lease_lost"
        JOBS_SUCCEEDED.labels(job.kind).inc()
        return None, "succeeded"

    async def _in_one_transaction(self, jobs: list[ClaimedJob]) -> tuple[Exception | None, bool]:
        """Run transactional handlers in one session and mark their jobs succeeded; committed
        only when every handler succeeded and every lease still held. The handler error, if
        any, and whether it was committed."""
        async with self._sessions() as session:
            try:
                for job in jobs:
                    handler = self._registry.get(job.kind)
                    if handler is None:
                        raise TransientJobError(f"no handler registered for job kind {job.kind!r}")
                    await handler(self._context(job, session), job.payload)
                ids = [job.id for job in jobs]
                held = await job_rows.complete_jobs(session, ids, self.worker_id, self._clock())
                if held != len(jobs):
                    await session.rollback()
                    return None, False
                await session.commit()
            except Exception as exc:
                # Catch-all on purpose, as in ``_call_handler``: nothing of the attempt is
                # kept, and the error is recorded and classified like any handler's.
                await session.rollback()
                return exc, False
        return None, True

    def _context(self, job: ClaimedJob, session: AsyncSession | None = None) -> JobContext:
        return JobContext(
            job_id=job.id,
            kind=job.kind,
            attempt=job.attempts,
            tenant_id=job.tenant_id,
            sessions=self._sessions,
            settings=self._settings,
            clock=self._clock,
            session=session,
            calendars=self._calendars,
            channels=self._channels,
        )

    async def _give_back(self, jobs: Iterable[ClaimedJob], started: float) -> None:
        """Release cancelled jobs, so another worker runs them at once, and log each run."""
        for job in jobs:
            released = await self._leases.release(job)
            self._outcomes.log_run(job, started, "released" if released else "lease_lost")

    async def _shutdown(self) -> None:
        """Let in-flight jobs finish within the grace period; cancel and release the rest."""
        tasks = list(self._inflight)
        if not tasks:
            return
        log.info("worker draining", worker_id=self.worker_id, in_flight=len(tasks))
        _, pending = await asyncio.wait(tasks, timeout=self._grace)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
