"""SQL of the job table (the transactional outbox)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.db.tables import Job


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
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(Job)
        .values(
            kind=kind,
            payload=payload,
            run_after=run_after,
            dedupe_key=dedupe_key,
            tenant_id=tenant_id,
            max_attempts=max_attempts,
        )
        .on_conflict_do_nothing(index_elements=[Job.dedupe_key])
        .returning(Job.id)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_job(session: AsyncSession, job_id: int) -> Job | None:
    return (await session.execute(select(Job).where(Job.id == job_id))).scalar_one_or_none()
