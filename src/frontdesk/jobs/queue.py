"""Enqueue side effects as jobs inside the caller's unit of work (the transactional outbox).

A job row is written in the same transaction as the change that causes it: if the transaction
commits, the job will run (at least once); if it rolls back, the job never existed.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.db.engine import session_clock
from frontdesk.db.repositories import jobs as job_rows
from frontdesk.observability.metrics import JOBS_ENQUEUED
from frontdesk.observability.tracing import add_event

DEFAULT_MAX_ATTEMPTS = 8


async def enqueue(
    session: AsyncSession,
    kind: str,
    payload: dict[str, Any],
    *,
    run_after: datetime | None = None,
    dedupe_key: str | None = None,
    tenant_id: uuid.UUID | None = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> int | None:
    """Write a job in ``session``'s transaction and return its id.

    ``dedupe_key`` makes the job unique for ever: a second enqueue with the same key is a no-op
    and returns None. Include whatever makes a run distinct in the key (a version, a period).
    ``payload`` must be JSON-serialisable; the caller commits. Without ``run_after`` the job is
    due at once by the session's clock, the same clock the worker judges "due" by.
    """
    job_id = await job_rows.insert_job(
        session,
        kind=kind,
        payload=payload,
        run_after=run_after or session_clock(session)(),
        dedupe_key=dedupe_key,
        tenant_id=tenant_id,
        max_attempts=max_attempts,
    )
    if job_id is not None:
        JOBS_ENQUEUED.labels(kind).inc()
        # The job's run is a trace of its own; this event on the enqueuing span finds it.
        add_event("job.enqueued", {"job.id": job_id, "job.kind": kind})
    return job_id
