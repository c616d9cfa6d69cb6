"""Cal.com booking webhooks processed from the inbox (ADR 0015), on both databases: bookings
made on Cal.com's pages become appointments, echoes of our own change nothing, a cancel or a
move made on Cal.com's side is followed, events in any order and any number end in the same
state, and a clash is a visible conflict, never an automatic cancellation."""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tests.booking_support import HERREN, JONAS, TENANT, request
from tests.calcom_webhook_support import SECRET, SLUG, booking, envelope, inbox_jobs, set_secret
from tests.calendar_support import FakeCalendar, FakeProviders, every, link_demo, mirror_day
from tests.clock_support import FakeClock, at

from frontdesk.booking.calendar_events import Result, process
from frontdesk.booking.calendar_inbox import CalendarInbox
from frontdesk.booking.calendar_inbox_job import process_webhook
from frontdesk.booking.service import BookingService
from frontdesk.booking.sync import SYNC_JOB
from frontdesk.booking.sync_job import sync_appointment
from frontdesk.booking.unit_of_work import UnitOfWork
from frontdesk.calendars.calcom.webhook import sign
from frontdesk.db.seed import DemoCredentials
from frontdesk.db.tables import (
    Appointment,
    AppointmentExternalUid,
    CalendarMirrorDay,
    Customer,
    Job,
    WebhookInbox,
)
from frontdesk.domain.model import AppointmentSource, AppointmentStatus, InboxStatus, SyncState
from frontdesk.jobs.errors import TransientJobError
from frontdesk.jobs.registry import JobContext
from frontdesk.resilience.deadline import Deadline
from frontdesk.settings import Settings

DAY = at(2, 9).date()
KARLA = "karla@example.org"


@pytest.fixture
async def linked(
    sessions: async_sessionmaker[AsyncSession], demo: DemoCredentials, clock: FakeClock
) -> None:
    await link_demo(sessions)
    await set_secret(sessions, SECRET)
    fetched = clock() - timedelta(minutes=3)
    await mirror_day(
        sessions, "herrenhaarschnitt", "jonas", DAY, every(at(2, 10), at(2, 12)),
        minutes=30, fetched_at=fetched,
    )  # fmt: skip


@pytest.fixture
def inbox(sessions: async_sessionmaker[AsyncSession], clock: FakeClock) -> CalendarInbox:
    return CalendarInbox(sessions, clock)


@pytest.fixture
def uow(sessions: async_sessionmaker[AsyncSession], clock: FakeClock) -> UnitOfWork:
    return UnitOfWork(sessions, clock=clock)


class Deliver:
    """Cal.com's side: sign and post one event, then run its job as the worker would."""

    def __init__(self, inbox: CalendarInbox, uow: UnitOfWork) -> None:
        self.inbox, self.uow = inbox, uow

    async def __call__(self, trigger: str, payload: dict[str, object]) -> Result | None:
        body = envelope(trigger, payload)
        receipt = await self.inbox.receive(SLUG, body, sign(SECRET, body))
        if receipt.inbox_id is None:
            return None
        return await process(self.uow, receipt.inbox_id)


@pytest.fixture
def deliver(inbox: CalendarInbox, uow: UnitOfWork, linked: None) -> Deliver:
    return Deliver(inbox, uow)


async def _appointments(sessions: async_sessionmaker[AsyncSession]) -> list[Appointment]:
    async with sessions() as s:
        return list(await s.scalars(select(Appointment).order_by(Appointment.starts_at)))


async def _active(sessions: async_sessionmaker[AsyncSession]) -> list[Appointment]:
    rows = await _appointments(sessions)
    return [r for r in rows if r.status is not AppointmentStatus.CANCELLED]


async def test_a_booking_made_on_calcom_becomes_an_appointment_with_its_customer(
    sessions: async_sessionmaker[AsyncSession], deliver: Deliver
) -> None:
    assert await deliver("BOOKING_CREATED", booking("page-1", at(2, 10))) is Result.CREATED
    [row] = await _appointments(sessions)
    assert (row.staff_id, row.service_id) == (JONAS, HERREN)
    assert (row.starts_at, row.ends_at) == (at(2, 10), at(2, 10, 30))
    assert row.status is AppointmentStatus.CONFIRMED
    assert row.source is AppointmentSource.CALCOM
    assert row.sync_state is SyncState.SYNCED
    assert row.external_uid == "page-1"
    async with sessions() as s:
        customer = await s.get(Customer, row.customer_id)
        assert customer is not None
        assert (customer.name, customer.email) == ("Karla Kolumna", KARLA)
        # The touched day of the mirror is due again at once.
        stale = await s.scalar(
            select(func.count()).where(CalendarMirrorDay.stale_since.is_not(None))
        )
    assert stale == 1


