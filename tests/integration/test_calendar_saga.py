"""The booking saga on an outside calendar (Cal.com mode): availability from the mirror, a
local row first, the provider written within the caller's deadline, and the outbox job that
finishes what an outage interrupted — never two bookings at the provider, never a silent loss."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tests.booking_support import ERIKA, HERREN, JONAS, TENANT, request
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
from tests.clock_support import NOW, FakeClock, at

from frontdesk import demo
from frontdesk.booking.service import BookingService
from frontdesk.booking.sync import BACKGROUND_BUDGET_S, SYNC_JOB, Outcome, Result, synchronise
from frontdesk.booking.sync_job import sync_appointment
from frontdesk.booking.unit_of_work import UnitOfWork
from frontdesk.calendars.port import BookingRequest, ExternalBooking
from frontdesk.db.repositories import jobs as job_rows
from frontdesk.db.repositories import providers as provider_rows
from frontdesk.db.seed import DemoCredentials
from frontdesk.db.tables import Appointment, CalendarMirrorDay, Job
from frontdesk.domain.errors import SlotUnavailable
from frontdesk.domain.model import AppointmentStatus, JobState, SyncState
from frontdesk.jobs.registry import HandlerRegistry, JobContext
from frontdesk.jobs.worker import Worker
from frontdesk.resilience.deadline import Deadline, deadline_scope
from frontdesk.settings import Settings

ANNA = demo.demo_id("staff", "anna")
MIA = demo.demo_id("staff", "mia")
DAY = at(2, 9).date()


@pytest.fixture
def calendar() -> FakeCalendar:
    return FakeCalendar()


@pytest.fixture
async def linked(
    sessions: async_sessionmaker[AsyncSession], demo: DemoCredentials, clock: FakeClock
) -> None:
    await link_demo(sessions)
    # Cal.com offers Herrenhaarschnitt with Jonas 10:00-11:30 and Anna 10:00-10:30 tomorrow.
    fetched = clock() - timedelta(minutes=3)
    await mirror_day(
        sessions, "herrenhaarschnitt", "jonas", DAY, every(at(2, 10), at(2, 11, 30)),
        minutes=30, fetched_at=fetched,
    )  # fmt: skip
    await mirror_day(
        sessions, "herrenhaarschnitt", "anna", DAY, every(at(2, 10), at(2, 10, 30)),
        minutes=30, fetched_at=fetched,
    )  # fmt: skip


@pytest.fixture
def booking(
    sessions: async_sessionmaker[AsyncSession],
    linked: None,
    clock: FakeClock,
    calendar: FakeCalendar,
) -> BookingService:
    return BookingService(sessions, clock=clock, calendars=FakeProviders(calendar))


async def _row(
    sessions: async_sessionmaker[AsyncSession], appointment_id: uuid.UUID
) -> Appointment:
    async with sessions() as s:
        row = await s.get(Appointment, appointment_id)
        assert row is not None
        return row


async def _run_sync_jobs(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, calendar: FakeCalendar
) -> list[str]:
    return await run_sync_jobs(sessions, clock, FakeProviders(calendar))


async def test_free_times_come_from_the_mirror_minus_our_own_bookings(
    booking: BookingService,
) -> None:
    search = await booking.find_slots(TENANT, HERREN, DAY, days=1)
    starts = [s.start for s in search.slots]
    assert starts == every(at(2, 10), at(2, 11, 30))
    # Both offer 10:00: the first host in the catalogue's order is chosen, every time.
    assert {s.staff_id for s in search.slots if s.start == at(2, 10)} == {ANNA}
    assert search.as_of == NOW.astimezone(search.as_of.tzinfo) - timedelta(minutes=3)  # type: ignore[union-attr]
    await booking.book(request(start=at(2, 11), staff_id=JONAS))
    after = [s.start for s in (await booking.find_slots(TENANT, HERREN, DAY, days=1)).slots]
    # 10:45 and 11:15 overlap the new 11:00-11:30 booking with Jonas (the only host then).
    assert at(2, 11) not in after
    assert at(2, 10, 45) not in after
    assert at(2, 11, 15) not in after
    assert at(2, 10, 30) in after


async def test_a_staff_wish_offers_only_that_hosts_times(booking: BookingService) -> None:
    search = await booking.find_slots(TENANT, HERREN, DAY, days=1, staff_id=ANNA)
    assert [s.start for s in search.slots] == every(at(2, 10), at(2, 10, 30))
    check = await booking.check_start(TENANT, HERREN, at(2, 11), staff_id=ANNA)
    assert check.slot is None
    assert check.reason == "outside_hours"


async def test_a_day_never_read_from_the_provider_is_said_so(booking: BookingService) -> None:
    check = await booking.check_start(TENANT, HERREN, at(3, 10))
    assert check.slot is None
    assert check.reason == "calendar_unknown"
    with pytest.raises(SlotUnavailable) as caught:
        await booking.book(request(start=at(3, 10)))
    assert caught.value.code == "calendar_unknown"


async def test_booking_is_written_through_with_our_id_and_the_assigned_host(
    booking: BookingService, sessions: async_sessionmaker[AsyncSession], calendar: FakeCalendar
) -> None:
    outcome = await booking.book(request(start=at(2, 10), staff_id=ANNA))
    view = outcome.appointment
    assert view.status is AppointmentStatus.CONFIRMED
    assert view.sync_state is SyncState.SYNCED
    [held] = calendar.active()
    assert view.external_uid == held.uid
    assert held.appointment_id == view.id
    assert held.event_type == str(EVENT_TYPES["herrenhaarschnitt"])
    assert held.hosts == ("11",)
    assert held.start == at(2, 10)
    assert calendar.calls == ["create"]
    async with sessions() as s:
        kinds = [j.kind for j in (await s.execute(select(Job))).scalars()]
        assert await provider_rows.uids_of(s, TENANT, view.id) == [held.uid]
    assert "event.appointment_booked" in kinds


async def test_the_provider_assigning_another_host_moves_the_appointment_there(
    booking: BookingService, calendar: FakeCalendar
) -> None:
    calendar.assign_host = "12"  # Cal.com's round robin chose Jonas
    outcome = await booking.book(request(start=at(2, 10), staff_id=ANNA))
    assert outcome.appointment.staff_id == JONAS
    assert outcome.appointment.sync_state is SyncState.SYNCED


async def test_a_refusal_frees_the_time_and_offers_alternatives(
    booking: BookingService, sessions: async_sessionmaker[AsyncSession], calendar: FakeCalendar
) -> None:
    calendar.faults["create"] = ["taken"]
    unavailable = _count("frontdesk_bookings_total", outcome="unavailable", provider="calcom")
    taken = _count("frontdesk_calendar_sync_total", outcome="taken")
    with pytest.raises(SlotUnavailable) as caught:
        await booking.book(request(start=at(2, 10), staff_id=JONAS))
    assert caught.value.code == "slot_taken"
    assert caught.value.alternatives
    async with sessions() as s:
        assert (await s.execute(select(Appointment))).scalars().all() == []
    assert _count("frontdesk_calendar_sync_total", outcome="taken") == taken + 1
    assert (
        _count("frontdesk_bookings_total", outcome="unavailable", provider="calcom")
        == unavailable + 1
    )


async def test_an_outage_keeps_the_booking_pending_and_the_job_finishes_it_once(
    booking: BookingService,
    sessions: async_sessionmaker[AsyncSession],
    calendar: FakeCalendar,
    clock: FakeClock,
) -> None:
    # The create reached Cal.com but the answer was lost (a timeout after sending).
    calendar.faults["create"] = ["applied_down"]
    outcome = await booking.book(request(start=at(2, 10), staff_id=JONAS))
    assert outcome.appointment.sync_state is SyncState.PENDING_SYNC
    assert outcome.appointment.status is AppointmentStatus.PENDING
    assert len(calendar.active()) == 1
    clock.advance(timedelta(seconds=30))
    assert await _run_sync_jobs(sessions, clock, calendar) == ["ok"]
    # The job looked the booking up by our id instead of creating it again.
    assert calendar.calls == ["create", "find"]
    assert len(calendar.active()) == 1
    row = await _row(sessions, outcome.appointment.id)
    assert (row.status, row.sync_state) == (AppointmentStatus.CONFIRMED, SyncState.SYNCED)
    assert row.external_uid == calendar.active()[0].uid
    # Run again (a redelivered job): nothing more happens.
    assert await _run_sync_jobs(sessions, clock, calendar) == ["ok"]
    assert calendar.calls == ["create", "find"]


async def test_while_the_provider_is_down_the_job_retries_and_then_creates(
    booking: BookingService,
    sessions: async_sessionmaker[AsyncSession],
    calendar: FakeCalendar,
    clock: FakeClock,
) -> None:
    calendar.faults["create"] = ["down", "down"]
    outcome = await booking.book(request(start=at(2, 10), staff_id=JONAS))
    assert outcome.appointment.sync_state is SyncState.PENDING_SYNC
    assert await _run_sync_jobs(sessions, clock, calendar) == ["TransientJobError"]
    row = await _row(sessions, outcome.appointment.id)
    assert row.sync_state is SyncState.PENDING_SYNC
    assert row.sync_error == "server_error"
    assert await _run_sync_jobs(sessions, clock, calendar) == ["ok"]
    assert len(calendar.active()) == 1
    assert calendar.calls == ["create", "find", "create", "find", "create"]


async def test_a_caller_out_of_time_hears_noted_and_the_write_finishes_behind_them(
    booking: BookingService,
    sessions: async_sessionmaker[AsyncSession],
    calendar: FakeCalendar,
) -> None:
    """Cal.com answers after the caller's time is up: the answer is the pending booking (so the
    agent says "notiert", not the timeout apology for a booking that exists), and the write
    started for it still completes — once."""
    calendar.faults["create"] = ["slow"]
    calendar.slow_s = 0.6
    loop = asyncio.get_running_loop()
    with deadline_scope(Deadline(loop.time() + 0.5, loop.time)):
        outcome = await booking.book(request(start=at(2, 10), staff_id=JONAS))
    assert outcome.appointment.sync_state is SyncState.PENDING_SYNC
    await asyncio.gather(*booking.uow._background)
    row = await _row(sessions, outcome.appointment.id)
    assert row.sync_state is SyncState.SYNCED
    assert len(calendar.active()) == 1


async def test_an_open_breaker_defers_the_job_without_spending_an_attempt(
    booking: BookingService,
    sessions: async_sessionmaker[AsyncSession],
    calendar: FakeCalendar,
    clock: FakeClock,
) -> None:
    """Nothing was sent while the breaker is open: the job waits (at least the breaker's
    cool-down) instead of using up its attempts and dying (seen in the Cal.com bench)."""
    calendar.faults["create"] = ["breaker_open"]
    calendar.faults["find"] = ["breaker_open"]
    await booking.book(request(start=at(2, 10), staff_id=JONAS))
    assert await _run_sync_jobs(sessions, clock, calendar) == ["JobDeferred"]


async def test_a_later_refusal_is_a_conflict_not_a_loss(
    booking: BookingService,
    sessions: async_sessionmaker[AsyncSession],
    calendar: FakeCalendar,
    clock: FakeClock,
) -> None:
    calendar.faults["create"] = ["down", "taken"]
    conflicts = _count("frontdesk_calendar_sync_total", outcome="conflict")
    outcome = await booking.book(request(start=at(2, 10), staff_id=JONAS))
    assert await _run_sync_jobs(sessions, clock, calendar) == ["ok"]
    row = await _row(sessions, outcome.appointment.id)
    assert row.sync_state is SyncState.CONFLICT
    assert _count("frontdesk_calendar_sync_total", outcome="conflict") == conflicts + 1
    assert row.status is AppointmentStatus.PENDING  # still holds its time for a person to decide
    assert "refused" in (row.sync_error or "")


async def test_cancel_and_reschedule_reach_the_provider_and_keep_the_uid_chain(
    booking: BookingService,
    sessions: async_sessionmaker[AsyncSession],
    calendar: FakeCalendar,
    clock: FakeClock,
) -> None:
    view = (await booking.book(request(start=at(2, 10), staff_id=JONAS))).appointment
    first_uid = view.external_uid
    moved = await booking.reschedule(TENANT, view.id, at(2, 11))
    assert moved.sync_state is SyncState.PENDING_SYNC
    await _run_sync_jobs(sessions, clock, calendar)
    row = await _row(sessions, view.id)
    assert row.sync_state is SyncState.SYNCED
    assert row.external_uid != first_uid
    assert calendar.bookings[first_uid].status == "cancelled"  # type: ignore[index]
    assert calendar.bookings[row.external_uid].start == at(2, 11)  # type: ignore[index]
    async with sessions() as s:
        assert await provider_rows.uids_of(s, TENANT, view.id) == [first_uid, row.external_uid]
    await booking.cancel(TENANT, view.id)
    await _run_sync_jobs(sessions, clock, calendar)
    assert calendar.active() == []
    assert (await _row(sessions, view.id)).sync_state is SyncState.SYNCED


async def test_a_write_the_provider_took_marks_only_its_hosts_days_for_refresh(
    booking: BookingService, sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    """Jonas's booking reached Cal.com: his mirrored day is refetched at once; Anna's time did
    not change, so her day is left as it is."""
    await booking.book(request(start=at(2, 10), staff_id=JONAS, customer=ERIKA))
    async with sessions() as s:
        rows = (await s.execute(select(CalendarMirrorDay))).scalars().all()
    marked = {r.host for r in rows if r.stale_since == clock() and r.refresh_after == clock()}
    assert marked == {str(HOSTS["jonas"])}
    assert {r.host for r in rows} == {str(HOSTS["jonas"]), str(HOSTS["anna"])}


async def test_a_local_change_not_yet_at_the_provider_marks_nothing(
    booking: BookingService,
    sessions: async_sessionmaker[AsyncSession],
    calendar: FakeCalendar,
) -> None:
    """The voice path's own transaction only bumps the day (our row is subtracted anyway);
    the mirror is refetched once Cal.com has the booking."""
    calendar.faults["create"] = ["down"]
    await booking.book(request(start=at(2, 10), staff_id=JONAS, customer=ERIKA))
    async with sessions() as s:
        rows = (await s.execute(select(CalendarMirrorDay))).scalars().all()
    assert all(r.stale_since is None for r in rows)


class _Killed(BaseException):
    """The worker process dies (SIGKILL): nothing after this point runs — no row update, no
    job outcome, no release; only the lease it holds is left, to expire."""


@dataclass
class _DiesAfterCreate(FakeCalendar):
    """Cal.com takes the booking, and the worker dies before it hears the answer."""

    async def create(self, request: BookingRequest, *, deadline: Deadline) -> ExternalBooking:
        await super().create(request, deadline=deadline)
        raise _Killed


async def test_a_sync_worker_killed_after_the_provider_call_is_finished_by_another_once(
    booking: BookingService,
    sessions: async_sessionmaker[AsyncSession],
    calendar: FakeCalendar,
    clock: FakeClock,
) -> None:
    """Issue 13 item 3: worker A claims the calendar.sync job, Cal.com creates the booking, A
    dies before marking anything. When A's lease expires worker B claims the job, looks the
    booking up by our id and adopts it: one booking at Cal.com, the row synced, the job done."""
    calendar.faults["create"] = ["down"]  # the caller's inline attempt: pending
    outcome = await booking.book(request(start=at(2, 10), staff_id=JONAS))
    assert outcome.appointment.sync_state is SyncState.PENDING_SYNC
    lease = timedelta(seconds=30)
    async with sessions() as s:
        [due] = (await s.execute(select(Job.run_after).where(Job.kind == SYNC_JOB))).scalars()
    clock.advance(max(timedelta(0), due - clock()))
    async with sessions() as s:
        claimed = await job_rows.claim_jobs(s, worker_id="a", now=clock(), lease=lease, limit=50)
        await s.commit()
    [job] = [j for j in claimed if j.kind == SYNC_JOB]
    dying = _DiesAfterCreate(bookings=calendar.bookings, calls=calendar.calls)
    ctx = JobContext(
        job_id=job.id, kind=job.kind, attempt=job.attempts, tenant_id=job.tenant_id,
        sessions=sessions, settings=Settings(), clock=clock, calendars=FakeProviders(dying),
    )  # fmt: skip
    with pytest.raises(_Killed):
        await sync_appointment(ctx, job.payload)
    assert len(calendar.active()) == 1  # Cal.com has it; we do not know yet
    row = await _row(sessions, outcome.appointment.id)
    assert (row.sync_state, row.external_uid) == (SyncState.PENDING_SYNC, None)

    registry = HandlerRegistry()
    registry.register(SYNC_JOB)(sync_appointment)
    worker_b = Worker(
        sessions, registry, worker_id="b", clock=clock, settings=Settings(), periodic=(),
        lease=lease, calendars=FakeProviders(calendar),
    )  # fmt: skip
    assert await _job_state(sessions, job.id) is JobState.RUNNING  # A's lease still holds
    clock.advance(lease + timedelta(seconds=1))
    await worker_b.run_until_idle()
    assert await _job_state(sessions, job.id) is JobState.SUCCEEDED
    # The caller's inline create (down); A's look-up and create (taken, then A died); B's
    # look-up, which finds A's booking by our id: no second create.
    assert calendar.calls == ["create", "find", "create", "find"]
    assert len(calendar.active()) == 1
    row = await _row(sessions, outcome.appointment.id)
    assert (row.status, row.sync_state) == (AppointmentStatus.CONFIRMED, SyncState.SYNCED)
    assert row.external_uid == calendar.active()[0].uid


async def _job_state(sessions: async_sessionmaker[AsyncSession], job_id: int) -> JobState:
    async with sessions() as s:
        job = await s.get(Job, job_id)
        assert job is not None
        return job.state


async def test_two_sync_runs_for_one_appointment_create_it_once(
    booking: BookingService,
    sessions: async_sessionmaker[AsyncSession],
    calendar: FakeCalendar,
    clock: FakeClock,
) -> None:
    """Found by bench/chaos.py: the jobs of a booking and of its reschedule (or two workers)
    ran at once; both looked up, found nothing and created — Cal.com refused one as a taken
    time, which became a false conflict (with another free host it would book twice). The
    appointment's claim lets one run talk to the provider; the other is told to come back."""
    calendar.faults["create"] = ["down", "slow"]  # the caller's inline attempt: pending
    outcome = await booking.book(request(start=at(2, 10), staff_id=JONAS))
    uow = UnitOfWork(sessions, clock=clock, calendars=FakeProviders(calendar))

    def run() -> Coroutine[Any, Any, Result]:
        deadline = Deadline.after(BACKGROUND_BUDGET_S, time.monotonic)
        return synchronise(uow, TENANT, outcome.appointment.id, deadline=deadline)

    results = await asyncio.gather(run(), run())
    assert sorted(str(r.outcome) for r in results) == ["busy", "synced"]
    assert calendar.calls.count("create") == 2  # the inline one (down) and one run's
    assert len(calendar.active()) == 1
    # The claim ended with the run: the next run may go (and finds nothing to do).
    assert (await run()).outcome is Outcome.NOTHING
    row = await _row(sessions, outcome.appointment.id)
    assert row.sync_claimed_until is None


