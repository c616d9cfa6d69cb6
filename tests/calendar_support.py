"""An outside calendar for the use-case tests: the demo salon linked to a fake Cal.com team, a
fake provider behind the port (faults on demand) and mirror rows written directly."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tests.clock_support import START

from frontdesk import demo
from frontdesk.booking.sync import SYNC_JOB
from frontdesk.booking.sync_job import sync_appointment
from frontdesk.calendars.errors import CalendarUnavailable, SlotTaken
from frontdesk.calendars.port import (
    BookingRequest,
    CalendarPort,
    ExternalBooking,
    FreeSlot,
    ProviderLink,
)
from frontdesk.calendars.providers import CalendarProviders
from frontdesk.db.tables import Branch, CalendarMirrorDay, Job, Service, Staff, Tenant
from frontdesk.domain.clock import Clock
from frontdesk.domain.model import CalendarProvider
from frontdesk.jobs.registry import JobContext
from frontdesk.resilience.deadline import Deadline
from frontdesk.settings import Settings

# Cal.com ids of the demo's services (event types) and staff (hosts).
EVENT_TYPES = {s.key: 1000 + i for i, s in enumerate(demo.SERVICES)}
HOSTS = {"anna": 11, "jonas": 12, "mia": 13}
TEAM_ID = 4242
BRANCH = demo.demo_id("branch", "mitte")


async def link_demo(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Switch the seeded demo salon to Cal.com as `calcom connect` would leave it."""
    async with sessions() as session:
        for key, event_type in EVENT_TYPES.items():
            await session.execute(
                update(Service)
                .where(Service.id == demo.demo_id("service", key))
                .values(calcom_event_type_id=event_type)
            )
        for key, host in HOSTS.items():
            await session.execute(
                update(Staff)
                .where(Staff.id == demo.demo_id("staff", key))
                .values(calcom_user_id=host)
            )
        await session.execute(
            update(Tenant)
            .where(Tenant.id == demo.demo_id())
            .values(calcom_api_key="plain:cal_test_key", calcom_api_url="http://calcom.test")
        )
        await session.execute(
            update(Branch)
            .where(Branch.id == BRANCH)
            .values(
                calendar_provider=CalendarProvider.CALCOM,
                calendar_config={"team_id": TEAM_ID},
                calendar_version=Branch.calendar_version + 1,
            )
        )
        await session.commit()


async def mirror_day(
    sessions: async_sessionmaker[AsyncSession],
    service: str,
    staff: str,
    day: date,
    starts: Iterable[datetime],
    *,
    minutes: int,
    fetched_at: datetime,
) -> None:
    """Write one (event type, host, day) of the mirror as the refresh job would."""
    slots = [
        [
            s.astimezone(UTC).isoformat(),
            (s + timedelta(minutes=minutes)).astimezone(UTC).isoformat(),
        ]
        for s in starts
    ]
    async with sessions() as session:
        session.add(
            CalendarMirrorDay(
                branch_id=BRANCH,
                tenant_id=demo.demo_id(),
                event_type=str(EVENT_TYPES[service]),
                host=str(HOSTS[staff]),
                day=day,
                slots=slots,
                fetched_at=fetched_at,
                refresh_after=fetched_at + timedelta(minutes=10),
            )
        )
        await session.commit()


def every(first: datetime, last: datetime, step: int = 15) -> list[datetime]:
    """Starts from ``first`` to ``last`` (inclusive) every ``step`` minutes."""
    out, moment = [], first
    while moment <= last:
        out.append(moment)
        moment += timedelta(minutes=step)
    return out