async def test_a_known_customer_is_found_by_email_and_the_guest_placeholder_is_never_kept(
    sessions: async_sessionmaker[AsyncSession], deliver: Deliver
) -> None:
    await deliver("BOOKING_CREATED", booking("page-1", at(2, 10)))
    await deliver("BOOKING_CREATED", booking("page-2", at(2, 11), email=KARLA.upper()))
    guest = "caller-4915112345678@guest.frontdesk.invalid"
    await deliver(
        "BOOKING_CREATED",
        booking("page-3", at(2, 12), name="Erika", email=guest, phone="+49 151 12345678"),
    )
    rows = await _appointments(sessions)
    assert len(rows) == 3
    assert rows[0].customer_id == rows[1].customer_id
    async with sessions() as s:
        third = await s.get(Customer, rows[2].customer_id)
    assert third is not None
    assert (third.phone_e164, third.email) == ("+4915112345678", None)


async def test_an_unlinked_event_type_or_host_creates_nothing(
    sessions: async_sessionmaker[AsyncSession], deliver: Deliver
) -> None:
    payload = booking("page-1", at(2, 10))
    payload["eventTypeId"] = 999
    assert await deliver("BOOKING_CREATED", payload) is Result.UNMAPPED
    payload = booking("page-2", at(2, 10))
    payload["organizer"] = {"id": 4711, "name": "Fremd"}
    assert await deliver("BOOKING_CREATED", payload) is Result.UNMAPPED
    assert await _appointments(sessions) == []


async def test_requested_then_confirmed_then_rejected_in_any_order(
    sessions: async_sessionmaker[AsyncSession], deliver: Deliver
) -> None:
    await deliver("BOOKING_CREATED", booking("req-1", at(2, 10)))
    await deliver("BOOKING_REQUESTED", booking("req-1", at(2, 10), status="PENDING"))
    [row] = await _appointments(sessions)
    assert row.status is AppointmentStatus.CONFIRMED  # pending never follows accepted
    await deliver("BOOKING_REQUESTED", booking("req-2", at(2, 11), status="PENDING"))
    assert (await _appointments(sessions))[1].status is AppointmentStatus.PENDING
    await deliver("BOOKING_CREATED", booking("req-2", at(2, 11)))
    assert (await _appointments(sessions))[1].status is AppointmentStatus.CONFIRMED
    await deliver("BOOKING_REQUESTED", booking("req-3", at(2, 12), status="PENDING"))
    await deliver("BOOKING_REJECTED", booking("req-3", at(2, 12), status="REJECTED"))
    third = (await _appointments(sessions))[2]
    assert third.status is AppointmentStatus.CANCELLED
    assert third.cancellation_reason == "rejected on Cal.com"


OLD, NEW, NEWEST = "uid-old", "uid-new", "uid-newest"
EVENTS = {
    "created": ("BOOKING_CREATED", lambda: booking(OLD, at(2, 10))),
    "cancelled": ("BOOKING_CANCELLED", lambda: booking(OLD, at(2, 10), status="CANCELLED")),
    "moved": ("BOOKING_RESCHEDULED", lambda: booking(NEW, at(2, 11), previous=OLD)),
    "moved_cancelled": ("BOOKING_CANCELLED", lambda: booking(NEW, at(2, 11), status="CANCELLED")),
    "moved_again": ("BOOKING_RESCHEDULED", lambda: booking(NEWEST, at(2, 11, 30), previous=NEW)),
}
# Each history as Cal.com lived it; the expected end: the active appointment's start, or None.
HISTORIES = {
    "created, cancelled": (("created", "cancelled"), None),
    "created, moved": (("created", "moved"), at(2, 11)),
    "created, moved, cancelled": (("created", "moved", "moved_cancelled"), None),
    "created, moved, moved again": (("created", "moved", "moved_again"), at(2, 11, 30)),
}
CASES = [
    pytest.param(order, expected, id=f"{name}: {' > '.join(order)}")
    for name, (events, expected) in HISTORIES.items()
    for order in itertools.permutations(events)
]


