"""The owner's writes to a branch's services and who performs them (scoped by tenant)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.db.tables import Service, ServiceStaff, Staff


async def of_branch(
    session: AsyncSession, tenant_id: uuid.UUID, branch_id: uuid.UUID
) -> list[Service]:
    """Active and inactive services of the branch (a settings page shows both)."""
    stmt = (
        select(Service)
        .where(Service.tenant_id == tenant_id, Service.branch_id == branch_id)
        .order_by(Service.sort_order, Service.name)
    )
    return list((await session.execute(stmt)).scalars())


async def get(session: AsyncSession, tenant_id: uuid.UUID, service_id: uuid.UUID) -> Service | None:
    stmt = select(Service).where(Service.id == service_id, Service.tenant_id == tenant_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def staff_of(
    session: AsyncSession, service_ids: Iterable[uuid.UUID]
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    stmt = select(ServiceStaff.service_id, ServiceStaff.staff_id).where(
        ServiceStaff.service_id.in_(list(service_ids))
    )
    return [(service_id, staff_id) for service_id, staff_id in (await session.execute(stmt)).all()]


async def staff_in_branch(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    branch_id: uuid.UUID,
    staff_ids: Iterable[uuid.UUID],
) -> set[uuid.UUID]:
    """Which of ``staff_ids`` are this tenant's staff in this branch."""
    wanted = list(staff_ids)
    if not wanted:
        return set()
    stmt = select(Staff.id).where(
        Staff.id.in_(wanted), Staff.tenant_id == tenant_id, Staff.branch_id == branch_id
    )
    return set((await session.execute(stmt)).scalars())


async def name_taken(
    session: AsyncSession, branch_id: uuid.UUID, name: str, other_than: uuid.UUID | None
) -> bool:
    stmt = select(func.count()).where(
        Service.branch_id == branch_id, func.lower(Service.name) == name.lower()
    )
    if other_than is not None:
        stmt = stmt.where(Service.id != other_than)
    return bool((await session.execute(stmt)).scalar_one())


async def add(
    session: AsyncSession, tenant_id: uuid.UUID, branch_id: uuid.UUID, **values: Any
) -> Service:
    row = Service(id=uuid.uuid4(), tenant_id=tenant_id, branch_id=branch_id, **values)
    session.add(row)
    await session.flush()
    return row


def update(row: Service, **values: Any) -> None:
    for name, value in values.items():
        setattr(row, name, value)


async def set_staff(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    service_id: uuid.UUID,
    staff_ids: Iterable[uuid.UUID],
) -> None:
    await session.execute(delete(ServiceStaff).where(ServiceStaff.service_id == service_id))
    session.add_all(
        ServiceStaff(service_id=service_id, staff_id=staff_id, tenant_id=tenant_id)
        for staff_id in sorted(set(staff_ids))
    )
    await session.flush()
