"""The append-only audit trail."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.db.tables import AuditLog
from frontdesk.db.upsert import insert_on_conflict


async def record_once(
    session: AsyncSession,
    *,
    entry_id: uuid.UUID,
    tenant_id: uuid.UUID,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: str | None,
    data: dict[str, Any],
    at: datetime,
) -> bool:
    """Insert an entry unless one with ``entry_id`` exists (so replays add nothing)."""
    stmt = (
        insert_on_conflict(session, AuditLog)
        .values(
            id=entry_id,
            tenant_id=tenant_id,
            actor=actor,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            data=data,
            created_at=at,
        )
        .on_conflict_do_nothing(index_elements=[AuditLog.id])
        .returning(AuditLog.id)
    )
    return (await session.execute(stmt)).scalar_one_or_none() is not None
