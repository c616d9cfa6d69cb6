"""Transactional handlers: their writes and the job's success mark commit together or not at all."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tests.clock_support import FakeClock
from tests.jobs_support import all_jobs

from frontdesk.db.tables import Job
from frontdesk.domain.model import JobState
from frontdesk.jobs.errors import TransientJobError
from frontdesk.jobs.queue import enqueue
from frontdesk.jobs.registry import HandlerRegistry, JobContext
from frontdesk.jobs.worker import Worker
from frontdesk.settings import Settings

Sessions = async_sessionmaker[AsyncSession]


def worker_with(sessions: Sessions, handler: Any, clock: FakeClock) -> Worker:
    registry = HandlerRegistry()
    registry.add("test.parent", handler, transactional=True)
    registry.add("test.child", _nothing)
    return Worker(sessions, registry, clock=clock, settings=Settings(), periodic=())


async def _nothing(ctx: JobContext, payload: dict[str, Any]) -> None:
    return None


async def start_parent(sessions: Sessions, clock: FakeClock) -> None:
    async with sessions() as session:
        await enqueue(session, "test.parent", {}, run_after=clock.now)
        await session.commit()


async def write_child(ctx: JobContext) -> None:
    assert ctx.session is not None
    await enqueue(ctx.session, "test.child", {"from": ctx.job_id}, run_after=ctx.clock())


async def test_the_handlers_writes_and_the_success_mark_commit_together(
    sessions: Sessions,
    clock: FakeClock,
) -> None:

    async def parent(ctx: JobContext, payload: dict[str, Any]) -> None:
        await write_child(ctx)

    await start_parent(sessions, clock)
    worker = worker_with(sessions, parent, clock)
    assert await worker.run_until_idle() == 2  # the parent, then the child it wrote
    jobs = {job.kind: job for job in await all_jobs(sessions)}
    assert jobs["test.parent"].state is JobState.SUCCEEDED
    assert jobs["test.child"].state is JobState.SUCCEEDED


async def test_a_failing_handler_leaves_none_of_its_writes(
    sessions: Sessions, clock: FakeClock
) -> None:

    async def parent(ctx: JobContext, payload: dict[str, Any]) -> None:
        await write_child(ctx)
        raise TransientJobError("calendar unreachable")

    await start_parent(sessions, clock)
    await worker_with(sessions, parent, clock).run_until_idle()
    [job] = await all_jobs(sessions)
    assert (job.kind, job.state, job.attempts) == ("test.parent", JobState.QUEUED, 1)
    assert job.last_error is not None
    assert "calendar unreachable" in job.last_error


async def test_a_run_that_lost_its_lease_writes_nothing(
    sessions: Sessions, clock: FakeClock
) -> None:

    async def parent(ctx: JobContext, payload: dict[str, Any]) -> None:
        # The lease expires while the handler works, and another worker takes the job over.
        async with ctx.sessions() as other:
            await other.execute(update(Job).where(Job.id == ctx.job_id).values(locked_by="thief"))
            await other.commit()
        await write_child(ctx)

    await start_parent(sessions, clock)
    await worker_with(sessions, parent, clock).run_until_idle()
    [job] = await all_jobs(sessions)
    assert (job.kind, job.state, job.locked_by) == ("test.parent", JobState.RUNNING, "thief")


async def test_jobs_claimed_together_commit_together(
    sessions: Sessions, monkeypatch: Any, clock: FakeClock
) -> None:
    from frontdesk.db.repositories import jobs as job_rows

    batches: list[list[int]] = []
    real = job_rows.complete_jobs

    async def counting(session: AsyncSession, ids: list[int], *args: Any) -> int:
        batches.append(list(ids))
        return await real(session, ids, *args)

    monkeypatch.setattr(job_rows, "complete_jobs", counting)

    async def parent(ctx: JobContext, payload: dict[str, Any]) -> None:
        await write_child(ctx)

    for _ in range(3):
        await start_parent(sessions, clock)
    assert await worker_with(sessions, parent, clock).run_until_idle() == 6
    assert [len(ids) for ids in batches] == [3]  # three parents, one commit
    jobs = await all_jobs(sessions)
    assert sorted(j.kind for j in jobs) == ["test.child"] * 3 + ["test.parent"] * 3
    assert {j.state for j in jobs} == {JobState.SUCCEEDED}


async def test_one_failing_job_of_a_batch_costs_the_others_nothing(
    sessions: Sessions, clock: FakeClock
) -> None:

    async def parent(ctx: JobContext, payload: dict[str, Any]) -> None:
        await write_child(ctx)
        if payload.get("fail"):
            raise TransientJobError("this one fails")

    async with sessions() as session:
        for fail in (False, True, False):
            await enqueue(session, "test.parent", {"fail": fail}, run_after=clock.now)
        await session.commit()
    await worker_with(sessions, parent, clock).run_until_idle()
    jobs = await all_jobs(sessions)
    parents = {bool(j.payload["fail"]): j for j in jobs if j.kind == "test.parent"}
    assert parents[False].state is JobState.SUCCEEDED
    assert parents[True].state is JobState.QUEUED  # to be retried, none of its writes kept
    children = [j for j in jobs if j.kind == "test.child"]
    assert sorted(c.payload["from"] for c in children) == sorted(
        j.id for j in jobs if j.kind == "test.parent" and not j.payload["fail"]
    )
