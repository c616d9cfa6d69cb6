"""Shared by the mirror tests: an in-memory calendar port and the demo salon on Cal.com."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tests.calendar_support import BRANCH, EVENT_TYPES, HOSTS, link_demo
from tests.clock_support import FakeClock

from frontdesk import demo
from frontdesk.calendars.mirror.refresher import (
    MIRROR_BUDGET_DEPENDENCY,
    MIRROR_RATE,
    MirrorRefresher,
)
from frontdesk.calendars.port import (
    BookingRequest,
    CalendarPort,
    ExternalBooking,
    FreeSlot,
    ProviderLink,
)
from frontdesk.db.tables import (
    BookingDay,
    Branch,
    CalendarMirrorDay,
    Service,
    ServiceStaff,
    Staff,
    Tenant,
)
from frontdesk.domain.model import CalendarProvider
from frontdesk.resilience.deadline import Deadline
from frontdesk.resilience.ratelimit import MemoryRateStore, RateBudget

BERLIN = ZoneInfo("Europe/Berlin")
PAIRS = sorted(
    (str(EVENT_TYPES[s.key]), str(HOSTS[staff])) for s in demo.SERVICES for staff in s.staff
)
DAYS = demo.HORIZON_DAYS + 1  # today .. today + horizon


@dataclass(frozen=True)
class SlotsCall:
    event_type: str
    start: datetime
    end: datetime
    time_zone: str
    hosts: tuple[str, ...]
    at: datetime


@dataclass
class FakePort:
    """A provider with two free starts a day (09:00 and 10:00 local), unless told otherwise.

    Its answer is keyed by the UTC date of each slot (as a provider in another zone might),
    so the mirror must key by the slot's local day itself.
    """

    clock: FakeClock
    calls: list[SlotsCall] = field(default_factory=list)
    # (event type, host, local day) -> local start times
    starts: dict[tuple[str, str, date], list[time]] = field(default_factory=dict)
    # event type -> the error every request for it raises
    failing: dict[str, Exception] = field(default_factory=dict)

    async def free_slots(
        self,
        event_type: str,
        start: datetime,
        end: datetime,
        *,
        time_zone: str,
        hosts: Sequence[str] = (),
        deadline: Deadline,
    ) -> Mapping[date, Sequence[FreeSlot]]:
        self.calls.append(
            SlotsCall(event_type, start, end, time_zone, tuple(hosts), self.clock.now)
        )
        if event_type in self.failing:
            raise self.failing[event_type]
        zone = ZoneInfo(time_zone)
        result: dict[date, list[FreeSlot]] = {}
        day = start.astimezone(zone).date()
        while datetime.combine(day, time(0), zone) < end:
            for local in self.starts.get((event_type, hosts[0], day), [time(9), time(10)]):
                begin = datetime.combine(day, local, zone)
                if start <= begin <= end:
                    slot = FreeSlot(begin, begin + timedelta(minutes=30))
                    result.setdefault(begin.astimezone(UTC).date(), []).append(slot)
            day += timedelta(days=1)
        return result

    async def create(self, request: BookingRequest, *, deadline: Deadline) -> ExternalBooking:
        raise NotImplementedError

    async def find(
        self, appointment_id: uuid.UUID, *, event_type: str, around: datetime, deadline: Deadline
    ) -> ExternalBooking | None:
        raise NotImplementedError

    async def list_bookings(
        self, start: datetime, end: datetime, *, deadline: Deadline
    ) -> Sequence[ExternalBooking]:
        # The periodic reconciliation runs in the worker tests too: a team with no bookings.
        return ()

    async def cancel(
        self, uid: str, *, reason: str | None = None, deadline: Deadline
    ) -> ExternalBooking:
        raise NotImplementedError

    async def reschedule(
        self,
        uid: str,
        start: datetime,
        *,
        host: str | None = None,
        reason: str | None = None,
        deadline: Deadline,
    ) -> ExternalBooking:
        raise NotImplementedError


class FakeMonotonic:
    """A monotonic clock that follows the test's wall clock."""

    def __init__(self, clock: FakeClock) -> None:
        self._clock = clock

    def __call__(self) -> float:
        return self._clock.now.timestamp()


async def _no_sleep(seconds: float) -> None:
    raise AssertionError(f"the mirror must never wait for the budget ({seconds}s)")


def refresher(
    sessions: async_sessionmaker[AsyncSession],
    clock: FakeClock,
    port: CalendarPort,
    links: list[ProviderLink] | None = None,
) -> MirrorRefresher:
    """A refresher over ``port`` with the mirror's budget in memory (on the fake clock)."""

    def ports(link: ProviderLink) -> CalendarPort:
        if links is not None:
            links.append(link)
        return port

    budget = RateBudget(MIRROR_BUDGET_DEPENDENCY, MemoryRateStore(), clock, _no_sleep, MIRROR_RATE)
    return MirrorRefresher(
        sessions, ports, clock=clock, monotonic=FakeMonotonic(clock), budget=budget
    )


# The demo salon switched to Cal.com as `calcom connect` leaves it (one helper for all tests).
connect_demo = link_demo


async def mirror_rows(sessions: async_sessionmaker[AsyncSession]) -> list[CalendarMirrorDay]:
    async with sessions() as session:
        rows = await session.execute(
            select(CalendarMirrorDay).order_by(
                CalendarMirrorDay.event_type, CalendarMirrorDay.host, CalendarMirrorDay.day
            )
        )
        return list(rows.scalars())


async def day_versions(sessions: async_sessionmaker[AsyncSession]) -> dict[date, int]:
    async with sessions() as session:
        rows = await session.execute(
            select(BookingDay.day, BookingDay.version).where(BookingDay.branch_id == BRANCH)
        )
        return dict(rows.all())


def local_today(clock: FakeClock) -> date:
    return clock.now.astimezone(BERLIN).date()


async def add_calcom_tenant(sessions: async_sessionmaker[AsyncSession], slug: str) -> uuid.UUID:
    """A second business on Cal.com: one branch, one service (event type 2001), one host (21)."""
    tenant_id, branch_id = uuid.uuid4(), uuid.uuid4()
    service_id, staff_id = uuid.uuid4(), uuid.uuid4()
    async with sessions() as session:
        session.add(Tenant(id=tenant_id, slug=slug, name=slug))
        await session.flush()
        session.add(
            Branch(
                id=branch_id,
                tenant_id=tenant_id,
                name="Zentrale",
                timezone="Europe/Berlin",
                calendar_provider=CalendarProvider.CALCOM,
            )
        )
        await session.flush()
        session.add_all(
            [
                Service(
                    id=service_id,
                    tenant_id=tenant_id,
                    branch_id=branch_id,
                    name="Termin",
                    duration_minutes=30,
                    horizon_days=14,
                    calcom_event_type_id=2001,
                ),
                Staff(
                    id=staff_id,
                    tenant_id=tenant_id,
                    branch_id=branch_id,
                    first_name="Eva",
                    calcom_user_id=21,
                ),
            ]
        )
        await session.flush()
        session.add(ServiceStaff(service_id=service_id, staff_id=staff_id, tenant_id=tenant_id))
        await session.commit()
    return tenant_id