async def test_a_busy_appointment_defers_its_job_without_spending_an_attempt(
    booking: BookingService,
    sessions: async_sessionmaker[AsyncSession],
    calendar: FakeCalendar,
    clock: FakeClock,
) -> None:
    calendar.faults["create"] = ["down"]
    outcome = await booking.book(request(start=at(2, 10), staff_id=JONAS))
    async with sessions() as s:
        claimed = await provider_rows.claim_sync(
            s, TENANT, outcome.appointment.id, clock(), clock() + timedelta(hours=1)
        )
        await s.commit()
    assert claimed
    assert await _run_sync_jobs(sessions, clock, calendar) == ["JobDeferred"]
    assert calendar.calls == ["create"]  # nothing sent while another run holds it


async def test_a_lost_create_of_a_since_moved_booking_is_moved_at_the_provider(
    booking: BookingService,
    sessions: async_sessionmaker[AsyncSession],
    calendar: FakeCalendar,
    clock: FakeClock,
) -> None:
    """Found by bench/chaos.py: the create reached Cal.com but its answer was lost; the caller
    then moved the appointment here. The job's look-up found the booking at the old time and
    adopted it as synced (or, when the host was busy then, made it a false conflict): Cal.com
    kept the old time. The found booking must be moved to the row's time."""
    calendar.faults["create"] = ["applied_down"]
    outcome = await booking.book(request(start=at(2, 10), staff_id=JONAS))
    assert outcome.appointment.external_uid is None
    moved = await booking.reschedule(TENANT, outcome.appointment.id, at(2, 11))
    assert moved.start == at(2, 11)
    clock.advance(timedelta(seconds=30))
    await _run_sync_jobs(sessions, clock, calendar)
    row = await _row(sessions, outcome.appointment.id)
    assert (row.sync_state, row.starts_at) == (SyncState.SYNCED, at(2, 11))
    [held] = calendar.active()
    assert (held.start, held.uid) == (at(2, 11), row.external_uid)
    assert "create" not in calendar.calls[1:]  # moved, never created a second time


