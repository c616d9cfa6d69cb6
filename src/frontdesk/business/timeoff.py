"""Time off: a staff member's absences (vacation, sickness) and the branch's closures."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from frontdesk.booking.unit_of_work import UnitOfWork
from frontdesk.business import rules
from frontdesk.business.hours import branch_of, staff_of
from frontdesk.business.owner import Owner, record
from frontdesk.business.views import TimeOffView
from frontdesk.db.repositories import schedules
from frontdesk.db.tables import BranchClosure, StaffAbsence
from frontdesk.domain.errors import InvalidSetting, SettingNotFound

REASON = "Grund"


async def absences(uow: UnitOfWork, owner: Owner, branch_id: uuid.UUID) -> list[TimeOffView]:
    """The branch's absences that have not ended yet."""
    async with uow.reading() as session:
        branch = await branch_of(session, owner, branch_id)
        rows = await schedules.absences(session, owner.tenant_id, branch.id, uow.clock())
    return [_absence(row) for row in rows]


async def add_absence(
    uow: UnitOfWork,
    owner: Owner,
    staff_id: uuid.UUID,
    starts_at: datetime,
    ends_at: datetime,
    reason: str | None = None,
) -> TimeOffView:
    """A staff member away from ``starts_at`` to ``ends_at`` (e.g. "Urlaub", "Krank")."""
    span = rules.span(starts_at, ends_at)
    note = rules.text(reason, "reason", REASON, rules.MAX_NAME, required=False)
    async with uow.writing() as session:
        member = await staff_of(session, owner, staff_id)
        known = await schedules.absences(session, owner.tenant_id, member.branch_id, span[0])
        if any(a.staff_id == member.id and a.starts_at < span[1] for a in known):
            raise InvalidSetting(
                "overlaps an absence of the same staff member",
                f"{member.name} ist in dieser Zeit schon abwesend eingetragen.",
                "starts_at",
            )
        row = await schedules.add_absence(session, owner.tenant_id, member.id, span, note)
        view = _absence(row)
        await record(
            uow,
            session,
            owner,
            "absence.add",
            ("staff_absence", row.id),
            None,
            _audit(view),
            member.branch_id,
        )
        await uow.commit(session)
    return view


async def remove_absence(uow: UnitOfWork, owner: Owner, absence_id: uuid.UUID) -> None:
    async with uow.writing() as session:
        row = await schedules.absence(session, owner.tenant_id, absence_id)
        if row is None:
            raise SettingNotFound(f"no absence {absence_id}", "Diese Abwesenheit gibt es nicht.")
        member = await staff_of(session, owner, row.staff_id)
        before = _audit(_absence(row))
        await schedules.remove(session, row)
        await record(
            uow,
            session,
            owner,
            "absence.remove",
            ("staff_absence", absence_id),
            before,
            None,
            member.branch_id,
        )
        await uow.commit(session)


async def closures(uow: UnitOfWork, owner: Owner, branch_id: uuid.UUID) -> list[TimeOffView]:
    """The branch's closures that have not ended yet."""
    async with uow.reading() as session:
        branch = await branch_of(session, owner, branch_id)
        rows = await schedules.closures(session, owner.tenant_id, branch.id, uow.clock())
    return [_closure(row) for row in rows]


async def add_closure(
    uow: UnitOfWork,
    owner: Owner,
    branch_id: uuid.UUID,
    first_day: date,
    last_day: date,
    reason: str | None = None,
) -> TimeOffView:
    """The branch closed all day from ``first_day`` to ``last_day`` (local days, inclusive)."""
    if last_day < first_day:
        raise InvalidSetting(
            "last day before first day", "Der letzte Tag liegt vor dem ersten.", "last_day"
        )
    note = rules.text(reason, "reason", REASON, rules.MAX_NAME, required=False)
    async with uow.writing() as session:
        branch = await branch_of(session, owner, branch_id)
        span = rules.span(*_local_days(first_day, last_day, ZoneInfo(branch.timezone)))
        row = await schedules.add_closure(session, owner.tenant_id, branch.id, span, note)
        view = _closure(row)
        await record(
            uow,
            session,
            owner,
            "closure.add",
            ("branch_closure", row.id),
            None,
            _audit(view),
            branch.id,
        )
        await uow.commit(session)
    return view


async def remove_closure(uow: UnitOfWork, owner: Owner, closure_id: uuid.UUID) -> None:
    async with uow.writing() as session:
        row = await schedules.closure(session, owner.tenant_id, closure_id)
        if row is None:
            raise SettingNotFound(f"no closure {closure_id}", "Diese Schließung gibt es nicht.")
        before, branch_id = _audit(_closure(row)), row.branch_id
        await schedules.remove(session, row)
        await record(
            uow,
            session,
            owner,
            "closure.remove",
            ("branch_closure", closure_id),
            before,
            None,
            branch_id,
        )
        await uow.commit(session)


def _local_days(first: date, last: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Midnight to midnight in the branch's zone (a day may have 23 or 25 hours)."""
    try:
        start = datetime.combine(first, time(0), tz)
        end = datetime.combine(last + timedelta(days=1), time(0), tz)
    except OverflowError:
        raise InvalidSetting("day out of range", "Bitte ein gültiges Datum angeben.") from None
    return start, end


def _absence(row: StaffAbsence) -> TimeOffView:
    return TimeOffView(row.id, row.starts_at, row.ends_at, row.reason, row.staff_id)


def _closure(row: BranchClosure) -> TimeOffView:
    return TimeOffView(row.id, row.starts_at, row.ends_at, row.reason)


def _audit(view: TimeOffView) -> dict[str, str | None]:
    return {
        "starts_at": view.starts_at.isoformat(),
        "ends_at": view.ends_at.isoformat(),
        "reason": view.reason,
        "staff_id": None if view.staff_id is None else str(view.staff_id),
    }
