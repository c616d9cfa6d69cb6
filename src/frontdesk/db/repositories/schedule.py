"""Reads behind the web app's schedule: a tenant's branches, the appointments of a branch in a
period with their customer's and service's names, and the versions that change with them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.db.tables import Appointment, BookingDay, Branch, Customer, Service
from frontdesk.domain.model import AppointmentStatus


@dataclass(frozen=True, slots=True)
class ScheduledRow:
    """The columns a schedule shows (not whole ORM objects: a busy week has hundreds)."""

    id: uuid.UUID
    staff_id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    status: AppointmentStatus
    customer_name: str
    service_name: str


async def branches_of_tenant(session: AsyncSession, tenant_id: uuid.UUID) -> list[Branch]:
    stmt = select(Branch).where(Branch.tenant_id == tenant_id).order_by(Branch.name, Branch.id)
    return list((await session.execute(stmt)).scalars())


async def appointments_between(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    branch_id: uuid.UUID,
    start: datetime,
    end: datetime,
) -> list[ScheduledRow]:
    """Appointments of the branch overlapping ``[start, end)``, cancelled ones left out."""
    stmt = (
        select(
            Appointment.id,
            Appointment.staff_id,
            Appointment.starts_at,
            Appointment.ends_at,
            Appointment.status,
            Customer.name,
            Service.name,
        )
        .join(Customer, Customer.id == Appointment.customer_id)
        .join(Service, Service.id == Appointment.service_id)
        .where(
            Appointment.tenant_id == tenant_id,
            Appointment.branch_id == branch_id,
            Appointment.starts_at < end,
            Appointment.ends_at > start,
            Appointment.status != AppointmentStatus.CANCELLED,
        )
        .order_by(Appointment.starts_at, Appointment.id)
    )
    return [ScheduledRow(*row) for row in (await session.execute(stmt)).all()]


async def versions(
    session: AsyncSession, tenant_id: uuid.UUID, branch_id: uuid.UUID, first: date, last: date
) -> tuple[int, dict[date, int]] | None:
    """The branch's calendar version and the booking-day versions of ``first..last`` (one
    query): what changes whenever anything shown on the schedule of those days changes."""
    stmt = (
        select(Branch.calendar_version, BookingDay.day, BookingDay.version)
        .outerjoin(
            BookingDay,
            (BookingDay.branch_id == Branch.id)
            & (BookingDay.day >= first)
            & (BookingDay.day <= last),
        )
        .where(Branch.id == branch_id, Branch.tenant_id == tenant_id)
    )
    rows = (await session.execute(stmt)).all()
    if not rows:
        return None
    return rows[0][0], {row[1]: row[2] for row in rows if row[1] is not None}
