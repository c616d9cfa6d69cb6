"""Customers of a tenant, found by E.164 phone number."""

from __future__ import annotations

import uuid

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.db.repositories.keyset import page_of
from frontdesk.db.tables import Customer
from frontdesk.domain.paging import Cursor, Page


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
    after: Cursor | None,
    limit: int,
) -> Page[Customer]:
    """One page ordered by (created_at, id), optionally filtered by name or phone substring."""
    stmt = select(Customer).where(Customer.tenant_id == tenant_id)
    if query:
        pattern = f"%{query}%"
        stmt = stmt.where(or_(Customer.name.ilike(pattern), Customer.phone_e164.like(pattern)))
    key = (Customer.created_at, Customer.id)
    return await page_of(session, stmt, key, after=after, limit=limit)
