"""The schedule of a branch for some local days, as the web app shows it: per staff member
their working hours, breaks, absences and appointments, and the branch's closures and holidays.

Read-only; one read session per call. ``version`` changes whenever anything shown changes (a
booking on one of the days bumps its booking-day version, a change to hours, absences or
closures bumps the branch's calendar version), so a page can ask cheaply whether to redraw.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from frontdesk.availability import Interval
from frontdesk.availability.holidays import is_holiday
from frontdesk.booking.catalog import BranchCatalog, StaffInfo, build_catalog
from frontdesk.db.engine import SessionFactory, reading
from frontdesk.db.repositories import catalog as catalog_rows
from frontdesk.db.repositories import schedule as schedule_rows
from frontdesk.db.repositories.schedule import ScheduledRow
from frontdesk.domain.clock import Clock
from frontdesk.domain.model import AppointmentStatus


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of one day in the branch's zone; ``kind`` is ``hours``, ``break``,
    ``absence`` or ``closure``."""

    kind: str
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class ScheduledAppointment:
    id: uuid.UUID
    start: datetime
    end: datetime
    status: AppointmentStatus
    customer_name: str
    service_name: str
    staff_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class StaffDay:
    staff_id: uuid.UUID
    name: str
    spans: tuple[Span, ...]
    appointments: tuple[ScheduledAppointment, ...]


@dataclass(frozen=True, slots=True)
class DayPlan:
    day: date
    holiday: str | None
    closures: tuple[Span, ...]
    staff: tuple[StaffDay, ...]


@dataclass(frozen=True, slots=True)
class SchedulePlan:
    branch_id: uuid.UUID
    branch_name: str
    tz: ZoneInfo
    version: str
    days: tuple[DayPlan, ...]


@dataclass(frozen=True, slots=True)
class BranchSummary:
    id: uuid.UUID
    name: str
    timezone: str
    calendar_provider: str


class Schedule:
    def __init__(self, sessions: SessionFactory, clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    async def branches(self, tenant_id: uuid.UUID) -> list[BranchSummary]:
        async with reading(self._sessions) as session:
            rows = await schedule_rows.branches_of_tenant(session, tenant_id)
        return [
            BranchSummary(row.id, row.name, row.timezone, row.calendar_provider.value)
            for row in rows
        ]

    async def today(self, tenant_id: uuid.UUID) -> date | None:
        """Today in the zone of the tenant's first branch (None without branches)."""
        async with reading(self._sessions) as session:
            branches = await schedule_rows.branches_of_tenant(session, tenant_id)
        if not branches:
            return None
        return self._clock().astimezone(ZoneInfo(branches[0].timezone)).date()

    async def plan(self, tenant_id: uuid.UUID, first: date, days: int) -> SchedulePlan | None:
        """The tenant's first branch over ``days`` local days from ``first``."""
        async with reading(self._sessions) as session:
            branches = await schedule_rows.branches_of_tenant(session, tenant_id)
            if not branches:
                return None
            branch = branches[0]
            last = first + timedelta(days=days - 1)
            tz = ZoneInfo(branch.timezone)
            start, _ = local_day(tz, first)
            _, end = local_day(tz, last)
            catalog = build_catalog(
                await catalog_rows.load_catalog(session, branch.id, since=start)
            )
            rows = await schedule_rows.appointments_between(
                session, tenant_id, branch.id, start, end
            )
            stamp = await schedule_rows.versions(session, tenant_id, branch.id, first, last)
        return SchedulePlan(
            branch_id=branch.id,
            branch_name=branch.name,
            tz=catalog.tz,
            version=_version(first, last, stamp),
            days=tuple(_day_plan(catalog, first + timedelta(days=n), rows) for n in range(days)),
        )

    async def version(self, tenant_id: uuid.UUID, first: date, days: int) -> str | None:
        """What ``plan(...).version`` would be, in one query (the page's polling asks this)."""
        async with reading(self._sessions) as session:
            branches = await schedule_rows.branches_of_tenant(session, tenant_id)
            if not branches:
                return None
            last = first + timedelta(days=days - 1)
            stamp = await schedule_rows.versions(session, tenant_id, branches[0].id, first, last)
        return _version(first, last, stamp)


def local_day(tz: ZoneInfo, day: date) -> tuple[datetime, datetime]:
    """UTC bounds of the local ``day`` in ``tz`` (23 or 25 hours long on DST days)."""
    lo = datetime.combine(day, time(0), tz).astimezone(UTC)
    hi = datetime.combine(day + timedelta(days=1), time(0), tz).astimezone(UTC)
    return lo, hi


def _version(first: date, last: date, stamp: tuple[int, dict[date, int]] | None) -> str:
    """A short digest of the shown days and their versions (the days are part of it, so a
    page of another day never takes this one's version for its own)."""
    text = repr((first, last, stamp[0], sorted(stamp[1].items())) if stamp else "none")
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _day_plan(catalog: BranchCatalog, day: date, rows: list[ScheduledRow]) -> DayPlan:
    tz = catalog.tz
    start, end = local_day(tz, day)
    closures = tuple(
        _clipped("closure", interval, start, end, tz) for interval in catalog.rules.closures
    )
    return DayPlan(
        day=day,
        holiday=is_holiday(day, catalog.rules.state, catalog.rules.country),
        closures=tuple(span for span in closures if span is not None),
        staff=tuple(
            _staff_day(member, day, start, end, tz, rows) for member in catalog.staff.values()
        ),
    )


def _staff_day(
    member: StaffInfo,
    day: date,
    start: datetime,
    end: datetime,
    tz: ZoneInfo,
    rows: list[ScheduledRow],
) -> StaffDay:
    spans: list[Span] = []
    for window in member.weekly:
        if window.weekday != day.weekday():
            continue
        spans.append(_local("hours", day, window.start, window.end, tz))
        spans.extend(_local("break", day, b_start, b_end, tz) for b_start, b_end in window.breaks)
    for absence in member.absences:
        clipped = _clipped("absence", absence, start, end, tz)
        if clipped is not None:
            spans.append(clipped)
    appointments = tuple(
        ScheduledAppointment(
            id=row.id,
            start=row.starts_at.astimezone(tz),
            end=row.ends_at.astimezone(tz),
            status=row.status,
            customer_name=row.customer_name,
            service_name=row.service_name,
            staff_id=member.id,
        )
        for row in rows
        if row.staff_id == member.id and row.starts_at < end and row.ends_at > start
    )
    return StaffDay(member.id, member.name, tuple(spans), appointments)


def _local(kind: str, day: date, start: time, end: time, tz: ZoneInfo) -> Span:
    return Span(kind, datetime.combine(day, start, tz), datetime.combine(day, end, tz))


def _clipped(
    kind: str, interval: Interval, start: datetime, end: datetime, tz: ZoneInfo
) -> Span | None:
    if interval.end <= start or interval.start >= end:
        return None
    return Span(
        kind, max(interval.start, start).astimezone(tz), min(interval.end, end).astimezone(tz)
    )
