"""Customers of a tenant, found by E.164 phone number."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.db.tables import Customer


async def by_phone(session: AsyncSession, tenant_id: uuid.UUID, phone_e164: str) -> Customer | None:
    stmt = select(Customer).where(
        Customer.tenant_id == tenant_id, Customer.phone_e164 == phone_e164
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def add(session: AsyncSession, customer: Customer) -> Customer:
    session.add(customer)
    await session.flush()
    return customer


async def page(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    *,
    query: str | None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> Sequence[Customer]:
    """One page ordered by (created_at, id), optionally filtered by name or phone substring."""
    stmt = select(Customer).where(Customer.tenant_id == tenant_id)
    if query:
        pattern = f"%{query}%"
        stmt = stmt.where(or_(Customer.name.ilike(pattern), Customer.phone_e164.like(pattern)))
    if after is not None:
        stmt = stmt.where(tuple_(Customer.created_at, Customer.id) > tuple_(*after))
    stmt = stmt.order_by(Customer.created_at, Customer.id).limit(limit)
    return (await session.execute(stmt)).scalars().all()
