"""A worker's hold on jobs: claiming due ones under a lease, extending the lease while a
handler runs, and giving a job back when the worker stops.

A claim is a lease (``locked_by``, ``locked_until``) committed before the handler starts; every
later write of the worker (heartbeat, release, outcome) is fenced by ``locked_by``, so a worker
that lost its lease changes nothing. PostgreSQL claims with ``FOR UPDATE SKIP LOCKED``, SQLite
through its single writer.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from frontdesk.db.engine import READ_ONLY
from frontdesk.db.repositories import jobs as job_rows
from frontdesk.db.repositories.jobs import ClaimedJob
from frontdesk.domain.clock import Clock
from frontdesk.failures import classify, report
from frontdesk.observability.logging import get_logger

log = get_logger(__name__)


class Leases:
    """The leases of one worker (``worker_id``), each ``length`` long by ``clock``."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        worker_id: str,
        length: timedelta,
        clock: Clock,
    ) -> None:
        self._sessions = sessions
        self._worker_id = worker_id
        self._length = length
        self._clock = clock
        self._next_expired_check: datetime | None = None

    async def claim(self, limit: int) -> list[ClaimedJob]:
        """Up to ``limit`` due jobs (and jobs whose lease expired), leased to this worker."""
        now = self._clock()
        if not await self._any_due(now):
            return []
        # Expired leases are looked for at most every third of a lease: a dead worker's jobs
        # then wait at most about 1.3 leases, and a busy worker's claim is one statement.
        include_expired = self._next_expired_check is None or now >= self._next_expired_check
        async with self._sessions() as session:
            claimed = await job_rows.claim_jobs(
                session,
                worker_id=self._worker_id,
                now=now,
                lease=self._length,
                limit=limit,
                include_expired=include_expired,
            )
            await session.commit()
        if include_expired:
            self._next_expired_check = now + self._length / 3
        return claimed

    async def _any_due(self, now: datetime) -> bool:
        """On SQLite, a deferred read first, so an idle poller never takes the write lock.

        PostgreSQL needs no such check: a claim that finds nothing locks nothing.
        """
        async with self._sessions() as session:
            if session.get_bind().dialect.name != "sqlite":
                return True
            await session.connection(execution_options=READ_ONLY)
            return await job_rows.any_due(session, now)

    async def keep(self, job: ClaimedJob) -> None:
        """Extend the lease every third of its length while the handler runs (until cancelled,
        or until another worker holds the job)."""
        interval = self._length.total_seconds() / 3
        while True:
            await asyncio.sleep(interval)
            try:
                async with self._sessions() as session:
                    held = await job_rows.extend_lease(
                        session, job.id, self._worker_id, self._clock() + self._length
                    )
                    await session.commit()
            except Exception as exc:
                # Catch-all on purpose: the heartbeat goes on while the handler runs; a missed
                # extension only risks the lease. Classified: an outage is warned about, a bug
                # logged with its traceback.
                report(classify(exc), "worker_lease", job_id=job.id)
                continue
            if not held:
                log.warning("lease lost to another worker", job_id=job.id, kind=job.kind)
                return

    async def release(self, job: ClaimedJob) -> bool:
        """Give the job back (queued, due now, the attempt not counted); whether we still held
        it. A failed release is logged, not raised: the lease then expires on its own."""
        try:
            async with self._sessions() as session:
                released = await job_rows.release_job(
                    session, job.id, self._worker_id, self._clock()
                )
                await session.commit()
        except Exception as exc:
            # Catch-all on purpose: a failed release is not raised (shutdown goes on), the
            # lease expires on its own. Classified like every other failure.
            report(classify(exc), "worker_lease", job_id=job.id, action="release")
            return False
        return released
