"""Dialled numbers: which tenant and branch a call to an E.164 number belongs to."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.db.tables import Branch, PhoneNumber, Tenant


@dataclass(frozen=True, slots=True)
class NumberRoute:
    """Everything a voice request needs before it can be verified and answered."""

    tenant_id: uuid.UUID
    branch_id: uuid.UUID
    retell_api_key: str | None
    calendar_version: int
    branch_updated_at: datetime


async def route(session: AsyncSession, e164: str) -> NumberRoute | None:
    """The tenant and branch behind a dialled number (one query), or ``None``."""
    stmt = (
        select(
            PhoneNumber.tenant_id,
            PhoneNumber.branch_id,
            Tenant.retell_api_key,
            Branch.calendar_version,
            Branch.updated_at,
        )
        .join(Tenant, Tenant.id == PhoneNumber.tenant_id)
        .join(Branch, Branch.id == PhoneNumber.branch_id)
        .where(PhoneNumber.e164 == e164)
    )
    row = (await session.execute(stmt)).one_or_none()
    return NumberRoute(*row) if row else None


async def of_tenant(session: AsyncSession, tenant_id: uuid.UUID) -> list[PhoneNumber]:
    stmt = (
        select(PhoneNumber)
        .where(PhoneNumber.tenant_id == tenant_id)
        .order_by(PhoneNumber.e164, PhoneNumber.id)
    )
    return list((await session.execute(stmt)).scalars())


async def get(
    session: AsyncSession, tenant_id: uuid.UUID, number_id: uuid.UUID
) -> PhoneNumber | None:
    stmt = select(PhoneNumber).where(
        PhoneNumber.id == number_id, PhoneNumber.tenant_id == tenant_id
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def exists(session: AsyncSession, e164: str, other_than: uuid.UUID | None = None) -> bool:
    """Whether any tenant's number is ``e164`` (numbers route calls: unique across tenants)."""
    stmt = select(PhoneNumber.id).where(PhoneNumber.e164 == e164)
    if other_than is not None:
        stmt = stmt.where(PhoneNumber.id != other_than)
    return (await session.execute(stmt.limit(1))).first() is not None


async def add(
    session: AsyncSession, tenant_id: uuid.UUID, branch_id: uuid.UUID, e164: str, label: str | None
) -> PhoneNumber:
    row = PhoneNumber(
        id=uuid.uuid4(), tenant_id=tenant_id, branch_id=branch_id, e164=e164, label=label
    )
    session.add(row)
    await session.flush()
    return row


async def remove(session: AsyncSession, row: PhoneNumber) -> None:
    await session.delete(row)
    await session.flush()
