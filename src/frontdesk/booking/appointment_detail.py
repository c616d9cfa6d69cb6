"""One appointment with the names a person needs to act on it (the web app's appointment
page): read-only, by the tenant's id, ``AppointmentNotFound`` for anyone else's."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from frontdesk.booking.unit_of_work import UnitOfWork
from frontdesk.db.repositories import appointment_details
from frontdesk.domain.errors import AppointmentNotFound
from frontdesk.domain.model import ACTIVE_STATUSES, AppointmentSource, AppointmentStatus
from frontdesk.language.phone_search import display


@dataclass(frozen=True, slots=True)
class AppointmentDetail:
    id: uuid.UUID
    start: datetime  # in the branch's zone
    end: datetime
    status: AppointmentStatus
    source: AppointmentSource
    version: int
    notes: str | None
    cancellation_reason: str | None
    service_id: uuid.UUID
    staff_id: uuid.UUID
    customer_name: str
    customer_phone: str | None  # formatted for Germany
    service_name: str
    staff_name: str
    # What may be done now (the use cases check again; this only decides what is offered).
    changeable: bool
    markable: bool


async def appointment_detail(
    uow: UnitOfWork, tenant_id: uuid.UUID, appointment_id: uuid.UUID
) -> AppointmentDetail:
    async with uow.reading() as session:
        row = await appointment_details.detail(session, tenant_id, appointment_id)
    if row is None:
        raise AppointmentNotFound(f"no appointment {appointment_id}")
    tz = ZoneInfo(row.timezone)
    now = uow.clock()
    return AppointmentDetail(
        id=row.id,
        start=row.starts_at.astimezone(tz),
        end=row.ends_at.astimezone(tz),
        status=row.status,
        source=row.source,
        version=row.version,
        notes=row.notes,
        cancellation_reason=row.cancellation_reason,
        service_id=row.service_id,
        staff_id=row.staff_id,
        customer_name=row.customer_name,
        customer_phone=display(row.customer_phone),
        service_name=row.service_name,
        staff_name=f"{row.staff_first_name} {row.staff_last_name}".strip(),
        changeable=row.status in ACTIVE_STATUSES and row.starts_at > now,
        markable=row.status is not AppointmentStatus.CANCELLED
        and row.status is not AppointmentStatus.PENDING
        and row.starts_at <= now,
    )
