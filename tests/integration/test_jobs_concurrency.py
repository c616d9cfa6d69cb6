"""Several workers on one queue: every committed job runs exactly once, and periodic runs are
created once per period however many workers schedule them.

Each worker has its own engine (its own connections), as separate processes would.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from tests.clock_support import FakeClock
from tests.jobs_support import all_jobs

from frontdesk.db.engine import create_engine, create_session_factory
from frontdesk.db.tables import Job
from frontdesk.domain.model import JobState
from frontdesk.jobs.registry import HandlerRegistry, JobContext
from frontdesk.jobs.schedule import Periodic
from frontdesk.jobs.worker import Worker
from frontdesk.settings import Settings

Sessions = async_sessionmaker[AsyncSession]
# Four worker engines on one SQLite file is a stress test beyond the embedded mode (one worker in
# `serve`): SQLite's busy handler is not fair, and on a loaded machine (or under libfaketime) a
# writer starved past the 15 s busy timeout fails the run. A quarter of the jobs still has every
# worker claim against the others; PostgreSQL, the scale-out database, takes all 1,000.
JOBS = {"postgresql": 1_000, "sqlite": 250}


@pytest.fixture
async def worker_sessions(db: AsyncEngine, clock: FakeClock) -> AsyncIterator[list[Sessions]]:
    """Four session factories over four separate engines on the test database."""
    url = db.url.render_as_string(hide_password=False)
    engines = [create_engine(url, pool_size=4) for _ in range(4)]
    yield [create_session_factory(engine, clock) for engine in engines]
    for engine in engines:
        await engine.dispose()


async def test_many_jobs_four_workers_each_job_runs_exactly_once(
    sessions: Sessions, worker_sessions: list[Sessions], clock: FakeClock
) -> None:
    jobs = JOBS[sessions.kw["bind"].dialect.name]
    async with sessions() as session:
        rows = [
            {
                "kind": "test.count",
                "payload": {"n": n},
                "run_after": clock.now,
                "created_at": clock.now,
            }
            for n in range(jobs)
        ]
        await session.execute(insert(Job), rows)
        await session.commit()

    runs: Counter[int] = Counter()
    by_worker: Counter[str] = Counter()
    registry = HandlerRegistry()

    @registry.register("test.count")
    async def count(ctx: JobContext, payload: dict[str, Any]) -> None:
        """Idempotent by design of the test: it only counts, and the count must be one."""
        runs[payload["n"]] += 1
        await asyncio.sleep(0)

    workers = [
        Worker(
            factory,
            registry,
            worker_id=f"w{i}",
            concurrency=8,
            clock=clock,
            settings=Settings(),
            periodic=(),
        )
        for i, factory in enumerate(worker_sessions)
    ]

    async def drain(worker: Worker) -> None:
        by_worker[worker.worker_id] += await worker.run_until_idle()

    await asyncio.gather(*(drain(worker) for worker in workers))
    assert sum(by_worker.values()) == jobs
    assert len(runs) == jobs
    assert set(runs.values()) == {1}
    states = Counter((job.state, job.attempts) for job in await all_jobs(sessions))
    assert states == Counter({(JobState.SUCCEEDED, 1): jobs})


async def test_three_workers_schedule_one_run_per_period(
    sessions: Sessions, worker_sessions: list[Sessions], clock: FakeClock
) -> None:
    every = timedelta(minutes=5)
    schedule = (Periodic("sync.reconcile", every, {"scope": "all"}),)
    registry, periods_run = HandlerRegistry(), Counter[str]()

    @registry.register("sync.reconcile")
    async def reconcile(ctx: JobContext, payload: dict[str, Any]) -> None:
        """Idempotent: counts the period it ran for."""
        periods_run[ctx.clock().isoformat()] += 1

    workers = [
        Worker(
            factory,
            registry,
            worker_id=f"w{i}",
            clock=clock,
            settings=Settings(),
            periodic=schedule,
        )
        for i, factory in enumerate(worker_sessions[:3])
    ]
    starts = []
    for period in range(4):
        start = schedule[0].period_start(clock.now) + period * every
        # Every worker ticks several times during the period, at the same instants.
        for offset in (timedelta(0), timedelta(seconds=1), timedelta(minutes=4, seconds=59)):
            clock.now = start + offset
            created = await asyncio.gather(*(worker.schedule_periodic() for worker in workers))
            assert sum(len(ids) for ids in created) == (1 if offset == timedelta(0) else 0)
        starts.append(start)
        await asyncio.gather(*(worker.run_until_idle() for worker in workers))

    jobs = await all_jobs(sessions)
    assert [(job.kind, job.run_after, job.state) for job in jobs] == [
        ("sync.reconcile", start, JobState.SUCCEEDED) for start in starts
    ]
    assert [job.dedupe_key for job in jobs] == [
        f"periodic:sync.reconcile:{start.isoformat()}" for start in starts
    ]
    assert [job.payload for job in jobs] == [{"scope": "all"}] * 4
    assert sum(periods_run.values()) == 4


async def test_fresh_workers_in_the_same_period_do_not_schedule_it_again(
    sessions: Sessions, worker_sessions: list[Sessions], clock: FakeClock
) -> None:
    """A restarted worker has no memory of what it scheduled; the dedupe key remembers."""
    schedule = (Periodic("reminders.send", timedelta(minutes=1)),)
    registry = HandlerRegistry()

    def fresh(factory: Sessions) -> Worker:
        return Worker(factory, registry, clock=clock, settings=Settings(), periodic=schedule)

    first = await asyncio.gather(*(fresh(f).schedule_periodic() for f in worker_sessions[:3]))
    again = await asyncio.gather(*(fresh(f).schedule_periodic() for f in worker_sessions[:3]))
    assert sum(len(ids) for ids in first) == 1
    assert sum(len(ids) for ids in again) == 0
    assert len(await all_jobs(sessions)) == 1