async def test_a_refusal_while_our_own_change_of_that_host_is_pending_is_retried(
    booking: BookingService,
    sessions: async_sessionmaker[AsyncSession],
    calendar: FakeCalendar,
    clock: FakeClock,
) -> None:
    """Found by bench/chaos.py: a booking cancelled here still held its host's time at Cal.com
    for a moment; another booking of that time was refused then and became a permanent (false)
    conflict. When what holds the time there is our own booking whose appointment still owes
    Cal.com a change, the refusal is retried."""
    other = await booking.book(request(start=at(2, 10), staff_id=JONAS, customer=ERIKA))
    assert other.appointment.sync_state is SyncState.SYNCED
    await booking.cancel(TENANT, other.appointment.id)  # pending: Cal.com still holds 10:00
    calendar.faults["create"] = ["down"]
    waiting = (await booking.book(request(start=at(2, 10), staff_id=JONAS))).appointment
    calendar.faults["create"] = ["taken"]
    result = await _synchronise(sessions, clock, calendar, waiting.id)
    assert result.outcome is Outcome.PENDING
    assert (await _row(sessions, waiting.id)).sync_state is SyncState.PENDING_SYNC
    clock.advance(timedelta(minutes=5))
    await _run_sync_jobs(sessions, clock, calendar)
    row = await _row(sessions, waiting.id)
    assert (row.status, row.sync_state) == (AppointmentStatus.CONFIRMED, SyncState.SYNCED)
    assert [b.appointment_id for b in calendar.active()] == [waiting.id]


