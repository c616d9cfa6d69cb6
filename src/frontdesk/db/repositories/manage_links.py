"""One appointment as its manage link's page shows it to the customer: the business, the
service with its cancellation policy, the staff member and the branch's zone (one query,
tenant-scoped). No customer data: whoever holds the link sees what the message said."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.db.tables import Appointment, Branch, Service, Staff, Tenant
from frontdesk.domain.model import AppointmentStatus


@dataclass(frozen=True, slots=True)
class LinkedRow:
    id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    status: AppointmentStatus
    version: int
    service_id: uuid.UUID
    staff_id: uuid.UUID
    service_name: str
    cancellation_policy: dict[str, Any]
    staff_first_name: str
    staff_last_name: str
    business_name: str
    locale: str
    branch_name: str
    timezone: str


async def linked(
    session: AsyncSession, tenant_id: uuid.UUID, appointment_id: uuid.UUID
) -> LinkedRow | None:
    stmt = (
        select(
            Appointment.id,
            Appointment.starts_at,
            Appointment.ends_at,
            Appointment.status,
            Appointment.version,
            Appointment.service_id,
            Appointment.staff_id,
            Service.name,
            Service.cancellation_policy,
            Staff.first_name,
            Staff.last_name,
            Tenant.name,
            Tenant.locale,
            Branch.name,
            Branch.timezone,
        )
        .join(Service, Service.id == Appointment.service_id)
        .join(Staff, Staff.id == Appointment.staff_id)
        .join(Branch, Branch.id == Appointment.branch_id)
        .join(Tenant, Tenant.id == Appointment.tenant_id)
        .where(Appointment.tenant_id == tenant_id, Appointment.id == appointment_id)
    )
    row = (await session.execute(stmt)).one_or_none()
    if row is None:
        return None
    values: tuple[Any, ...] = tuple(row)
    return LinkedRow(*values)
