"""The outbox and its worker on SQLite and PostgreSQL: enqueue in a transaction, run once,
retry with growing delays, dead letters, leases, graceful shutdown, the purge handler."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tests.clock_support import FakeClock
from tests.factories import make_world
from tests.jobs_support import all_jobs, job_row

from frontdesk.db.repositories import jobs as job_rows
from frontdesk.db.tables import IdempotencyRecord, Job
from frontdesk.domain.model import JobState
from frontdesk.jobs.backoff import backoff_delay
from frontdesk.jobs.errors import JobDeferred, PermanentJobError, TransientJobError
from frontdesk.jobs.handlers import default_registry
from frontdesk.jobs.queue import enqueue
from frontdesk.jobs.registry import HandlerRegistry, JobContext
from frontdesk.jobs.worker import Worker
from frontdesk.observability.metrics import JOB_DEAD_STORED, JOB_OLDEST_DUE_AGE, JOB_QUEUE_DEPTH
from frontdesk.settings import Settings

Sessions = async_sessionmaker[AsyncSession]
BASE = timedelta(seconds=10)
CAP = timedelta(hours=1)


def make_worker(
    sessions: Sessions, registry: HandlerRegistry, clock: FakeClock, **options: Any
) -> Worker:
    options.setdefault("concurrency", 4)
    return Worker(
        sessions,
        registry,
        clock=clock,
        settings=Settings(),
        backoff_base=BASE,
        backoff_cap=CAP,
        periodic=(),
        **options,
    )


async def enqueue_committed(sessions: Sessions, kind: str, payload: dict[str, Any]) -> int:
    async with sessions() as session:
        job_id = await enqueue(session, kind, payload)
        await session.commit()
    assert job_id is not None
    return job_id


class Recorder:
    """A registry whose handlers record what they were called with."""

    def __init__(self) -> None:
        self.registry = HandlerRegistry()
        self.runs: Counter[int] = Counter()
        self.contexts: list[JobContext] = []
        self.registry.add("test.record", self.record)

    async def record(self, ctx: JobContext, payload: dict[str, Any]) -> None:
        """Idempotent: counting a run is the whole effect under test."""
        self.runs[payload["n"]] += 1
        self.contexts.append(ctx)


async def test_rolled_back_job_never_runs_and_committed_one_runs_once(
    sessions: Sessions,
    clock: FakeClock,
) -> None:
    recorder = Recorder()
    async with sessions() as session:
        await enqueue(session, "test.record", {"n": 1}, run_after=clock.now)
        await session.rollback()
    async with sessions() as session:
        await enqueue(session, "test.record", {"n": 2}, run_after=clock.now)
        await session.commit()

    worker = make_worker(sessions, recorder.registry, clock)
    assert await worker.run_until_idle() == 1
    assert await worker.run_until_idle() == 0
    assert recorder.runs == Counter({2: 1})
    [job] = await all_jobs(sessions)
    assert (job.state, job.attempts, job.locked_by, job.finished_at) == (
        JobState.SUCCEEDED,
        1,
        None,
        clock.now,
    )


async def test_context_carries_job_id_kind_attempt_and_tenant(
    sessions: Sessions, clock: FakeClock
) -> None:
    recorder = Recorder()
    async with sessions() as session:
        world = await make_world(session)
        job_id = await enqueue(session, "test.record", {"n": 1}, tenant_id=world.tenant_id)
        await session.commit()
    await make_worker(sessions, recorder.registry, clock).run_until_idle()
    [ctx] = recorder.contexts
    assert (ctx.job_id, ctx.kind, ctx.attempt, ctx.tenant_id) == (
        job_id,
        "test.record",
        1,
        world.tenant_id,
    )
    assert ctx.clock() == clock.now


async def test_dedupe_key_makes_a_second_enqueue_a_no_op(sessions: Sessions) -> None:
    async with sessions() as session:
        first = await enqueue(session, "test.record", {"n": 1}, dedupe_key="once")
        second = await enqueue(session, "test.record", {"n": 2}, dedupe_key="once")
        await session.commit()
    assert first is not None
    assert second is None
    assert [job.payload for job in await all_jobs(sessions)] == [{"n": 1}]


async def test_jobs_due_later_wait_for_their_time(sessions: Sessions, clock: FakeClock) -> None:
    recorder = Recorder()
    async with sessions() as session:
        await enqueue(session, "test.record", {"n": 1}, run_after=clock.now + timedelta(minutes=5))
        await session.commit()
    worker = make_worker(sessions, recorder.registry, clock)
    assert await worker.run_until_idle() == 0
    clock.advance(timedelta(minutes=5))
    assert await worker.run_until_idle() == 1
    assert recorder.runs == Counter({1: 1})


async def test_transient_failures_are_retried_with_growing_delays(
    sessions: Sessions, clock: FakeClock
) -> None:
    registry, attempts_seen = HandlerRegistry(), []

    @registry.register("test.flaky")
    async def flaky(ctx: JobContext, payload: dict[str, Any]) -> None:
        """Idempotent: fails until the fourth attempt, then does nothing."""
        attempts_seen.append(ctx.attempt)
        if ctx.attempt < 4:
            raise TransientJobError(f"upstream busy (attempt {ctx.attempt})")

    job_id = await enqueue_committed(sessions, "test.flaky", {})
    # The same seeded jitter as the worker's, to compute the expected schedule.
    worker = make_worker(sessions, registry, clock, rng=random.Random(7))
    expected_rng = random.Random(7)
    delays: list[timedelta] = []
    for attempt in (1, 2, 3):
        assert await worker.run_until_idle() == 1
        job = await job_row(sessions, job_id)
        expected = backoff_delay(attempt, BASE, CAP, expected_rng)
        assert job.state is JobState.QUEUED
        assert job.run_after == clock.now + expected
        assert job.last_error == f"TransientJobError: upstream busy (attempt {attempt})"
        delays.append(job.run_after - clock.now)
        # Not due a moment before its time.
        clock.now = job.run_after - timedelta(milliseconds=1)
        assert await worker.run_until_idle() == 0
        clock.now = job.run_after
    assert await worker.run_until_idle() == 1
    assert delays == sorted(delays)
    assert delays[0] < delays[1] < delays[2]
    job = await job_row(sessions, job_id)
    assert (job.state, job.attempts) == (JobState.SUCCEEDED, 4)
    assert attempts_seen == [1, 2, 3, 4]


async def test_a_handler_can_ask_for_its_own_retry_delay(
    sessions: Sessions, clock: FakeClock
) -> None:
    registry = HandlerRegistry()

    @registry.register("test.rate_limited")
    async def rate_limited(ctx: JobContext, payload: dict[str, Any]) -> None:
        """Idempotent: always refuses."""
        raise TransientJobError("429", retry_after=timedelta(minutes=2))

    job_id = await enqueue_committed(sessions, "test.rate_limited", {})
    await make_worker(sessions, registry, clock).run_until_idle()
    assert (await job_row(sessions, job_id)).run_after == clock.now + timedelta(minutes=2)


async def test_a_deferred_run_waits_without_spending_an_attempt(
    sessions: Sessions, clock: FakeClock
) -> None:
    """A dependency declining the work (breaker open, budget spent) is not a try: a job with
    one attempt survives any number of deferrals and then runs."""
    registry, declined = HandlerRegistry(), [True, True, True]

    @registry.register("test.declined")
    async def waits(ctx: JobContext, payload: dict[str, Any]) -> None:
        """Idempotent: declined three times, then does nothing."""
        if declined:
            declined.pop()
            raise JobDeferred("breaker_open", retry_after=timedelta(seconds=30))

    async with sessions() as session:
        job_id = await enqueue(session, "test.declined", {}, max_attempts=1)
        await session.commit()
    assert job_id is not None
    worker = make_worker(sessions, registry, clock)
    for _ in range(3):
        assert await worker.run_until_idle() == 1
        job = await job_row(sessions, job_id)
        assert (job.state, job.attempts) == (JobState.QUEUED, 0)
        assert job.run_after == clock.now + timedelta(seconds=30)
        assert job.last_error == "JobDeferred: breaker_open"
        clock.now = job.run_after
    assert await worker.run_until_idle() == 1
    job = await job_row(sessions, job_id)
    assert (job.state, job.attempts) == (JobState.SUCCEEDED, 1)


async def test_permanent_failure_goes_to_dead_at_once_with_its_error(
    sessions: Sessions, clock: FakeClock
) -> None:
    registry = HandlerRegistry()

    @registry.register("test.broken")
    async def broken(ctx: JobContext, payload: dict[str, Any]) -> None:
        """Idempotent: refuses without side effects."""
        raise PermanentJobError("appointment 42 no longer exists")

    job_id = await enqueue_committed(sessions, "test.broken", {})
    await make_worker(sessions, registry, clock).run_until_idle()
    job = await job_row(sessions, job_id)
    assert (job.state, job.attempts, job.finished_at) == (JobState.DEAD, 1, clock.now)
    assert job.last_error == "PermanentJobError: appointment 42 no longer exists"
    async with sessions() as session:
        dead = await job_rows.list_jobs(session, state=JobState.DEAD)
    assert [row.id for row in dead] == [job_id]


async def test_unexpected_errors_are_retried_until_max_attempts_then_dead(
    sessions: Sessions,
    clock: FakeClock,
) -> None:
    registry = HandlerRegistry()

    @registry.register("test.buggy")
    async def buggy(ctx: JobContext, payload: dict[str, Any]) -> None:
        """Idempotent: fails before doing anything."""
        raise KeyError("customer_id")

    async with sessions() as session:
        job_id = await enqueue(session, "test.buggy", {}, max_attempts=3)
        await session.commit()
    assert job_id is not None
    worker = make_worker(sessions, registry, clock)
    for _ in range(3):
        assert await worker.run_until_idle() == 1
        clock.now = (await job_row(sessions, job_id)).run_after
    job = await job_row(sessions, job_id)
    assert (job.state, job.attempts) == (JobState.DEAD, 3)
    assert job.last_error is not None
    assert "Traceback" in job.last_error
    assert job.last_error.endswith("KeyError: 'customer_id'")


async def test_unknown_kind_is_retried_then_dead_with_a_clear_error(
    sessions: Sessions, clock: FakeClock
) -> None:
    async with sessions() as session:
        job_id = await enqueue(session, "nobody.handles.this", {}, max_attempts=1)
        await session.commit()
    assert job_id is not None
    await make_worker(sessions, HandlerRegistry(), clock).run_until_idle()
    job = await job_row(sessions, job_id)
    assert job.state is JobState.DEAD
    assert job.last_error == (
        "TransientJobError: no handler registered for job kind 'nobody.handles.this'"
    )


async def test_operator_retry_requeues_a_dead_job_with_attempts_reset(
    sessions: Sessions, clock: FakeClock
) -> None:
    registry, healthy = HandlerRegistry(), asyncio.Event()

    @registry.register("test.until_fixed")
    async def until_fixed(ctx: JobContext, payload: dict[str, Any]) -> None:
        """Idempotent: fails until the operator has fixed the cause."""
        if not healthy.is_set():
            raise PermanentJobError("misconfigured")

    job_id = await enqueue_committed(sessions, "test.until_fixed", {})
    worker = make_worker(sessions, registry, clock)
    await worker.run_until_idle()
    async with sessions() as session:
        assert not await job_rows.retry_dead(session, job_id + 1000, clock.now)
        assert await job_rows.retry_dead(session, job_id, clock.now)
        await session.commit()
    job = await job_row(sessions, job_id)
    assert (job.state, job.attempts, job.run_after) == (JobState.QUEUED, 0, clock.now)
    healthy.set()
    await worker.run_until_idle()
    assert (await job_row(sessions, job_id)).state is JobState.SUCCEEDED
    async with sessions() as session:
        # Only dead jobs can be retried.
        assert not await job_rows.retry_dead(session, job_id, clock.now)


async def test_expired_lease_is_claimed_again_and_the_late_worker_is_fenced_off(
    sessions: Sessions,
    clock: FakeClock,
) -> None:
    """A worker that stalls past its lease loses the job; its late outcome changes nothing."""
    job_id = await enqueue_committed(sessions, "test.record", {"n": 1})
    async with sessions() as session:
        [stalled] = await job_rows.claim_jobs(
            session, worker_id="stalled", now=clock.now, lease=timedelta(seconds=30), limit=5
        )
        await session.commit()
    assert stalled.id == job_id

    recorder = Recorder()
    worker = make_worker(sessions, recorder.registry, clock, lease=timedelta(seconds=30))
    assert await worker.run_until_idle() == 0  # the lease still holds
    clock.advance(timedelta(seconds=31))
    assert await worker.run_until_idle() == 1
    async with sessions() as session:
        assert not await job_rows.mark_dead(session, job_id, "stalled", clock.now, "late")
        assert not await job_rows.release_job(session, job_id, "stalled", clock.now)
        assert not await job_rows.extend_lease(session, job_id, "stalled", clock.now)
        await session.commit()
    job = await job_row(sessions, job_id)
    assert (job.state, job.attempts, job.last_error) == (JobState.SUCCEEDED, 2, None)


async def test_heartbeat_keeps_a_long_job_from_being_claimed_twice(
    sessions: Sessions, clock: FakeClock
) -> None:
    registry = HandlerRegistry()
    started, finish = asyncio.Event(), asyncio.Event()
    runs: list[str] = []

    @registry.register("test.long")
    async def long_job(ctx: JobContext, payload: dict[str, Any]) -> None:
        """Idempotent: records the run, waits to be told to finish."""
        runs.append("run")
        started.set()
        await finish.wait()

    job_id = await enqueue_committed(sessions, "test.long", {})
    lease = timedelta(seconds=0.3)
    first = make_worker(sessions, registry, clock, lease=lease)
    second = make_worker(sessions, registry, clock, lease=lease)
    running = asyncio.create_task(first.run_until_idle())
    await started.wait()
    # Time passes beyond the original lease; the heartbeat (every lease/3) must extend it.
    for _ in range(4):
        clock.advance(lease / 2)
        await asyncio.sleep(lease.total_seconds() / 2)
        assert await second.run_until_idle() == 0
    finish.set()
    assert await running == 1
    assert runs == ["run"]
    assert (await job_row(sessions, job_id)).state is JobState.SUCCEEDED


async def test_graceful_stop_lets_in_flight_jobs_finish(
    sessions: Sessions, clock: FakeClock
) -> None:
    registry = HandlerRegistry()
    started, finish, done = asyncio.Event(), asyncio.Event(), []

    @registry.register("test.slow")
    async def slow(ctx: JobContext, payload: dict[str, Any]) -> None:
        """Idempotent: appends its id once it completes."""
        started.set()
        await finish.wait()
        done.append(ctx.job_id)

    job_id = await enqueue_committed(sessions, "test.slow", {})
    worker = make_worker(sessions, registry, clock, grace=30.0, poll_interval=0.05)
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    await started.wait()
    stop.set()
    await asyncio.sleep(0.1)
    assert not running.done()  # draining, not abandoning
    finish.set()
    await asyncio.wait_for(running, timeout=10)
    assert done == [job_id]
    assert (await job_row(sessions, job_id)).state is JobState.SUCCEEDED


async def test_stop_after_grace_releases_the_job_without_counting_the_attempt(
    sessions: Sessions,
    clock: FakeClock,
) -> None:
    registry, started = HandlerRegistry(), asyncio.Event()

    @registry.register("test.stuck")
    async def stuck(ctx: JobContext, payload: dict[str, Any]) -> None:
        """Idempotent: never gets to do anything."""
        started.set()
        await asyncio.Event().wait()

    job_id = await enqueue_committed(sessions, "test.stuck", {})
    worker = make_worker(sessions, registry, clock, grace=0.05, poll_interval=0.05)
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    await started.wait()
    clock.advance(timedelta(seconds=3))
    stop.set()
    await asyncio.wait_for(running, timeout=10)
    job = await job_row(sessions, job_id)
    assert (job.state, job.attempts, job.locked_by, job.run_after) == (
        JobState.QUEUED,
        0,
        None,
        clock.now,
    )


async def test_worker_loop_runs_jobs_enqueued_while_it_polls(
    sessions: Sessions, clock: FakeClock
) -> None:
    recorder = Recorder()
    worker = make_worker(sessions, recorder.registry, clock, poll_interval=0.02)
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    for n in range(10):
        await enqueue_committed(sessions, "test.record", {"n": n})
    for _ in range(500):
        if len(recorder.runs) == 10:
            break
        await asyncio.sleep(0.02)
    stop.set()
    await asyncio.wait_for(running, timeout=10)
    assert recorder.runs == Counter(dict.fromkeys(range(10), 1))


async def test_gauges_show_depth_age_of_the_oldest_due_job_and_dead_jobs(
    sessions: Sessions, clock: FakeClock
) -> None:
    async with sessions() as session:
        await enqueue(session, "test.record", {"n": 1}, run_after=clock.now - timedelta(minutes=2))
        await enqueue(session, "test.record", {"n": 2}, run_after=clock.now)
        await enqueue(session, "test.record", {"n": 3}, run_after=clock.now + timedelta(hours=1))
        for _ in range(3):
            session.add(Job(kind="old", state=JobState.DEAD, run_after=clock.now))
        await session.commit()
    worker = make_worker(sessions, Recorder().registry, clock)
    await worker.update_gauges()
    assert JOB_QUEUE_DEPTH._value.get() == 2
    assert JOB_OLDEST_DUE_AGE._value.get() == 120.0
    assert JOB_DEAD_STORED._value.get() == 3
    await worker.run_until_idle()
    await worker.update_gauges()
    assert JOB_QUEUE_DEPTH._value.get() == 0
    assert JOB_OLDEST_DUE_AGE._value.get() == 0.0


async def test_purge_deletes_old_succeeded_jobs_and_expired_idempotency_records(
    sessions: Sessions,
    clock: FakeClock,
) -> None:
    async with sessions() as session:
        world = await make_world(session)
        for age_days, state in [
            (8, JobState.SUCCEEDED),
            (6, JobState.SUCCEEDED),
            (30, JobState.DEAD),
        ]:
            session.add(
                Job(
                    kind="old",
                    state=state,
                    run_after=clock.now - timedelta(days=age_days),
                    finished_at=clock.now - timedelta(days=age_days),
                )
            )
        for key, expires in [
            ("gone", clock.now - timedelta(seconds=1)),
            ("kept", clock.now + timedelta(hours=1)),
        ]:
            session.add(
                IdempotencyRecord(
                    tenant_id=world.tenant_id, key=key, request_hash="h", expires_at=expires
                )
            )
        await enqueue(session, "maintenance.purge", {}, run_after=clock.now)
        await session.commit()

    worker = make_worker(sessions, default_registry(), clock)
    assert await worker.run_until_idle() == 1
    remaining = {(job.kind, job.state) for job in await all_jobs(sessions)}
    assert remaining == {
        ("old", JobState.SUCCEEDED),  # 6 days old: kept
        ("old", JobState.DEAD),  # dead jobs wait for an operator
        ("maintenance.purge", JobState.SUCCEEDED),
    }
    async with sessions() as session:
        keys = [r.key for r in (await session.execute(IdempotencyRecord.__table__.select())).all()]
    assert keys == ["kept"]
    # Idempotent: running it again changes nothing more.
    async with sessions() as session:
        await enqueue(
            session, "maintenance.purge", {}, dedupe_key=str(uuid.uuid4()), run_after=clock.now
        )
        await session.commit()
    assert await worker.run_until_idle() == 1
    jobs = [(job.kind, job.state) for job in await all_jobs(sessions)]
    assert sorted(jobs) == sorted(
        [
            ("old", JobState.SUCCEEDED),
            ("old", JobState.DEAD),
            ("maintenance.purge", JobState.SUCCEEDED),
            ("maintenance.purge", JobState.SUCCEEDED),
        ]
    )


@pytest.mark.parametrize("limit", [1, 3])
async def test_claim_takes_the_oldest_due_first_and_respects_the_limit(
    sessions: Sessions, limit: int, clock: FakeClock
) -> None:
    async with sessions() as session:
        ids = [
            await enqueue(
                session, "test.record", {"n": n}, run_after=clock.now - timedelta(minutes=n)
            )
            for n in range(5)
        ]
        await session.commit()
    async with sessions() as session:
        claimed = await job_rows.claim_jobs(
            session, worker_id="w", now=clock.now, lease=timedelta(seconds=30), limit=limit
        )
        await session.commit()
    assert [job.id for job in claimed] == list(reversed(ids))[:limit]
    assert all(job.attempts == 1 for job in claimed)
