"""Customers of a tenant: found by E.164 phone, searched by name or phone, their records
(notes, consents) and what erasure and merging change in them. All tenant-scoped."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.db.engine import session_clock
from frontdesk.db.repositories.keyset import page_of
from frontdesk.db.tables import Appointment, AuditLog, Call, Customer, CustomerConsent
from frontdesk.domain.model import ConsentChannel
from frontdesk.domain.paging import Cursor, Page


async def by_phone(session: AsyncSession, tenant_id: uuid.UUID, phone_e164: str) -> Customer | None:
    stmt = select(Customer).where(
        Customer.tenant_id == tenant_id, Customer.phone_e164 == phone_e164
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def get(
    session: AsyncSession, tenant_id: uuid.UUID, customer_id: uuid.UUID, *, lock: bool = False
) -> Customer | None:
    """The tenant's customer (``lock``: FOR UPDATE on PostgreSQL, for merge and erasure)."""
    stmt = select(Customer).where(Customer.tenant_id == tenant_id, Customer.id == customer_id)
    if lock:
        stmt = stmt.with_for_update()
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


def _escaped(text: str) -> str:
    """``text`` for a LIKE pattern: its own ``%``, ``_`` and ``\\`` taken literally."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def search(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    *,
    name: str | None,
    phone_prefix: str | None = None,
    phone_digits: str | None = None,
    after: Cursor | None,
    limit: int,
) -> Page[Customer]:
    """Customers whose name contains ``name`` (any case), whose E.164 number starts with
    ``phone_prefix`` or contains ``phone_digits``; erased records are never found. Ordered by
    (created_at, id)."""
    matches = []
    if phone_prefix:
        matches.append(Customer.phone_e164.like(f"{_escaped(phone_prefix)}%", escape="\\"))
    if phone_digits:
        matches.append(Customer.phone_e164.like(f"%{_escaped(phone_digits)}%", escape="\\"))
    if name:
        matches.append(func.lower(Customer.name).like(f"%{_escaped(name.lower())}%", escape="\\"))
    stmt = select(Customer).where(
        Customer.tenant_id == tenant_id, Customer.erased_at.is_(None), or_(*matches)
    )
    key = (Customer.created_at, Customer.id)
    return await page_of(session, stmt, key, after=after, limit=limit)


async def appointments_of(
    session: AsyncSession, tenant_id: uuid.UUID, customer_id: uuid.UUID
) -> Sequence[Appointment]:
    """Every appointment of the customer, latest start first."""
    stmt = (
        select(Appointment)
        .where(Appointment.tenant_id == tenant_id, Appointment.customer_id == customer_id)
        .order_by(Appointment.starts_at.desc(), Appointment.id)
    )
    return (await session.execute(stmt)).scalars().all()


async def consents_of(
    session: AsyncSession, tenant_id: uuid.UUID, customer_id: uuid.UUID
) -> Sequence[CustomerConsent]:
    """The customer's consent statements, oldest first."""
    stmt = (
        select(CustomerConsent)
        .where(CustomerConsent.tenant_id == tenant_id, CustomerConsent.customer_id == customer_id)
        .order_by(CustomerConsent.recorded_at, CustomerConsent.id)
    )
    return (await session.execute(stmt)).scalars().all()


async def add_consent(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    customer_id: uuid.UUID,
    *,
    channel: ConsentChannel,
    granted: bool,
    source: str,
    recorded_by: str,
) -> CustomerConsent:
    row = CustomerConsent(
        tenant_id=tenant_id,
        customer_id=customer_id,
        channel=channel,
        granted=granted,
        source=source,
        recorded_by=recorded_by,
        recorded_at=session_clock(session)(),
    )
    session.add(row)
    await session.flush()
    return row


async def audit_about(
    session: AsyncSession, tenant_id: uuid.UUID, entity_ids: Sequence[str]
) -> Sequence[AuditLog]:
    """Audit entries about any of these entities (the customer, its appointments, its calls),
    oldest first."""
    if not entity_ids:
        return []
    stmt = (
        select(AuditLog)
        .where(AuditLog.tenant_id == tenant_id, AuditLog.entity_id.in_(entity_ids))
        .order_by(AuditLog.created_at, AuditLog.id)
    )
    return (await session.execute(stmt)).scalars().all()


async def move_records(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    source: uuid.UUID,
    target: uuid.UUID,
    source_phone: str | None,
) -> dict[str, int]:
    """Give ``source``'s appointments, calls and consents to ``target``; how many of each.
    Calls from ``source_phone`` that the call log tied to nobody go to ``target`` too (they
    are ``source``'s history by its number, which ``target`` may not have).

    Core updates: an appointment's customer is not part of what its version guards (times and
    status), so a concurrent move of the appointment is not refused by this."""
    calls_of_source = Call.customer_id == source
    if source_phone is not None:
        calls_of_source = or_(
            calls_of_source, and_(Call.customer_id.is_(None), Call.from_number == source_phone)
        )
    counts: dict[str, int] = {}
    for label, table, column, which in (
        ("appointments", Appointment, Appointment.customer_id, Appointment.customer_id == source),
        ("calls", Call, Call.customer_id, calls_of_source),
        (
            "consents",
            CustomerConsent,
            CustomerConsent.customer_id,
            CustomerConsent.customer_id == source,
        ),
    ):
        result = await session.execute(
            update(table)
            .where(table.tenant_id == tenant_id, which)
            .values({column.key: target})
            .execution_options(synchronize_session=False)
        )
        counts[label] = int(getattr(result, "rowcount", 0) or 0)
    return counts


async def remove(session: AsyncSession, customer: Customer) -> None:
    """Delete the customer row (after its records were moved or anonymised)."""
    await session.delete(customer)
    await session.flush()


async def delete_consents(
    session: AsyncSession, tenant_id: uuid.UUID, customer_id: uuid.UUID
) -> int:
    result = await session.execute(
        delete(CustomerConsent).where(
            CustomerConsent.tenant_id == tenant_id, CustomerConsent.customer_id == customer_id
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def anonymise_appointments(
    session: AsyncSession, tenant_id: uuid.UUID, customer_id: uuid.UUID
) -> int:
    """Remove the free text of the customer's appointments (notes, cancellation reason: they
    may name the person); times, service, staff, price and status stay for the books."""
    values: dict[str, Any] = {"notes": None, "cancellation_reason": None}
    result = await session.execute(
        update(Appointment)
        .where(Appointment.tenant_id == tenant_id, Appointment.customer_id == customer_id)
        .values(values)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
