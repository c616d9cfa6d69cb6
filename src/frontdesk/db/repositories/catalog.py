"""Reads of a branch's bookable catalogue: services, staff, weekly hours, absences, closures.

These rows change rarely; the booking layer caches what ``load_catalog`` returns per branch and
``calendar_version`` (every write to them must call ``bump_calendar_version``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.db.engine import session_clock
from frontdesk.db.tables import (
    BookingDay,
    Branch,
    BranchClosure,
    OpeningHours,
    Service,
    ServiceStaff,
    Staff,
    StaffAbsence,
    Tenant,
    WorkingBreak,
    WorkingHours,
)
from frontdesk.db.upsert import insert_on_conflict


@dataclass(frozen=True, slots=True)
class BranchRef:
    """Enough to find a branch's cached catalogue and to check it is still current."""

    branch_id: uuid.UUID
    tenant_id: uuid.UUID
    calendar_version: int
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class CatalogRows:
    branch: Branch
    tenant: Tenant
    services: list[Service]
    service_staff: list[tuple[uuid.UUID, uuid.UUID]]
    staff: list[Staff]
    hours: list[tuple[WorkingHours, WorkingBreak | None]]
    absences: list[StaffAbsence]
    closures: list[BranchClosure]
    opening: list[OpeningHours]


def _branch_of_service(tenant_id: uuid.UUID, service_id: uuid.UUID, *extra: Any) -> Select[Any]:
    """The ``BranchRef`` columns (then ``extra``) of the branch offering an active service."""
    return (
        select(Branch.id, Branch.tenant_id, Branch.calendar_version, Branch.updated_at, *extra)
        .join(Service, Service.branch_id == Branch.id)
        .where(Service.id == service_id, Service.tenant_id == tenant_id, Service.active)
    )


async def branch_of_service(
    session: AsyncSession, tenant_id: uuid.UUID, service_id: uuid.UUID
) -> BranchRef | None:
    """The branch offering an active service of this tenant (one query)."""
    row = (await session.execute(_branch_of_service(tenant_id, service_id))).one_or_none()
    return BranchRef(*row) if row else None


async def branch_and_day_versions(
    session: AsyncSession, tenant_id: uuid.UUID, service_id: uuid.UUID, first: date, last: date
) -> tuple[BranchRef, dict[date, int]] | None:
    """``branch_of_service``, and the versions of the branch's local days ``first..last`` that
    have ever had a write: in one query, a search's only read when its caches are current."""
    in_range = and_(
        BookingDay.branch_id == Branch.id, BookingDay.day >= first, BookingDay.day <= last
    )
    stmt = _branch_of_service(tenant_id, service_id, BookingDay.day, BookingDay.version).outerjoin(
        BookingDay, in_range
    )
    rows = (await session.execute(stmt)).all()
    if not rows:
        return None
    ref = BranchRef(rows[0][0], rows[0][1], rows[0][2], rows[0][3])
    return ref, {row[4]: row[5] for row in rows if row[4] is not None}


async def load_catalog(session: AsyncSession, branch_id: uuid.UUID, since: datetime) -> CatalogRows:
    """Everything about a branch's bookable time, in a fixed number of queries (eight).

    Absences and closures are loaded from ``since`` on (past ones cannot affect new bookings).
    """
    branch, tenant = (
        await session.execute(
            select(Branch, Tenant)
            .join(Tenant, Tenant.id == Branch.tenant_id)
            .where(Branch.id == branch_id)
        )
    ).one()
    services = list(
        (
            await session.execute(
                select(Service)
                .where(Service.branch_id == branch_id, Service.active)
                .order_by(Service.sort_order, Service.name)
            )
        ).scalars()
    )
    links = (
        await session.execute(
            select(ServiceStaff.service_id, ServiceStaff.staff_id)
            .join(Service, Service.id == ServiceStaff.service_id)
            .where(Service.branch_id == branch_id)
        )
    ).all()
    staff = list(
        (
            await session.execute(
                select(Staff)
                .where(Staff.branch_id == branch_id, Staff.active)
                .order_by(Staff.sort_order, Staff.first_name)
            )
        ).scalars()
    )
    hours = (
        await session.execute(
            select(WorkingHours, WorkingBreak)
            .join(Staff, Staff.id == WorkingHours.staff_id)
            .outerjoin(WorkingBreak, WorkingBreak.working_hours_id == WorkingHours.id)
            .where(Staff.branch_id == branch_id)
        )
    ).all()
    absences = list(
        (
            await session.execute(
                select(StaffAbsence)
                .join(Staff, Staff.id == StaffAbsence.staff_id)
                .where(Staff.branch_id == branch_id, StaffAbsence.ends_at > since)
            )
        ).scalars()
    )
    closures = list(
        (
            await session.execute(
                select(BranchClosure).where(
                    BranchClosure.branch_id == branch_id, BranchClosure.ends_at > since
                )
            )
        ).scalars()
    )
    opening = list(
        (
            await session.execute(
                select(OpeningHours)
                .where(OpeningHours.branch_id == branch_id)
                .order_by(OpeningHours.weekday, OpeningHours.starts_at)
            )
        ).scalars()
    )
    return CatalogRows(
        branch=branch,
        tenant=tenant,
        services=services,
        service_staff=[(service_id, staff_id) for service_id, staff_id in links],
        staff=staff,
        hours=[(window, pause) for window, pause in hours],
        absences=absences,
        closures=closures,
        opening=opening,
    )


async def bump_calendar_version(session: AsyncSession, branch_id: uuid.UUID) -> None:
    """Invalidate every process's cached catalogue of this branch (call in the same transaction)."""
    await session.execute(
        update(Branch)
        .where(Branch.id == branch_id)
        .values(
            calendar_version=Branch.calendar_version + 1,
            updated_at=session_clock(session)(),
        )
    )


async def bump_booking_days(
    session: AsyncSession, tenant_id: uuid.UUID, branch_id: uuid.UUID, days: Iterable[date]
) -> None:
    """Invalidate cached appointments of these local days (call in the appointment's transaction).

    One upsert; on PostgreSQL it locks only these day rows until commit, so writes on other days
    of the branch do not wait for each other.
    """
    rows = [
        {"branch_id": branch_id, "day": day, "tenant_id": tenant_id, "version": 1}
        for day in sorted(set(days))
    ]
    stmt = insert_on_conflict(session, BookingDay).values(rows)
    stmt = stmt.on_conflict_do_update(
        index_elements=[BookingDay.branch_id, BookingDay.day],
        set_={"version": BookingDay.version + 1},
    )
    await session.execute(stmt)


async def services_of_tenant(session: AsyncSession, tenant_id: uuid.UUID) -> list[Service]:
    stmt = (
        select(Service)
        .where(Service.tenant_id == tenant_id, Service.active)
        .order_by(Service.sort_order, Service.name)
    )
    return list((await session.execute(stmt)).scalars())


async def staff_links_of_tenant(
    session: AsyncSession, tenant_id: uuid.UUID
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    stmt = select(ServiceStaff.service_id, ServiceStaff.staff_id).where(
        ServiceStaff.tenant_id == tenant_id
    )
    return [(service_id, staff_id) for service_id, staff_id in (await session.execute(stmt)).all()]


async def staff_of_tenant(session: AsyncSession, tenant_id: uuid.UUID) -> list[Staff]:
    stmt = (
        select(Staff)
        .where(Staff.tenant_id == tenant_id, Staff.active)
        .order_by(Staff.sort_order, Staff.first_name)
    )
    return list((await session.execute(stmt)).scalars())
