"""What the sync health page reads and changes (issue 14, item 6): a tenant's appointments
that are not in step with their outside calendar, their audit history, the branches' last
reconciliation runs and the tenant's dead jobs. Every query is scoped by tenant."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.db.repositories import reconciliation
from frontdesk.db.repositories.schedule import branches_of_tenant
from frontdesk.db.tables import (
    Appointment,
    AuditLog,
    Branch,
    Customer,
    Job,
    ReconciliationRun,
    Service,
    Staff,
)
from frontdesk.domain.model import JobState, SyncState

UNSYNCED = (SyncState.PENDING_SYNC, SyncState.SYNC_FAILED, SyncState.CONFLICT)


@dataclass(frozen=True, slots=True)
class UnsyncedRow:
    appointment: Appointment
    customer: str
    service: str
    staff: str


async def unsynced(session: AsyncSession, tenant_id: uuid.UUID, limit: int) -> list[UnsyncedRow]:
    """Pending, failed and conflicting appointments, conflicts and failures first, then by
    start."""
    stmt = (
        select(Appointment, Customer.name, Service.name, Staff)
        .join(Customer, Customer.id == Appointment.customer_id)
        .join(Service, Service.id == Appointment.service_id)
        .join(Staff, Staff.id == Appointment.staff_id)
        .where(Appointment.tenant_id == tenant_id, Appointment.sync_state.in_(UNSYNCED))
        .order_by(Appointment.sync_state == SyncState.PENDING_SYNC, Appointment.starts_at)
        .limit(limit)
    )
    rows = (await session.execute(stmt)).all()
    return [UnsyncedRow(a, customer, service, staff.name) for a, customer, service, staff in rows]


async def appointment_history(
    session: AsyncSession, tenant_id: uuid.UUID, appointment_ids: Sequence[uuid.UUID]
) -> list[AuditLog]:
    """The audit entries of these appointments, oldest first."""
    if not appointment_ids:
        return []
    stmt = (
        select(AuditLog)
        .where(
            AuditLog.tenant_id == tenant_id,
            AuditLog.entity_type == "appointment",
            AuditLog.entity_id.in_([str(i) for i in appointment_ids]),
        )
        .order_by(AuditLog.created_at, AuditLog.id)
    )
    return list((await session.execute(stmt)).scalars())


async def last_runs(
    session: AsyncSession, tenant_id: uuid.UUID
) -> list[tuple[Branch, ReconciliationRun]]:
    """Each branch's latest reconciliation run (branches never reconciled are left out)."""
    runs = []
    for branch in await branches_of_tenant(session, tenant_id):
        run = await reconciliation.latest(session, branch.id)
        if run is not None:
            runs.append((branch, run))
    return runs


async def dead_jobs(session: AsyncSession, tenant_id: uuid.UUID, limit: int) -> Sequence[Job]:
    """The tenant's jobs that gave up, newest first."""
    stmt = (
        select(Job)
        .where(Job.tenant_id == tenant_id, Job.state == JobState.DEAD)
        .order_by(Job.id.desc())
        .limit(limit)
    )
    return (await session.execute(stmt)).scalars().all()


async def dead_job(session: AsyncSession, tenant_id: uuid.UUID, job_id: int) -> Job | None:
    stmt = select(Job).where(
        Job.id == job_id, Job.tenant_id == tenant_id, Job.state == JobState.DEAD
    )
    return (await session.execute(stmt)).scalar_one_or_none()
