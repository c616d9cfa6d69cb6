"""One appointment as the web app's appointment page shows it: its own columns with the names
of its customer, service and staff member and its branch's zone (one query, tenant-scoped)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.db.tables import Appointment, Branch, Customer, Service, Staff
from frontdesk.domain.model import AppointmentSource, AppointmentStatus


@dataclass(frozen=True, slots=True)
class DetailRow:
    id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    status: AppointmentStatus
    source: AppointmentSource
    version: int
    notes: str | None
    cancellation_reason: str | None
    service_id: uuid.UUID
    staff_id: uuid.UUID
    customer_name: str
    customer_phone: str | None
    service_name: str
    staff_first_name: str
    staff_last_name: str
    timezone: str


async def detail(
    session: AsyncSession, tenant_id: uuid.UUID, appointment_id: uuid.UUID
) -> DetailRow | None:
    stmt = (
        select(
            Appointment.id,
            Appointment.starts_at,
            Appointment.ends_at,
            Appointment.status,
            Appointment.source,
            Appointment.version,
            Appointment.notes,
            Appointment.cancellation_reason,
            Appointment.service_id,
            Appointment.staff_id,
            Customer.name,
            Customer.phone_e164,
            Service.name,
            Staff.first_name,
            Staff.last_name,
            Branch.timezone,
        )
        .join(Customer, Customer.id == Appointment.customer_id)
        .join(Service, Service.id == Appointment.service_id)
        .join(Staff, Staff.id == Appointment.staff_id)
        .join(Branch, Branch.id == Appointment.branch_id)
        .where(Appointment.tenant_id == tenant_id, Appointment.id == appointment_id)
    )
    row = (await session.execute(stmt)).one_or_none()
    if row is None:
        return None
    values: tuple[Any, ...] = tuple(row)
    return DetailRow(*values)
