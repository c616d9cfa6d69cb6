"""SQL of the job table (the transactional outbox) and of its worker.

Every state change a worker makes is *fenced* by ``locked_by``: once a lease has expired and
another worker has claimed the job, the first worker's late completion, failure or release
matches no row and changes nothing (the functions return False so the caller can log it).

Times come from the caller (the worker's injected clock), never from the database's ``now()``,
so tests can drive time; hosts running workers need synchronised clocks (NTP), as the lease
expiry of one worker is judged by another's clock.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from frontdesk.db.engine import session_clock
from frontdesk.db.tables import IdempotencyRecord, Job
from frontdesk.db.upsert import insert_on_conflict
from frontdesk.domain.model import JobState

# Enough of a traceback's last line and message for an operator; the full one is in the logs.
MAX_ERROR_CHARS = 4_000


@dataclass(frozen=True, slots=True)
class ClaimedJob:
    """A job a worker holds a lease on; ``attempts`` already counts the run about to start."""

    id: int
    kind: str
    payload: dict[str, Any]
    tenant_id: uuid.UUID | None
    attempts: int
    max_attempts: int
    run_after: datetime
    created_at: datetime


@dataclass(frozen=True, slots=True)
class DueStats:
    """Jobs due and unclaimed (or with an expired lease), and when the oldest became due."""

    depth: int
    oldest_due: datetime | None


async def insert_job(
    session: AsyncSession,
    *,
    kind: str,
    payload: dict[str, Any],
    run_after: datetime,
    dedupe_key: str | None,
    tenant_id: uuid.UUID | None,
    max_attempts: int,
) -> int | None:
    """Insert one job in the session's transaction; None when ``dedupe_key`` already exists.

    ``ON CONFLICT DO NOTHING`` makes the dedupe race-free: two transactions enqueueing the same
    key concurrently produce one row, and neither fails.
    """
    stmt = (
        insert_on_conflict(session, Job)
        .values(
            kind=kind,
            payload=payload,
            run_after=run_after,
            dedupe_key=dedupe_key,
            tenant_id=tenant_id,
            max_attempts=max_attempts,
            created_at=session_clock(session)(),
        )
        .on_conflict_do_nothing(index_elements=[Job.dedupe_key])
        .returning(Job.id)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_job(session: AsyncSession, job_id: int) -> Job | None:
    return (await session.execute(select(Job).where(Job.id == job_id))).scalar_one_or_none()


def _claimable(now: datetime) -> ColumnElement[bool]:
    """Due and queued, or running under a lease that has expired (its worker died)."""
    return or_(
        and_(Job.state == JobState.QUEUED, Job.run_after <= now),
        and_(Job.state == JobState.RUNNING, Job.locked_until < now),
    )


async def any_due(session: AsyncSession, now: datetime) -> bool:
    """Whether a claim would find anything; cheap, and read-only on SQLite when asked to be."""
    stmt = select(Job.id).where(_claimable(now)).limit(1)
    return (await session.execute(stmt)).first() is not None


async def claim_jobs(
    session: AsyncSession,
    *,
    worker_id: str,
    now: datetime,
    lease: timedelta,
    limit: int,
    include_expired: bool = True,
) -> list[ClaimedJob]:
    """Lease up to ``limit`` due jobs to ``worker_id``, oldest due first; the caller commits.

    Jobs whose lease expired (their worker died) are taken back first, then queued jobs that are
    due. Both go through the same statement (``_claim``); they are separate so that each can
    walk the ``(state, run_after)`` index in order instead of sorting every due row, which an
    ``OR`` of the two conditions forces on every claim of a long backlog. Expired leases are
    rare (a worker died), so a busy worker looks for them only now and then
    (``include_expired``), which makes its usual claim one statement.
    """
    claimed: list[ClaimedJob] = []
    if include_expired:
        expired = and_(Job.state == JobState.RUNNING, Job.locked_until < now)
        claimed = await _claim(session, expired, Job.locked_until, worker_id, now, lease, limit)
    if len(claimed) < limit:
        due = and_(Job.state == JobState.QUEUED, Job.run_after <= now)
        claimed += await _claim(
            session, due, Job.run_after, worker_id, now, lease, limit - len(claimed)
        )
    return claimed


async def _claim(
    session: AsyncSession,
    condition: ColumnElement[bool],
    order: InstrumentedAttribute[Any],
    worker_id: str,
    now: datetime,
    lease: timedelta,
    limit: int,
) -> list[ClaimedJob]:
    """One claim statement for both databases.

    On PostgreSQL ``FOR UPDATE SKIP LOCKED`` lets concurrent claimers pass over each other's
    rows instead of waiting or taking the same ones; rows a concurrent claimer committed first
    are re-checked against the condition and dropped. On SQLite the clause is not rendered:
    ``BEGIN IMMEDIATE`` makes the claim the only writer.
    """
    chosen = (
        select(Job.id)
        .where(condition)
        .order_by(order, Job.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    stmt = (
        update(Job)
        .where(Job.id.in_(chosen.scalar_subquery()))
        .values(
            state=JobState.RUNNING,
            locked_by=worker_id,
            locked_until=now + lease,
            attempts=Job.attempts + 1,
        )
        .returning(
            Job.id,
            Job.kind,
            Job.payload,
            Job.tenant_id,
            Job.attempts,
            Job.max_attempts,
            Job.run_after,
            Job.created_at,
        )
        .execution_options(synchronize_session=False)
    )
    rows = (await session.execute(stmt)).all()
    # RETURNING comes back in no particular order; hand the jobs out oldest due first.
    return sorted((ClaimedJob(*row) for row in rows), key=lambda job: (job.run_after, job.id))


def _held(job_id: int, worker_id: str) -> ColumnElement[bool]:
    return and_(Job.id == job_id, Job.state == JobState.RUNNING, Job.locked_by == worker_id)


async def _fenced_update(
    session: AsyncSession, job_id: int, worker_id: str, values: dict[str, Any]
) -> bool:
    stmt = (
        update(Job)
        .where(_held(job_id, worker_id))
        .values(**values)
        .returning(Job.id)
        .execution_options(synchronize_session=False)
    )
    return (await session.execute(stmt)).first() is not None


_SUCCEEDED: dict[str, Any] = {
    "state": JobState.SUCCEEDED,
    "locked_by": None,
    "locked_until": None,
    "last_error": None,
}


async def complete_jobs(
    session: AsyncSession, job_ids: list[int], worker_id: str, now: datetime
) -> int:
    """``complete_job`` for several held jobs in one statement; how many were still held."""
    stmt = (
        update(Job)
        .where(Job.id.in_(job_ids), Job.state == JobState.RUNNING, Job.locked_by == worker_id)
        .values(_SUCCEEDED | {"finished_at": now})
        .returning(Job.id)
        .execution_options(synchronize_session=False)
    )
    return len((await session.execute(stmt)).all())


async def complete_job(session: AsyncSession, job_id: int, worker_id: str, now: datetime) -> bool:
    """Mark a held job succeeded; False when the lease was lost to another worker."""
    return await _fenced_update(session, job_id, worker_id, _SUCCEEDED | {"finished_at": now})


def _requeued(
    run_after: datetime, *, uncounted: bool = False, error: str | None = None
) -> dict[str, Any]:
    """The values that hand a held job back to the queue, due at ``run_after``; ``uncounted``
    takes back the attempt its claim counted."""
    values: dict[str, Any] = {
        "state": JobState.QUEUED,
        "run_after": run_after,
        "locked_by": None,
        "locked_until": None,
    }
    if uncounted:
        values["attempts"] = Job.attempts - 1
    if error is not None:
        values["last_error"] = error[:MAX_ERROR_CHARS]
    return values


async def reschedule_job(
    session: AsyncSession, job_id: int, worker_id: str, run_after: datetime, error: str
) -> bool:
    """Put a held job back in the queue to be retried at ``run_after``, keeping the error."""
    return await _fenced_update(session, job_id, worker_id, _requeued(run_after, error=error))


async def mark_dead(
    session: AsyncSession, job_id: int, worker_id: str, now: datetime, error: str
) -> bool:
    """Give up on a held job: state ``dead``, the error kept for operators."""
    return await _fenced_update(
        session,
        job_id,
        worker_id,
        {
            "state": JobState.DEAD,
            "finished_at": now,
            "locked_by": None,
            "locked_until": None,
            "last_error": error[:MAX_ERROR_CHARS],
        },
    )


async def defer_job(
    session: AsyncSession, job_id: int, worker_id: str, run_after: datetime, error: str
) -> bool:
    """Put a held job back for later without counting this attempt (``JobDeferred``)."""
    values = _requeued(run_after, uncounted=True, error=error)
    return await _fenced_update(session, job_id, worker_id, values)


async def release_job(session: AsyncSession, job_id: int, worker_id: str, now: datetime) -> bool:
    """Hand a held job back unfinished (shutdown): due now, and this attempt not counted."""
    return await _fenced_update(session, job_id, worker_id, _requeued(now, uncounted=True))


async def extend_lease(
    session: AsyncSession, job_id: int, worker_id: str, locked_until: datetime
) -> bool:
    """Heartbeat of a long-running job; False when the lease was already lost."""
    return await _fenced_update(session, job_id, worker_id, {"locked_until": locked_until})


async def list_jobs(
    session: AsyncSession, *, state: JobState | None = None, limit: int = 50
) -> Sequence[Job]:
    """Jobs in ``state`` (all when None), newest first."""
    stmt = select(Job).order_by(Job.id.desc()).limit(limit)
    if state is not None:
        stmt = stmt.where(Job.state == state)
    return (await session.execute(stmt)).scalars().all()


async def retry_dead(session: AsyncSession, job_id: int, now: datetime) -> bool:
    """An operator's retry: a dead job becomes queued, due now, with its attempts reset.

    ``last_error`` stays until the next run overwrites it, so the reason is still visible.
    """
    stmt = (
        update(Job)
        .where(Job.id == job_id, Job.state == JobState.DEAD)
        .values(state=JobState.QUEUED, run_after=now, attempts=0, finished_at=None)
        .returning(Job.id)
        .execution_options(synchronize_session=False)
    )
    return (await session.execute(stmt)).first() is not None


async def due_stats(session: AsyncSession, now: datetime) -> DueStats:
    """Queue depth and the oldest due time, for the gauges."""
    stmt = select(func.count(Job.id), func.min(Job.run_after)).where(_claimable(now))
    depth, oldest = (await session.execute(stmt)).one()
    return DueStats(int(depth), oldest)


async def dead_count(session: AsyncSession) -> int:
    """How many jobs are dead (given up on), for the gauge; served by the state index."""
    stmt = select(func.count(Job.id)).where(Job.state == JobState.DEAD)
    return int((await session.execute(stmt)).scalar_one())


async def purge_succeeded(session: AsyncSession, finished_before: datetime) -> int:
    """Delete succeeded jobs finished before the cut-off; returns how many."""
    stmt = delete(Job).where(Job.state == JobState.SUCCEEDED, Job.finished_at < finished_before)
    result: CursorResult[Any] = await session.execute(stmt)  # type: ignore[assignment]
    return result.rowcount


async def purge_expired_idempotency(session: AsyncSession, now: datetime) -> int:
    """Delete remembered ``Idempotency-Key`` outcomes past their expiry; returns how many."""
    stmt = delete(IdempotencyRecord).where(IdempotencyRecord.expires_at < now)
    result: CursorResult[Any] = await session.execute(stmt)  # type: ignore[assignment]
    return result.rowcount
