"""The queue's gauges, read from the job table: how many jobs are due, how long the oldest
has waited, and how many are dead. Every worker sets them every few seconds, so any process's
metrics show the queue (one indexed count each: cheap next to the worker's own polling)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from frontdesk.db.engine import reading
from frontdesk.db.repositories import jobs as job_rows
from frontdesk.observability.metrics import JOB_DEAD_STORED, JOB_OLDEST_DUE_AGE, JOB_QUEUE_DEPTH


async def update_gauges(sessions: async_sessionmaker[AsyncSession], now: datetime) -> None:
    """Set the queue-depth, oldest-due-age and dead-jobs gauges from the table as of ``now``."""
    async with reading(sessions) as session:
        stats = await job_rows.due_stats(session, now)
        dead = await job_rows.dead_count(session)
    JOB_DEAD_STORED.set(dead)
    JOB_QUEUE_DEPTH.set(stats.depth)
    age = (now - stats.oldest_due).total_seconds() if stats.oldest_due else 0.0
    JOB_OLDEST_DUE_AGE.set(max(age, 0.0))
