"""Weekly hours: a branch's opening hours and a staff member's working week with breaks."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from frontdesk.booking.unit_of_work import UnitOfWork
from frontdesk.business import rules
from frontdesk.business.owner import Owner, record
from frontdesk.business.rules import Week, Window
from frontdesk.business.views import WeekView, week_of
from frontdesk.db.engine import DbSession
from frontdesk.db.repositories import schedules
from frontdesk.db.repositories.schedules import WindowRow
from frontdesk.db.tables import Branch, Staff
from frontdesk.domain.errors import SettingNotFound, UnknownStaff


async def opening_hours(uow: UnitOfWork, owner: Owner, branch_id: uuid.UUID) -> WeekView:
    async with uow.reading() as session:
        branch = await branch_of(session, owner, branch_id)
        rows = await schedules.opening_hours(session, branch.id)
    return week_of(branch.id, branch.name, _by_day(rows), kept=bool(rows))


async def set_opening_hours(
    uow: UnitOfWork, owner: Owner, branch_id: uuid.UUID, days: Week
) -> WeekView:
    """Replace the branch's opening hours (a day left out is closed; ``{}``: keep none, the
    staff's hours decide alone)."""
    week = rules.week(days, breaks_allowed=False)
    async with uow.writing() as session:
        branch = await branch_of(session, owner, branch_id)
        before = await schedules.opening_hours(session, branch.id)
        await schedules.replace_opening_hours(session, owner.tenant_id, branch.id, _rows(week))
        await record(
            uow,
            session,
            owner,
            "opening_hours.set",
            ("branch", branch.id),
            jsonable(_by_day(before)),
            jsonable(week),
            branch.id,
        )
        name = branch.name
        await uow.commit(session)
    return week_of(branch_id, name, week, kept=bool(week))


async def staff_week(uow: UnitOfWork, owner: Owner, staff_id: uuid.UUID) -> WeekView:
    async with uow.reading() as session:
        member = await staff_of(session, owner, staff_id)
        rows = await schedules.staff_week(session, member.id)
    return week_of(member.id, member.name, _by_day(rows))


async def set_staff_week(
    uow: UnitOfWork, owner: Owner, staff_id: uuid.UUID, days: Week
) -> WeekView:
    """Replace a staff member's working week with its breaks (a day left out: not working)."""
    week = rules.week(days)
    async with uow.writing() as session:
        member = await staff_of(session, owner, staff_id)
        before = await schedules.staff_week(session, member.id)
        await schedules.replace_staff_week(session, owner.tenant_id, member.id, _rows(week))
        await record(
            uow,
            session,
            owner,
            "staff_week.set",
            ("staff", member.id),
            jsonable(_by_day(before)),
            jsonable(week),
            member.branch_id,
        )
        name = member.name
        await uow.commit(session)
    return week_of(staff_id, name, week)


async def branch_of(session: DbSession, owner: Owner, branch_id: uuid.UUID) -> Branch:
    branch = await schedules.branch(session, owner.tenant_id, branch_id)
    if branch is None:
        raise SettingNotFound(f"no branch {branch_id}", "Diese Filiale gibt es nicht.")
    return branch


async def staff_of(session: DbSession, owner: Owner, staff_id: uuid.UUID) -> Staff:
    member = await schedules.staff(session, owner.tenant_id, staff_id)
    if member is None:
        raise UnknownStaff(
            f"no staff member {staff_id}", "Diese Mitarbeiterin / diesen Mitarbeiter gibt es nicht."
        )
    return member


def _by_day(rows: Iterable[WindowRow]) -> dict[int, tuple[Window, ...]]:
    days: dict[int, list[Window]] = defaultdict(list)
    for row in rows:
        days[row.weekday].append(Window(row.start, row.end, row.breaks))
    return {day: tuple(sorted(windows, key=lambda w: w.start)) for day, windows in days.items()}


def _rows(week: dict[int, tuple[Window, ...]]) -> list[WindowRow]:
    return [
        WindowRow(day, w.start, w.end, tuple(sorted(w.breaks)))
        for day, windows in week.items()
        for w in windows
    ]


def jsonable(week: dict[int, tuple[Window, ...]]) -> dict[str, Any]:
    """A week as the audit trail stores it: {"0": [["09:00", "18:00", [["13:00", "13:30"]]]]}."""
    return {
        str(day): [
            [
                w.start.isoformat("minutes"),
                w.end.isoformat("minutes"),
                [[lo.isoformat("minutes"), hi.isoformat("minutes")] for lo, hi in w.breaks],
            ]
            for w in windows
        ]
        for day, windows in sorted(week.items())
    }
