"""The reconciliation's report rows (ADR 0017)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.db.tables import ReconciliationRun


def add_run(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    branch_id: uuid.UUID,
    started_at: datetime,
    finished_at: datetime,
    window: tuple[datetime, datetime],
    counts: Mapping[str, int],
    items: Sequence[Mapping[str, Any]],
    error: str | None = None,
) -> ReconciliationRun:
    row = ReconciliationRun(
        tenant_id=tenant_id,
        branch_id=branch_id,
        started_at=started_at,
        finished_at=finished_at,
        window_start=window[0],
        window_end=window[1],
        counts=dict(counts),
        items=[dict(i) for i in items],
        error=error[:500] if error else None,
    )
    session.add(row)
    return row


async def latest(session: AsyncSession, branch_id: uuid.UUID) -> ReconciliationRun | None:
    """The branch's most recent run."""
    return await session.scalar(
        select(ReconciliationRun)
        .where(ReconciliationRun.branch_id == branch_id)
        .order_by(ReconciliationRun.started_at.desc(), ReconciliationRun.finished_at.desc())
        .limit(1)
    )
