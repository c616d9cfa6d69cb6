"""Reconciliation against a fake Cal.com team, on both databases: a booking whose webhook was
lost is created, our booking Cal.com never got is asked of the saga again, a duplicate our
saga wrote is cancelled there, and a second run finds nothing to fix."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tests.booking_support import HERREN, JONAS, request
from tests.calendar_support import (
    EVENT_TYPES,
    HOSTS,
    FakeCalendar,
    FakeProviders,
    every,
    link_demo,
    mirror_day,
    run_sync_jobs,
)
from tests.clock_support import FakeClock, at

from frontdesk.booking import reconcile_job
from frontdesk.booking.reconcile import BranchReport, Fix, Window, reconcile
from frontdesk.booking.reconcile_diff import Kind
from frontdesk.booking.service import BookingService
from frontdesk.booking.sync import SYNC_JOB
from frontdesk.booking.unit_of_work import UnitOfWork
from frontdesk.calendars.port import Attendee, ExternalBooking
from frontdesk.db.seed import DemoCredentials
from frontdesk.db.tables import Appointment, Job, ReconciliationRun
from frontdesk.domain.model import AppointmentSource, AppointmentStatus, SyncState
from frontdesk.jobs.handlers import default_registry
from frontdesk.jobs.registry import JobContext
from frontdesk.resilience.deadline import Deadline
from frontdesk.settings import Settings

DAY = at(2, 9).date()
WINDOW = Window(days=3, first=DAY - timedelta(days=1))


@pytest.fixture
def calendar() -> FakeCalendar:
    return FakeCalendar()


@pytest.fixture
async def linked(
    sessions: async_sessionmaker[AsyncSession], demo: DemoCredentials, clock: FakeClock
) -> None:
    await link_demo(sessions)
    await mirror_day(
        sessions, "herrenhaarschnitt", "jonas", DAY, every(at(2, 10), at(2, 12)),
        minutes=30, fetched_at=clock() - timedelta(minutes=3),
    )  # fmt: skip


@pytest.fixture
def uow(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, calendar: FakeCalendar
) -> UnitOfWork:
    return UnitOfWork(sessions, clock=clock, calendars=FakeProviders(calendar))


@pytest.fixture
def booking(
    sessions: async_sessionmaker[AsyncSession],
    linked: None,
    clock: FakeClock,
    calendar: FakeCalendar,
) -> BookingService:
    return BookingService(sessions, clock=clock, calendars=FakeProviders(calendar))


def _kinds(reports: list[BranchReport]) -> list[tuple[Kind, Fix]]:
    return [(i.mismatch.kind, i.fix) for r in reports for i in r.items]


async def _rows(sessions: async_sessionmaker[AsyncSession]) -> list[Appointment]:
    async with sessions() as s:
        return list(await s.scalars(select(Appointment).order_by(Appointment.starts_at)))


async def _run_sync_jobs(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, calendar: FakeCalendar
) -> None:
    assert set(await run_sync_jobs(sessions, clock, FakeProviders(calendar))) <= {"ok"}


def _page_booking(uid: str) -> ExternalBooking:
    return ExternalBooking(
        uid=uid,
        event_type=str(EVENT_TYPES["herrenhaarschnitt"]),
        start=at(2, 10),
        end=at(2, 10, 30),
        status="accepted",
        hosts=(str(HOSTS["jonas"]),),
        attendee=Attendee(
            name="Karla Kolumna", time_zone="Europe/Berlin", email="karla@example.org"
        ),
    )


async def test_a_booking_whose_webhook_was_lost_is_created_and_a_second_run_is_a_no_op(
    sessions: async_sessionmaker[AsyncSession],
    linked: None,
    uow: UnitOfWork,
    calendar: FakeCalendar,
) -> None:
    calendar.bookings["page-1"] = _page_booking("page-1")
    first = await reconcile(uow, WINDOW)
    assert _kinds(first) == [(Kind.MISSING_HERE, Fix.MERGED)]
    assert first[0].items[0].note == "created"
    [row] = await _rows(sessions)
    assert (row.staff_id, row.service_id, row.starts_at) == (JONAS, HERREN, at(2, 10))
    assert row.source is AppointmentSource.CALCOM
    assert (row.external_uid, row.sync_state) == ("page-1", SyncState.SYNCED)
    assert _kinds(await reconcile(uow, WINDOW)) == []
    assert await reconcile(uow, WINDOW, tenant_slug="someone-else") == []
    async with sessions() as s:
        runs = list(await s.scalars(select(ReconciliationRun).order_by(ReconciliationRun.id)))
    assert len(runs) == 2
    [found] = [r for r in runs if r.items]
    assert found.counts["missing_here"] == 1
    assert found.items[0]["uid"] == "page-1"
    assert found.items[0]["fix"] == "merged"
    assert found.error is None


async def test_a_cal_com_that_cannot_be_read_is_recorded_and_reported(
    sessions: async_sessionmaker[AsyncSession],
    linked: None,
    uow: UnitOfWork,
    calendar: FakeCalendar,
) -> None:
    calendar.faults["list"] = ["down"]
    [report] = await reconcile(uow, WINDOW)
    assert (report.error, report.items) == ("down", ())
    async with sessions() as s:
        [run] = list(await s.scalars(select(ReconciliationRun)))
    assert (run.error, run.items) == ("down", [])


async def test_our_booking_cal_com_never_got_is_asked_of_the_saga_again(
    sessions: async_sessionmaker[AsyncSession],
    booking: BookingService,
    uow: UnitOfWork,
    calendar: FakeCalendar,
    clock: FakeClock,
) -> None:
    calendar.faults["create"] = ["down"]
    outcome = await booking.book(request(start=at(2, 11), staff_id=JONAS))
    assert outcome.appointment.sync_state is SyncState.PENDING_SYNC
    async with sessions() as s:
        # The outbox job was lost (a worker bug, a dropped queue): only reconciliation is left.
        for job in await s.scalars(select(Job).where(Job.kind == SYNC_JOB)):
            await s.delete(job)
        await s.commit()
    assert _kinds(await reconcile(uow, WINDOW)) == [(Kind.MISSING_THERE, Fix.SYNC_REQUESTED)]
    await _run_sync_jobs(sessions, clock, calendar)
    [there] = calendar.active()
    assert there.appointment_id == outcome.appointment.id
    [row] = await _rows(sessions)
    assert (row.external_uid, row.sync_state) == (there.uid, SyncState.SYNCED)
    assert _kinds(await reconcile(uow, WINDOW)) == []


async def test_a_duplicate_our_saga_wrote_is_cancelled_there_and_ours_kept(
    sessions: async_sessionmaker[AsyncSession],
    booking: BookingService,
    uow: UnitOfWork,
    calendar: FakeCalendar,
) -> None:
    outcome = await booking.book(request(start=at(2, 11), staff_id=JONAS))
    [kept] = calendar.active()
    calendar.bookings["uid-dup"] = ExternalBooking(
        uid="uid-dup", event_type=kept.event_type, start=kept.start, end=kept.end,
        status="accepted", hosts=kept.hosts, appointment_id=outcome.appointment.id,
    )  # fmt: skip
    # Cal.com is down for the cancel: reported, left to the next run, which cancels it.
    calendar.faults["cancel"] = ["down"]
    assert _kinds(await reconcile(uow, WINDOW)) == [(Kind.DUPLICATE_THERE, Fix.REPORTED)]
    assert _kinds(await reconcile(uow, WINDOW)) == [(Kind.DUPLICATE_THERE, Fix.CANCELLED_THERE)]
    assert [b.uid for b in calendar.active()] == [kept.uid]
    assert calendar.bookings["uid-dup"].status == "cancelled"
    [row] = await _rows(sessions)
    assert (row.external_uid, row.status) == (kept.uid, AppointmentStatus.CONFIRMED)
    assert _kinds(await reconcile(uow, WINDOW)) == []


async def test_a_page_booking_on_a_taken_chair_is_a_conflict_never_a_cancellation(
    sessions: async_sessionmaker[AsyncSession],
    booking: BookingService,
    uow: UnitOfWork,
    calendar: FakeCalendar,
) -> None:
    ours = (await booking.book(request(start=at(2, 10), staff_id=JONAS))).appointment
    calendar.bookings["page-1"] = _page_booking("page-1")
    assert _kinds(await reconcile(uow, WINDOW)) == [(Kind.MISSING_HERE, Fix.MERGED)]
    [row] = await _rows(sessions)
    assert row.id == ours.id
    assert (row.status, row.sync_state) == (AppointmentStatus.CONFIRMED, SyncState.CONFLICT)
    assert "page-1" in (row.sync_error or "")
    assert all(b.status == "accepted" for b in calendar.bookings.values())


async def test_the_periodic_job_reconciles_the_next_days(
    sessions: async_sessionmaker[AsyncSession],
    linked: None,
    clock: FakeClock,
    calendar: FakeCalendar,
) -> None:
    periodic = {p.kind: (p.every, p.payload) for p in default_registry().periodic()}
    assert periodic[reconcile_job.SOON_KIND] == (timedelta(minutes=15), {"days": 2})
    assert periodic[reconcile_job.HORIZON_KIND] == (timedelta(days=1), {"days": 61})
    calendar.bookings["page-1"] = _page_booking("page-1")
    ctx = JobContext(
        job_id=1, kind=reconcile_job.SOON_KIND, attempt=1, tenant_id=None, sessions=sessions,
        settings=Settings(), clock=clock, calendars=FakeProviders(calendar),
    )  # fmt: skip
    await reconcile_job.reconcile_soon(ctx, {"days": 3})
    [row] = await _rows(sessions)
    assert row.external_uid == "page-1"


async def test_a_row_synced_while_cal_com_was_listed_is_left_alone(
    sessions: async_sessionmaker[AsyncSession],
    booking: BookingService,
    uow: UnitOfWork,
    calendar: FakeCalendar,
    clock: FakeClock,
) -> None:
    calendar.faults["create"] = ["down"]
    await booking.book(request(start=at(2, 11), staff_id=JONAS))
    listing = calendar.list_bookings

    async def saga_first(start: datetime, end: datetime, *, deadline: Deadline) -> Any:
        # The saga's job finishes between our read of the rows and the listing's answer.
        answer = await listing(start, end, deadline=deadline)
        await _run_sync_jobs(sessions, clock, calendar)
        return answer

    calendar.list_bookings = saga_first  # type: ignore[method-assign]
    [item] = [i for r in await reconcile(uow, WINDOW) for i in r.items]
    assert (item.mismatch.kind, item.fix) == (Kind.MISSING_THERE, Fix.REPORTED)
    [row] = await _rows(sessions)
    assert row.sync_state is SyncState.SYNCED
    assert len(calendar.active()) == 1
