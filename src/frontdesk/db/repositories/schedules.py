"""The owner's writes to a branch's time: opening hours, staff weeks, absences and closures.

Every caller bumps the branch's ``calendar_version`` in the same transaction
(``catalog.bump_calendar_version``) so cached catalogues and slot searches see the change at once.
Lookups are scoped by tenant: another tenant's id finds nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.db.tables import (
    Branch,
    BranchClosure,
    OpeningHours,
    Staff,
    StaffAbsence,
    WorkingBreak,
    WorkingHours,
)


@dataclass(frozen=True, slots=True)
class WindowRow:
    """One weekly window (weekday, local start and end) with its breaks."""

    weekday: int
    start: time
    end: time
    breaks: tuple[tuple[time, time], ...] = ()


async def branch(
    session: AsyncSession, tenant_id: uuid.UUID, branch_id: uuid.UUID
) -> Branch | None:
    stmt = select(Branch).where(Branch.id == branch_id, Branch.tenant_id == tenant_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def staff(session: AsyncSession, tenant_id: uuid.UUID, staff_id: uuid.UUID) -> Staff | None:
    stmt = select(Staff).where(Staff.id == staff_id, Staff.tenant_id == tenant_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def opening_hours(session: AsyncSession, branch_id: uuid.UUID) -> list[WindowRow]:
    stmt = (
        select(OpeningHours)
        .where(OpeningHours.branch_id == branch_id)
        .order_by(OpeningHours.weekday, OpeningHours.starts_at)
    )
    rows = (await session.execute(stmt)).scalars()
    return [WindowRow(r.weekday, r.starts_at, r.ends_at) for r in rows]


async def replace_opening_hours(
    session: AsyncSession, tenant_id: uuid.UUID, branch_id: uuid.UUID, windows: Iterable[WindowRow]
) -> None:
    await session.execute(delete(OpeningHours).where(OpeningHours.branch_id == branch_id))
    session.add_all(
        OpeningHours(
            tenant_id=tenant_id,
            branch_id=branch_id,
            weekday=w.weekday,
            starts_at=w.start,
            ends_at=w.end,
        )
        for w in windows
    )
    await session.flush()


async def staff_week(session: AsyncSession, staff_id: uuid.UUID) -> list[WindowRow]:
    stmt = (
        select(WorkingHours, WorkingBreak)
        .outerjoin(WorkingBreak, WorkingBreak.working_hours_id == WorkingHours.id)
        .where(WorkingHours.staff_id == staff_id)
        .order_by(WorkingHours.weekday, WorkingHours.starts_at, WorkingBreak.starts_at)
    )
    windows: dict[uuid.UUID, WorkingHours] = {}
    breaks: dict[uuid.UUID, list[tuple[time, time]]] = {}
    for window, pause in (await session.execute(stmt)).all():
        windows[window.id] = window
        breaks.setdefault(window.id, [])
        if pause is not None:
            breaks[window.id].append((pause.starts_at, pause.ends_at))
    return [
        WindowRow(w.weekday, w.starts_at, w.ends_at, tuple(breaks[w.id])) for w in windows.values()
    ]


async def replace_staff_week(
    session: AsyncSession, tenant_id: uuid.UUID, staff_id: uuid.UUID, windows: Iterable[WindowRow]
) -> None:
    """The staff member's whole week replaced (breaks go with their windows: ON DELETE CASCADE,
    deleted explicitly too, as SQLite enforces foreign keys only when asked)."""
    old = select(WorkingHours.id).where(WorkingHours.staff_id == staff_id)
    await session.execute(delete(WorkingBreak).where(WorkingBreak.working_hours_id.in_(old)))
    await session.execute(delete(WorkingHours).where(WorkingHours.staff_id == staff_id))
    pauses: list[WorkingBreak] = []
    for w in windows:
        row = WorkingHours(
            id=uuid.uuid4(),
            tenant_id=tenant_id,
            staff_id=staff_id,
            weekday=w.weekday,
            starts_at=w.start,
            ends_at=w.end,
        )
        session.add(row)
        pauses.extend(
            WorkingBreak(tenant_id=tenant_id, working_hours_id=row.id, starts_at=lo, ends_at=hi)
            for lo, hi in w.breaks
        )
    # The ORM has no relationships: windows first, then the breaks that refer to them.
    await session.flush()
    session.add_all(pauses)
    await session.flush()


async def absences(
    session: AsyncSession, tenant_id: uuid.UUID, branch_id: uuid.UUID, since: datetime
) -> list[StaffAbsence]:
    stmt = (
        select(StaffAbsence)
        .join(Staff, Staff.id == StaffAbsence.staff_id)
        .where(
            StaffAbsence.tenant_id == tenant_id,
            Staff.branch_id == branch_id,
            StaffAbsence.ends_at > since,
        )
        .order_by(StaffAbsence.starts_at, StaffAbsence.id)
    )
    return list((await session.execute(stmt)).scalars())


async def absence(
    session: AsyncSession, tenant_id: uuid.UUID, absence_id: uuid.UUID
) -> StaffAbsence | None:
    stmt = select(StaffAbsence).where(
        StaffAbsence.id == absence_id, StaffAbsence.tenant_id == tenant_id
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def add_absence(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    staff_id: uuid.UUID,
    span: tuple[datetime, datetime],
    reason: str | None,
) -> StaffAbsence:
    row = StaffAbsence(
        tenant_id=tenant_id, staff_id=staff_id, starts_at=span[0], ends_at=span[1], reason=reason
    )
    session.add(row)
    await session.flush()
    return row


async def closures(
    session: AsyncSession, tenant_id: uuid.UUID, branch_id: uuid.UUID, since: datetime
) -> list[BranchClosure]:
    stmt = (
        select(BranchClosure)
        .where(
            BranchClosure.tenant_id == tenant_id,
            BranchClosure.branch_id == branch_id,
            BranchClosure.ends_at > since,
        )
        .order_by(BranchClosure.starts_at, BranchClosure.id)
    )
    return list((await session.execute(stmt)).scalars())


async def closure(
    session: AsyncSession, tenant_id: uuid.UUID, closure_id: uuid.UUID
) -> BranchClosure | None:
    stmt = select(BranchClosure).where(
        BranchClosure.id == closure_id, BranchClosure.tenant_id == tenant_id
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def add_closure(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    branch_id: uuid.UUID,
    span: tuple[datetime, datetime],
    reason: str | None,
) -> BranchClosure:
    row = BranchClosure(
        tenant_id=tenant_id, branch_id=branch_id, starts_at=span[0], ends_at=span[1], reason=reason
    )
    session.add(row)
    await session.flush()
    return row


async def remove(session: AsyncSession, row: StaffAbsence | BranchClosure) -> None:
    await session.delete(row)
    await session.flush()