async def test_a_refusal_by_a_booking_made_on_calcom_is_a_conflict_at_once(
    booking: BookingService,
    sessions: async_sessionmaker[AsyncSession],
    calendar: FakeCalendar,
    clock: FakeClock,
) -> None:
    """Other appointments of the host owing Cal.com changes do not delay a true clash."""
    calendar.faults["create"] = ["down", "down"]
    await booking.book(request(start=at(2, 11), staff_id=JONAS, customer=ERIKA))  # pending
    waiting = (await booking.book(request(start=at(2, 10), staff_id=JONAS))).appointment
    calendar.bookings["page-1"] = ExternalBooking(
        uid="page-1", event_type=str(EVENT_TYPES["herrenhaarschnitt"]), start=at(2, 10),
        end=at(2, 10, 30), status="accepted", hosts=(str(HOSTS["jonas"]),),
    )  # fmt: skip
    calendar.faults["create"] = ["taken"]
    result = await _synchronise(sessions, clock, calendar, waiting.id)
    assert result.outcome is Outcome.CONFLICT
    assert (await _row(sessions, waiting.id)).sync_state is SyncState.CONFLICT


async def _synchronise(
    sessions: async_sessionmaker[AsyncSession],
    clock: FakeClock,
    calendar: FakeCalendar,
    appointment_id: uuid.UUID,
) -> Result:
    uow = UnitOfWork(sessions, clock=clock, calendars=FakeProviders(calendar))
    deadline = Deadline.after(BACKGROUND_BUDGET_S, time.monotonic)
    return await synchronise(uow, TENANT, appointment_id, deadline=deadline)


async def test_a_reschedule_losing_the_time_to_a_concurrent_writer_offers_alternatives(
    booking: BookingService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found by bench/chaos.py (voice reschedules answered ``internal_error``): the time was
    taken between the check and the write; the database refused it, and building the answer
    read the rolled-back row again (MissingGreenlet) instead of offering alternatives."""
    await booking.book(request(start=at(2, 10), staff_id=JONAS, customer=ERIKA))
    mine = (await booking.book(request(start=at(2, 11), staff_id=JONAS))).appointment

    async def nobody_busy(*args: object, **kwargs: object) -> list[object]:
        return []  # the check sees the time free: a concurrent writer is faster

    monkeypatch.setattr(booking.uow, "busy_on_day", nobody_busy)
    with pytest.raises(SlotUnavailable) as refused:
        await booking.reschedule(TENANT, mine.id, at(2, 10), staff_id=JONAS)
    assert refused.value.code == "slot_taken"


def _count(name: str, **labels: str) -> float:
    """A counter's value summed over the series matching ``labels`` (0 before its first)."""
    total = 0.0
    for family in REGISTRY.collect():
        for sample in family.samples:
            if sample.name == name and labels.items() <= sample.labels.items():
                total += sample.value
    return total
