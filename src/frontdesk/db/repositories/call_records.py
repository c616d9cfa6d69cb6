"""The call log as the business reads it: the call list, one call's detail, and deleting what
was said in calls (retention, erasure; ADR 0020). All tenant-scoped."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.db.engine import session_clock
from frontdesk.db.repositories.keyset import page_of
from frontdesk.db.tables import (
    Appointment,
    Branch,
    Call,
    CallAppointment,
    CallFunction,
    Customer,
    Service,
    Staff,
    Tenant,
)
from frontdesk.domain.paging import Cursor, Page

# What a call's content is (what was said): deleted by the retention job and by erasure.
_NO_CONTENT: dict[str, Any] = {
    "transcript": None,
    "summary": None,
    "sentiment": None,
    "analysis": {},
}


@dataclass(frozen=True, slots=True)
class DayWindow:
    """One local day in one branch's zone as UTC bounds; ``branch_id`` None: calls that no
    branch is known for (the tenant's zone)."""

    branch_id: uuid.UUID | None
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class LinkRow:
    """An appointment a call booked, moved or cancelled, as the call's pages show it."""

    call_id: uuid.UUID
    action: str
    appointment: Appointment
    service_name: str
    staff_name: str


async def zones(session: AsyncSession, tenant_id: uuid.UUID) -> tuple[str, dict[uuid.UUID, str]]:
    """The tenant's time zone and each of its branches' zones."""
    tenant_zone = (
        await session.execute(select(Tenant.timezone).where(Tenant.id == tenant_id))
    ).scalar_one_or_none()
    rows = await session.execute(
        select(Branch.id, Branch.timezone).where(Branch.tenant_id == tenant_id)
    )
    return tenant_zone or "Europe/Berlin", {row[0]: row[1] for row in rows}


def _on_day(windows: Sequence[DayWindow]) -> ColumnElement[bool]:
    """Calls that began in one of ``windows`` (each in its branch's zone)."""
    clauses = [
        and_(
            Call.branch_id.is_(None) if w.branch_id is None else Call.branch_id == w.branch_id,
            Call.created_at >= w.start,
            Call.created_at < w.end,
        )
        for w in windows
    ]
    return or_(*clauses) if clauses else false()


async def page(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    *,
    outcome: str | None,
    no_outcome: bool,
    day: Sequence[DayWindow] | None,
    after: Cursor | None,
    limit: int,
) -> Page[Call]:
    """The tenant's calls newest first by (created_at, id); ``outcome`` or ``no_outcome``
    filter by what the call did, ``day`` by when it began."""
    stmt = select(Call).where(Call.tenant_id == tenant_id)
    if outcome is not None:
        stmt = stmt.where(Call.outcome == outcome)
    if no_outcome:
        stmt = stmt.where(Call.outcome.is_(None))
    if day is not None:
        stmt = stmt.where(_on_day(day))
    key = (Call.created_at, Call.id)
    return await page_of(session, stmt, key, after=after, limit=limit, newest_first=True)


async def get(session: AsyncSession, tenant_id: uuid.UUID, call_id: uuid.UUID) -> Call | None:
    stmt = select(Call).where(Call.tenant_id == tenant_id, Call.id == call_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def names_of(
    session: AsyncSession, tenant_id: uuid.UUID, customer_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, str]:
    """Customer id → name, for the callers of a page of calls."""
    if not customer_ids:
        return {}
    stmt = select(Customer.id, Customer.name).where(
        Customer.tenant_id == tenant_id, Customer.id.in_(customer_ids)
    )
    return {row[0]: row[1] for row in await session.execute(stmt)}


async def links_of(
    session: AsyncSession, tenant_id: uuid.UUID, call_ids: Collection[uuid.UUID]
) -> list[LinkRow]:
    """The appointments these calls booked, moved or cancelled, in the order it happened."""
    if not call_ids:
        return []
    stmt = (
        select(CallAppointment.call_id, CallAppointment.action, Appointment, Service.name, Staff)
        .join(Appointment, Appointment.id == CallAppointment.appointment_id)
        .join(Service, Service.id == Appointment.service_id)
        .join(Staff, Staff.id == Appointment.staff_id)
        .where(CallAppointment.tenant_id == tenant_id, CallAppointment.call_id.in_(call_ids))
        .order_by(CallAppointment.created_at, CallAppointment.action)
    )
    return [
        LinkRow(call_id, action, appointment, service, staff.name)
        for call_id, action, appointment, service, staff in await session.execute(stmt)
    ]


async def functions_of(
    session: AsyncSession, tenant_id: uuid.UUID, call_id: uuid.UUID
) -> Sequence[CallFunction]:
    """The functions the agent ran in the call, in the order they answered."""
    stmt = (
        select(CallFunction)
        .where(CallFunction.tenant_id == tenant_id, CallFunction.call_id == call_id)
        .order_by(CallFunction.created_at, CallFunction.id)
    )
    return (await session.execute(stmt)).scalars().all()


async def of_customer(
    session: AsyncSession, tenant_id: uuid.UUID, customer_id: uuid.UUID, phone: str | None
) -> Sequence[Call]:
    """The customer's calls, newest first: those the call log tied to the customer, and those
    from the customer's number that it did not tie to anybody."""
    mine = Call.customer_id == customer_id
    if phone is not None:
        mine = or_(mine, and_(Call.customer_id.is_(None), Call.from_number == phone))
    stmt = (
        select(Call)
        .where(Call.tenant_id == tenant_id, mine)
        .order_by(Call.created_at.desc(), Call.id.desc())
    )
    return (await session.execute(stmt)).scalars().all()


async def functions_of_calls(
    session: AsyncSession, tenant_id: uuid.UUID, call_ids: Collection[uuid.UUID]
) -> Sequence[CallFunction]:
    if not call_ids:
        return []
    stmt = (
        select(CallFunction)
        .where(CallFunction.tenant_id == tenant_id, CallFunction.call_id.in_(call_ids))
        .order_by(CallFunction.created_at, CallFunction.id)
    )
    return (await session.execute(stmt)).scalars().all()


async def delete_content(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    call_ids: Collection[uuid.UUID],
    *,
    caller_number: bool,
) -> int:
    """Delete what was said in these calls (transcript, summary, sentiment, analysis, the
    functions' arguments and answers) and, with ``caller_number``, who called. Count of calls."""
    if not call_ids:
        return 0
    now = session_clock(session)()
    values: dict[str, object] = {**_NO_CONTENT, "content_deleted_at": now, "updated_at": now}
    if caller_number:
        values["from_number"] = None
    result = await session.execute(
        update(Call)
        .where(Call.tenant_id == tenant_id, Call.id.in_(call_ids))
        .values(values)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(CallFunction)
        .where(CallFunction.tenant_id == tenant_id, CallFunction.call_id.in_(call_ids))
        .values(arguments={}, answer=None, error=None)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def retention_settings(session: AsyncSession) -> list[tuple[uuid.UUID, int]]:
    """Every tenant with its transcript retention in days."""
    stmt = select(Tenant.id, Tenant.transcript_retention_days).order_by(Tenant.id)
    return [(row[0], row[1]) for row in await session.execute(stmt)]


async def expired(
    session: AsyncSession, tenant_id: uuid.UUID, before: datetime, limit: int
) -> list[uuid.UUID]:
    """Up to ``limit`` of the tenant's calls from before ``before`` whose content is still
    stored (through the (tenant_id, created_at) index)."""
    stmt = (
        select(Call.id)
        .where(
            Call.tenant_id == tenant_id,
            Call.created_at < before,
            Call.content_deleted_at.is_(None),
        )
        .order_by(Call.created_at, Call.id)
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars())


async def set_retention(session: AsyncSession, tenant_id: uuid.UUID, days: int) -> bool:
    """Set the tenant's transcript retention; False when there is no such tenant."""
    result = await session.execute(
        update(Tenant)
        .where(Tenant.id == tenant_id)
        .values(transcript_retention_days=days, updated_at=session_clock(session)())
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))
