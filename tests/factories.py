"""Builders for the rows tests need, written through the ORM like production code does."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.db.tables import Appointment, Branch, Customer, Service, Staff, Tenant
from frontdesk.domain.model import AppointmentSource, AppointmentStatus


@dataclass(frozen=True)
class World:
    tenant_id: uuid.UUID
    branch_id: uuid.UUID
    staff_ids: tuple[uuid.UUID, ...]
    service_id: uuid.UUID
    customer_id: uuid.UUID


async def make_world(session: AsyncSession, slug: str = "t1", staff_count: int = 2) -> World:
    """A tenant with one branch, ``staff_count`` staff, one service and one customer."""
    tenant = Tenant(slug=slug, name=f"Tenant {slug}")
    session.add(tenant)
    await session.flush()
    branch = Branch(tenant_id=tenant.id, name="Main", timezone="Europe/Berlin", state_code="BE")
    session.add(branch)
    await session.flush()
    staff = [
        Staff(tenant_id=tenant.id, branch_id=branch.id, first_name=f"S{i}")
        for i in range(staff_count)
    ]
    service = Service(tenant_id=tenant.id, branch_id=branch.id, name="Cut", duration_minutes=60)
    customer = Customer(tenant_id=tenant.id, name="Erika", phone_e164=f"+49151{slug}0000")
    session.add_all([*staff, service, customer])
    await session.commit()
    return World(tenant.id, branch.id, tuple(s.id for s in staff), service.id, customer.id)


def appointment(
    world: World,
    starts_at: datetime,
    ends_at: datetime,
    *,
    staff: int = 0,
    status: AppointmentStatus = AppointmentStatus.CONFIRMED,
) -> Appointment:
    return Appointment(
        tenant_id=world.tenant_id,
        branch_id=world.branch_id,
        staff_id=world.staff_ids[staff],
        service_id=world.service_id,
        customer_id=world.customer_id,
        starts_at=starts_at,
        ends_at=ends_at,
        status=status,
        source=AppointmentSource.API,
    )