@pytest.mark.parametrize(("order", "expected"), CASES)
async def test_any_order_and_any_repetition_end_in_the_booking_s_own_state(
    sessions: async_sessionmaker[AsyncSession],
    deliver: Deliver,
    order: tuple[str, ...],
    expected: datetime | None,
) -> None:
    # Every event arrives in the order given, and then each once more (a second subscription).
    for name in (*order, *order):
        trigger, payload = EVENTS[name]
        await deliver(trigger, payload())
    active = await _active(sessions)
    if expected is None:
        assert active == []
    else:
        [row] = active
        assert row.starts_at == expected
        assert row.external_uid == (NEWEST if expected == at(2, 11, 30) else NEW)


async def test_a_late_created_for_a_replaced_uid_creates_nothing(
    sessions: async_sessionmaker[AsyncSession], deliver: Deliver
) -> None:
    await deliver("BOOKING_RESCHEDULED", booking(NEW, at(2, 11), previous=OLD))
    assert await deliver("BOOKING_CREATED", booking(OLD, at(2, 10))) is Result.REPLACED
    assert [r.external_uid for r in await _appointments(sessions)] == [NEW]


# -- our own bookings --------------------------------------------------------------------------


@pytest.fixture
def calendar() -> FakeCalendar:
    return FakeCalendar()


@pytest.fixture
def ours(
    sessions: async_sessionmaker[AsyncSession],
    linked: None,
    clock: FakeClock,
    calendar: FakeCalendar,
) -> BookingService:
    return BookingService(sessions, clock=clock, calendars=FakeProviders(calendar))


async def _book_ours(service: BookingService, start: datetime) -> Appointment:
    outcome = await service.book(request(start=start, staff_id=JONAS))
    assert outcome.appointment.sync_state == SyncState.SYNCED
    async with service.uow.reading() as s:
        row = await s.get(Appointment, outcome.appointment.id)
    assert row is not None
    return row


async def test_an_echo_of_our_own_booking_changes_nothing(
    sessions: async_sessionmaker[AsyncSession], deliver: Deliver, ours: BookingService
) -> None:
    row = await _book_ours(ours, at(2, 10))
    assert row.external_uid is not None
    echo = booking(row.external_uid, at(2, 10), ours=row.id, name="Erika Mustermann")
    assert await deliver("BOOKING_CREATED", echo) is Result.UNCHANGED
    # Our id in the metadata under a uid not recorded yet: the saga will record it.
    other = booking("not-yet-recorded", at(2, 10), ours=row.id)
    assert await deliver("BOOKING_CREATED", other) is Result.UNCHANGED
    [after] = await _appointments(sessions)
    assert (after.version, after.external_uid, after.status) == (
        row.version,
        row.external_uid,
        AppointmentStatus.CONFIRMED,
    )


async def test_a_cancel_made_on_calcom_s_side_cancels_ours_and_says_so(
    sessions: async_sessionmaker[AsyncSession], deliver: Deliver, ours: BookingService
) -> None:
    row = await _book_ours(ours, at(2, 10))
    assert row.external_uid is not None
    cancelled = booking(row.external_uid, at(2, 10), ours=row.id, status="CANCELLED")
    assert await deliver("BOOKING_CANCELLED", cancelled) is Result.CANCELLED
    [after] = await _appointments(sessions)
    assert after.status is AppointmentStatus.CANCELLED
    assert after.cancellation_reason == "cancelled on Cal.com: Termin passt nicht"
    assert after.sync_state is SyncState.SYNCED
    # The same cancel again, and the booking's late CREATED: nothing more.
    assert await deliver("BOOKING_CANCELLED", cancelled) is Result.UNCHANGED
    created = booking(row.external_uid, at(2, 10), ours=row.id)
    assert await deliver("BOOKING_CREATED", created) is Result.UNCHANGED
    assert (await _appointments(sessions))[0].version == after.version


async def test_a_move_made_on_calcom_s_side_moves_ours_and_keeps_the_uid_chain(
    sessions: async_sessionmaker[AsyncSession], deliver: Deliver, ours: BookingService
) -> None:
    row = await _book_ours(ours, at(2, 10))
    old = row.external_uid
    assert old is not None
    moved = booking("moved-on-calcom", at(2, 11), ours=row.id, previous=old)
    assert await deliver("BOOKING_RESCHEDULED", moved) is Result.MOVED
    [after] = await _appointments(sessions)
    assert (after.id, after.starts_at, after.external_uid) == (row.id, at(2, 11), "moved-on-calcom")
    assert after.source is AppointmentSource.API
    async with sessions() as s:
        chain = await s.execute(
            select(AppointmentExternalUid.uid, AppointmentExternalUid.replaced_at)
            .where(AppointmentExternalUid.appointment_id == row.id)
            .order_by(AppointmentExternalUid.created_at, AppointmentExternalUid.replaced_at)
        )
        replaced = {uid: at_ is not None for uid, at_ in chain.all()}
    assert replaced == {old: True, "moved-on-calcom": False}
    # A late event about the old uid changes nothing.
    late = booking(old, at(2, 10), ours=row.id, status="CANCELLED")
    assert await deliver("BOOKING_CANCELLED", late) is Result.REPLACED
    assert (await _active(sessions))[0].starts_at == at(2, 11)


