"""The queue's gauges, read from the job table: how many jobs are due and how long the oldest
has waited. Every worker sets them every few seconds, so any process's metrics show the queue."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from frontdesk.db.engine import reading
from frontdesk.db.repositories import jobs as job_rows
from frontdesk.observability.metrics import JOB_OLDEST_DUE_AGE, JOB_QUEUE_DEPTH


async def update_gauges(sessions: async_sessionmaker[AsyncSession], now: datetime) -> None:
    """Set the queue-depth and oldest-due-age gauges from the table as of ``now``."""
    async with reading(sessions) as session:
        stats = await job_rows.due_stats(session, now)
    JOB_QUEUE_DEPTH.set(stats.depth)
    age = (now - stats.oldest_due).total_seconds() if stats.oldest_due else 0.0
    JOB_OLDEST_DUE_AGE.set(max(age, 0.0))
