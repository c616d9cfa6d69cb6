"""Phone calls handled by the voice agent (tenant-scoped reads)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.db.tables import Call


async def page(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    *,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> Sequence[Call]:
    """Newest first, ordered by (created_at, id) descending."""
    stmt = select(Call).where(Call.tenant_id == tenant_id)
    if after is not None:
        stmt = stmt.where(tuple_(Call.created_at, Call.id) < tuple_(*after))
    stmt = stmt.order_by(Call.created_at.desc(), Call.id.desc()).limit(limit)
    return (await session.execute(stmt)).scalars().all()