async def test_an_event_while_we_owe_calcom_a_change_leaves_the_saga_in_charge(
    sessions: async_sessionmaker[AsyncSession],
    deliver: Deliver,
    ours: BookingService,
    calendar: FakeCalendar,
) -> None:
    calendar.faults["create"] = ["down"]
    outcome = await ours.book(request(start=at(2, 10), staff_id=JONAS))
    assert outcome.appointment.sync_state == SyncState.PENDING_SYNC
    created = booking("uid-1", at(2, 10), ours=outcome.appointment.id)
    assert await deliver("BOOKING_CREATED", created) is Result.OWED
    [row] = await _appointments(sessions)
    assert (row.sync_state, row.external_uid) == (SyncState.PENDING_SYNC, None)


# -- clashes -----------------------------------------------------------------------------------


async def test_a_calcom_booking_clashing_with_ours_is_a_conflict_and_nothing_is_cancelled(
    sessions: async_sessionmaker[AsyncSession], deliver: Deliver, ours: BookingService
) -> None:
    row = await _book_ours(ours, at(2, 10))
    clash = booking("page-clash", at(2, 10, 15))
    assert await deliver("BOOKING_CREATED", clash) is Result.CONFLICT
    [after] = await _appointments(sessions)
    assert after.id == row.id
    assert after.status is AppointmentStatus.CONFIRMED
    assert after.sync_state is SyncState.CONFLICT
    assert after.sync_error is not None
    assert "page-clash" in after.sync_error
    async with sessions() as s:
        stored = await s.scalar(select(WebhookInbox))
    assert stored is not None
    assert stored.status is InboxStatus.PROCESSED
    assert stored.error is not None
    assert stored.error.startswith("conflict")
    # The customer cancels the clashing booking on Cal.com: the clash is gone.
    gone = booking("page-clash", at(2, 10, 15), status="CANCELLED")
    assert await deliver("BOOKING_CANCELLED", gone) is Result.CREATED
    resolved = next(r for r in await _appointments(sessions) if r.id == row.id)
    assert (resolved.sync_state, resolved.sync_error) == (SyncState.SYNCED, None)
    assert [r.id for r in await _active(sessions)] == [row.id]


async def test_a_clash_with_a_booking_we_still_owe_calcom_keeps_it_owed(
    sessions: async_sessionmaker[AsyncSession],
    deliver: Deliver,
    ours: BookingService,
    calendar: FakeCalendar,
) -> None:
    calendar.faults["create"] = ["down"]
    outcome = await ours.book(request(start=at(2, 10), staff_id=JONAS))
    assert await deliver("BOOKING_CREATED", booking("page-clash", at(2, 10))) is Result.CONFLICT
    [row] = await _appointments(sessions)
    assert row.id == outcome.appointment.id
    # The saga still writes it (Cal.com's refusal then makes it a conflict there).
    assert row.sync_state is SyncState.PENDING_SYNC
    assert row.sync_error is not None
    assert "page-clash" in row.sync_error


async def test_a_move_on_calcom_into_our_booking_is_a_conflict_on_both(
    sessions: async_sessionmaker[AsyncSession], deliver: Deliver, ours: BookingService
) -> None:
    mine = await _book_ours(ours, at(2, 10))
    await deliver("BOOKING_CREATED", booking("page-1", at(2, 11)))
    moved = booking("page-2", at(2, 10), previous="page-1")
    assert await deliver("BOOKING_RESCHEDULED", moved) is Result.CONFLICT
    rows = {r.id: r for r in await _appointments(sessions)}
    page = next(r for r in rows.values() if r.id != mine.id)
    assert page.starts_at == at(2, 11)  # keeps its time: a person decides
    assert page.sync_state is SyncState.CONFLICT
    assert page.external_uid == "page-2"
    assert rows[mine.id].sync_state is SyncState.CONFLICT
    assert all(r.status is not AppointmentStatus.CANCELLED for r in rows.values())


# -- the job -----------------------------------------------------------------------------------