@dataclass
class FakeCalendar:
    """An in-memory provider team: bookings by uid, calls recorded, faults switched per call."""

    bookings: dict[str, ExternalBooking] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    # Per operation, what the next calls do: "ok", "taken", "down", "applied_down", "hang".
    faults: dict[str, list[str]] = field(default_factory=dict)
    assign_host: str | None = None
    slow_s: float = 0.5
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def _fault(self, operation: str) -> str:
        queue = self.faults.get(operation) or []
        return queue.pop(0) if queue else "ok"

    async def _maybe_fail(self, operation: str, deadline: Deadline) -> str:
        self.calls.append(operation)
        fault = self._fault(operation)
        if fault == "down":
            raise CalendarUnavailable("down", reason="server_error", maybe_applied=False)
        if fault == "breaker_open":
            raise CalendarUnavailable(
                "open", reason="breaker_open", maybe_applied=False, retry_in=12.0
            )
        if fault == "hang":
            await deadline.run(asyncio.sleep(3600), operation)
        if fault == "slow":
            # Answers, but late (and deaf to the deadline, like a reply already on the wire).
            await asyncio.sleep(self.slow_s)
        if fault == "taken":
            raise SlotTaken("One of the hosts either already has booking at this time")
        return fault

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
        await self._maybe_fail("free_slots", deadline)
        return {}

    async def create(self, request: BookingRequest, *, deadline: Deadline) -> ExternalBooking:
        fault = await self._maybe_fail("create", deadline)
        uid = f"uid-{next(self._ids)}"
        booking = ExternalBooking(
            uid=uid,
            event_type=request.event_type,
            start=request.start,
            end=request.start + timedelta(minutes=request.duration_minutes),
            status="accepted",
            hosts=(self.assign_host or request.host or "0",),
            appointment_id=request.appointment_id,
            metadata={"frontdesk_appointment_id": str(request.appointment_id)},
        )
        self.bookings[uid] = booking
        if fault == "applied_down":
            raise CalendarUnavailable("timeout", reason="timeout", maybe_applied=True)
        return booking

    async def find(
        self, appointment_id: uuid.UUID, *, event_type: str, around: datetime, deadline: Deadline
    ) -> ExternalBooking | None:
        await self._maybe_fail("find", deadline)
        mine = [b for b in self.bookings.values() if b.appointment_id == appointment_id]
        active = [b for b in mine if b.status != "cancelled"]
        found = active or mine
        return found[-1] if found else None

    async def list_bookings(
        self, start: datetime, end: datetime, *, deadline: Deadline
    ) -> Sequence[ExternalBooking]:
        await self._maybe_fail("list", deadline)
        return [b for b in self.bookings.values() if start <= b.start < end]

    async def cancel(
        self, uid: str, *, reason: str | None = None, deadline: Deadline
    ) -> ExternalBooking:
        await self._maybe_fail("cancel", deadline)
        return self._replace(uid, status="cancelled")

    async def reschedule(
        self,
        uid: str,
        start: datetime,
        *,
        host: str | None = None,
        reason: str | None = None,
        deadline: Deadline,
    ) -> ExternalBooking:
        await self._maybe_fail("reschedule", deadline)
        old = self._replace(uid, status="cancelled")
        new_uid = f"uid-{next(self._ids)}"
        moved = ExternalBooking(
            uid=new_uid,
            event_type=old.event_type,
            start=start,
            end=start + (old.end - old.start),
            status="accepted",
            hosts=(host,) if host else old.hosts,
            appointment_id=old.appointment_id,
            previous_uid=uid,
            metadata=dict(old.metadata),
        )
        self.bookings[new_uid] = moved
        return moved

    def _replace(self, uid: str, **changes: Any) -> ExternalBooking:
        booking = replace(self.bookings[uid], **changes)
        self.bookings[uid] = booking
        return booking

    def active(self) -> list[ExternalBooking]:
        return [b for b in self.bookings.values() if b.status != "cancelled"]


class FakeProviders(CalendarProviders):
    """The process's providers (guard, budget) with every link answered by one fake calendar."""

    def __init__(self, calendar: FakeCalendar) -> None:
        super().__init__(Settings(), clock=lambda: START, http=httpx.AsyncClient())
        self.calendar = calendar
        self.links: list[ProviderLink] = []

    def port(self, link: ProviderLink) -> CalendarPort:
        self.links.append(link)
        return self.calendar


async def run_sync_jobs(
    sessions: async_sessionmaker[AsyncSession], clock: Clock, calendars: CalendarProviders
) -> list[str]:
    """Run every ``calendar.sync`` job once, as a worker would; each run's outcome ("ok" or
    the exception's name) is returned, not raised."""
    async with sessions() as session:
        jobs = (await session.execute(select(Job).where(Job.kind == SYNC_JOB))).scalars().all()
    outcomes = []
    for job in jobs:
        ctx = JobContext(
            job_id=job.id, kind=job.kind, attempt=1, tenant_id=job.tenant_id, sessions=sessions,
            settings=Settings(), clock=clock, calendars=calendars,
        )  # fmt: skip
        try:
            await sync_appointment(ctx, job.payload)
            outcomes.append("ok")
        except Exception as exc:
            outcomes.append(type(exc).__name__)
    return outcomes
