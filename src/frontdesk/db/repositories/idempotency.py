"""Remembered outcomes of REST writes sent with an ``Idempotency-Key``."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.db.tables import IdempotencyRecord
from frontdesk.db.upsert import insert_on_conflict
from frontdesk.domain.model import IdempotencyState


async def claim(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    key: str,
    request_hash: str,
    now: datetime,
    expires_at: datetime,
) -> bool:
    """Insert an in-flight record; False when the key is already recorded (race-free)."""
    stmt = (
        insert_on_conflict(session, IdempotencyRecord)
        .values(
            id=uuid.uuid4(),
            tenant_id=tenant_id,
            key=key,
            request_hash=request_hash,
            state=IdempotencyState.IN_FLIGHT,
            created_at=now,
            expires_at=expires_at,
        )
        .on_conflict_do_nothing(index_elements=[IdempotencyRecord.tenant_id, IdempotencyRecord.key])
        .returning(IdempotencyRecord.id)
    )
    return (await session.execute(stmt)).scalar_one_or_none() is not None


async def find(session: AsyncSession, tenant_id: uuid.UUID, key: str) -> IdempotencyRecord | None:
    stmt = select(IdempotencyRecord).where(
        IdempotencyRecord.tenant_id == tenant_id, IdempotencyRecord.key == key
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def take_over(
    session: AsyncSession,
    record: IdempotencyRecord,
    request_hash: str,
    now: datetime,
    expires_at: datetime,
) -> bool:
    """Reuse an expired or abandoned record; compare-and-set so only one taker wins."""
    stmt = (
        update(IdempotencyRecord)
        .where(IdempotencyRecord.id == record.id, IdempotencyRecord.created_at == record.created_at)
        .values(
            request_hash=request_hash,
            state=IdempotencyState.IN_FLIGHT,
            response_status=None,
            response_body=None,
            created_at=now,
            expires_at=expires_at,
        )
    )
    result = cast(CursorResult[Any], await session.execute(stmt))
    return result.rowcount == 1


async def complete(
    session: AsyncSession, tenant_id: uuid.UUID, key: str, status: int, body: dict[str, Any]
) -> None:
    await session.execute(
        update(IdempotencyRecord)
        .where(IdempotencyRecord.tenant_id == tenant_id, IdempotencyRecord.key == key)
        .values(state=IdempotencyState.COMPLETED, response_status=status, response_body=body)
    )


async def release(session: AsyncSession, tenant_id: uuid.UUID, key: str) -> None:
    """Forget an in-flight key whose request failed unexpectedly, so the client may retry."""
    record = await find(session, tenant_id, key)
    if record is not None and record.state is IdempotencyState.IN_FLIGHT:
        await session.delete(record)