async def test_the_job_processes_once_and_a_second_run_changes_nothing(
    sessions: async_sessionmaker[AsyncSession],
    inbox: CalendarInbox,
    linked: None,
    clock: FakeClock,
) -> None:
    body = envelope("BOOKING_CREATED", booking("page-1", at(2, 10)))
    receipt = await inbox.receive(SLUG, body, sign(SECRET, body))
    [job] = await inbox_jobs(sessions)
    ctx = JobContext(
        job_id=job.id, kind=job.kind, attempt=1, tenant_id=job.tenant_id, sessions=sessions,
        settings=Settings(), clock=clock, calendars=None,
    )  # fmt: skip
    clock.advance(timedelta(milliseconds=300))
    await process_webhook(ctx, job.payload)
    await process_webhook(ctx, job.payload)
    assert len(await _appointments(sessions)) == 1
    async with sessions() as s:
        stored = await s.get(WebhookInbox, receipt.inbox_id)
    assert stored is not None
    assert stored.status is InboxStatus.PROCESSED
    assert stored.processed_at == clock()
    assert stored.tenant_id == TENANT
    assert uuid.UUID(str(job.payload["inbox_id"])) == receipt.inbox_id


async def test_two_deliveries_of_one_booking_processed_at_once_make_one_appointment(
    sessions: async_sessionmaker[AsyncSession],
    inbox: CalendarInbox,
    linked: None,
    clock: FakeClock,
) -> None:
    """Two subscriptions deliver the same booking (other bytes: another createdAt) and two
    workers run both jobs at once: the database's unique uid lets one win, the other's job
    runs again and finds the booking."""
    for _ in range(2):
        body = envelope("BOOKING_CREATED", booking("page-1", at(2, 10), phone="+4917612345678"))
        await inbox.receive(SLUG, body, sign(SECRET, body))
    jobs = await inbox_jobs(sessions)
    assert len(jobs) == 2

    runs = (process_webhook(_context(sessions, job), job.payload) for job in jobs)
    outcomes = await asyncio.gather(*runs, return_exceptions=True)
    for job, outcome in zip(jobs, outcomes, strict=True):
        if outcome is not None:
            assert isinstance(outcome, TransientJobError), outcome
            await process_webhook(_context(sessions, job), job.payload)
    [row] = await _appointments(sessions)
    assert row.external_uid == "page-1"
    async with sessions() as s:
        statuses = list(await s.scalars(select(WebhookInbox.status)))
        customers = await s.scalar(
            select(func.count()).where(Customer.phone_e164 == "+4917612345678")
        )
    assert statuses == [InboxStatus.PROCESSED, InboxStatus.PROCESSED]
    assert customers == 1


async def test_a_move_on_calcom_of_a_booking_we_cancelled_gets_the_moved_one_cancelled_there(
    sessions: async_sessionmaker[AsyncSession],
    deliver: Deliver,
    ours: BookingService,
    calendar: FakeCalendar,
) -> None:
    """The caller cancels by phone while the customer moves the booking on Cal.com's page: our
    cancel is owed, so the moved booking is the one the saga cancels at Cal.com."""
    row = await _book_ours(ours, at(2, 10))
    assert row.external_uid is not None
    await ours.cancel(TENANT, row.id)
    moved = await calendar.reschedule(
        row.external_uid, at(2, 11), deadline=Deadline.after(5.0, time.monotonic)
    )
    payload = booking(moved.uid, at(2, 11), ours=row.id, previous=row.external_uid)
    assert await deliver("BOOKING_RESCHEDULED", payload) is Result.OWED
    [after] = await _appointments(sessions)
    assert (after.status, after.sync_state) == (
        AppointmentStatus.CANCELLED,
        SyncState.PENDING_SYNC,
    )
    assert after.external_uid == moved.uid
    for job in await _jobs(sessions, SYNC_JOB):
        await sync_appointment(_context(sessions, job, FakeProviders(calendar)), job.payload)
    assert calendar.active() == []


def _context(
    sessions: async_sessionmaker[AsyncSession], job: Job, calendars: FakeProviders | None = None
) -> JobContext:
    return JobContext(
        job_id=job.id, kind=job.kind, attempt=1, tenant_id=job.tenant_id, sessions=sessions,
        settings=Settings(), clock=FakeClock(), calendars=calendars,
    )  # fmt: skip


async def _jobs(sessions: async_sessionmaker[AsyncSession], kind: str) -> list[Job]:
    async with sessions() as s:
        return list(await s.scalars(select(Job).where(Job.kind == kind)))
