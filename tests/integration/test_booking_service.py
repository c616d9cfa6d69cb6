"""The booking use cases against the demo salon, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import psycopg
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tests.booking_support import BART, ERIKA, FAERBEN, HERREN, JONAS, TENANT, request
from tests.clock_support import NOW, at

from frontdesk import demo
from frontdesk.booking.customers import CustomerInput
from frontdesk.booking.service import BookingService
from frontdesk.db.repositories import appointments as appointment_rows
from frontdesk.db.tables import Appointment, Customer, Job
from frontdesk.domain.errors import (
    AlreadyCancelled,
    AppointmentNotFound,
    InvalidPhone,
    SlotUnavailable,
    UnknownService,
)
from frontdesk.domain.model import AppointmentStatus


async def _count(sessions: async_sessionmaker[AsyncSession], table: type) -> int:
    async with sessions() as s:
        return (await s.execute(select(func.count()).select_from(table))).scalar_one()


async def test_book_writes_the_appointment_and_its_event(
    booking: BookingService, sessions: async_sessionmaker[AsyncSession]
) -> None:
    outcome = await booking.book(request())
    assert not outcome.duplicate
    view = outcome.appointment
    assert view.start == at(1, 10)
    assert view.end == at(1, 10, 30)
    assert view.status is AppointmentStatus.CONFIRMED
    assert view.customer_id == demo.demo_id("customer", "erika")
    async with sessions() as s:
        jobs = (await s.execute(select(Job))).scalars().all()
    # The event, and the customer's message about it in the same transaction (ADR 0024).
    assert sorted(j.kind for j in jobs) == ["event.appointment_booked", "message.customer"]
    assert jobs[0].payload["appointment_id"] == str(view.id)


async def test_same_customer_time_and_service_is_a_duplicate(
    booking: BookingService, sessions: async_sessionmaker[AsyncSession]
) -> None:
    first = await booking.book(request())
    again = await booking.book(request(customer=CustomerInput("Erika M.", "015112345678")))
    assert again.duplicate
    assert again.appointment.id == first.appointment.id
    assert await _count(sessions, Appointment) == 1


async def test_new_customer_is_created_and_known_name_kept_up_to_date(
    booking: BookingService, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await booking.book(request(customer=CustomerInput("Max Muster", "0171 2345678")))
    await booking.book(
        request(start=at(1, 11), customer=CustomerInput("Erika Musterfrau", ERIKA.phone))
    )
    async with sessions() as s:
        names = dict((await s.execute(select(Customer.phone_e164, Customer.name))).all())
    assert names == {"+4915112345678": "Erika Musterfrau", "+491712345678": "Max Muster"}


async def test_taken_slot_gives_alternatives_and_writes_nothing(
    booking: BookingService, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await booking.book(request(service=BART, start=at(1, 10)))
    with pytest.raises(SlotUnavailable) as caught:
        await booking.book(
            request(service=BART, start=at(1, 10), customer=CustomerInput("Max", "+491712345678"))
        )
    error = caught.value
    assert error.code == "slot_taken"
    assert error.status == 409
    assert 1 <= len(error.alternatives) <= 3
    assert all(alt.start != at(1, 10) for alt in error.alternatives)
    starts = [alt.start for alt in error.alternatives]
    assert all(abs(a - b) >= timedelta(minutes=30) for a in starts for b in starts if a != b)
    assert await _count(sessions, Appointment) == 1
    assert await _count(sessions, Customer) == 1


@pytest.mark.parametrize(
    ("start", "code"),
    [
        (at(1, 8, 30), "too_soon"),  # before opening, but notice is checked first
        (at(1, 7), "in_past"),
        (at(7, 10), "outside_hours"),  # a Monday
        (at(1, 12, 45), "outside_hours"),  # 30 minutes would run into the lunch break
        (at(25, 10), "outside_hours"),  # Christmas day
        (at(10, 10, month=3) + timedelta(days=365), "beyond_horizon"),
    ],
)
async def test_refusals_carry_the_engine_reason(
    booking: BookingService, start: object, code: str
) -> None:
    with pytest.raises(SlotUnavailable) as caught:
        await booking.book(request(start=start))
    assert caught.value.code == code


async def test_closed_holiday_says_which(booking: BookingService) -> None:
    with pytest.raises(SlotUnavailable) as caught:
        await booking.book(request(start=at(25, 10)))
    assert caught.value.holiday


async def test_unknown_service_and_bad_phone(booking: BookingService) -> None:
    with pytest.raises(UnknownService):
        await booking.book(request(service=uuid.uuid4()))
    with pytest.raises(InvalidPhone):
        await booking.book(request(customer=CustomerInput("X", "12")))


async def test_reschedule_moves_atomically(
    booking: BookingService, sessions: async_sessionmaker[AsyncSession]
) -> None:
    mine = (await booking.book(request(service=BART, start=at(1, 10)))).appointment
    other = CustomerInput("Max", "+491712345678")
    await booking.book(request(service=BART, start=at(1, 11), customer=other))
    with pytest.raises(SlotUnavailable) as caught:
        await booking.reschedule(TENANT, mine.id, at(1, 11))
    assert caught.value.code == "slot_taken"
    unchanged = await booking.get(TENANT, mine.id)
    assert unchanged.start == at(1, 10)
    assert unchanged.version == mine.version
    moved = await booking.reschedule(TENANT, mine.id, at(1, 14))
    assert moved.start == at(1, 14)
    assert moved.version == mine.version + 1
    # Moving into its own old time is fine (it does not collide with itself).
    back = await booking.reschedule(TENANT, mine.id, at(1, 14, 10))
    assert back.start == at(1, 14, 10)
    async with sessions() as s:
        kinds = (await s.execute(select(Job.kind).order_by(Job.id))).scalars().all()
    assert kinds.count("event.appointment_rescheduled") == 2


async def test_cancel_applies_the_fee_policy(booking: BookingService) -> None:
    # Färben cancelled less than 24 h ahead costs 25 euros; Herrenhaarschnitt is free.
    colour = (await booking.book(request(service=FAERBEN, start=at(1, 14)))).appointment
    outcome = await booking.cancel(TENANT, colour.id, reason="sick")
    assert outcome.fee_cents == 2500
    assert outcome.appointment.status is AppointmentStatus.CANCELLED
    later = (await booking.book(request(service=FAERBEN, start=at(4, 10)))).appointment
    assert (await booking.cancel(TENANT, later.id)).fee_cents == 0
    with pytest.raises(AlreadyCancelled):
        await booking.cancel(TENANT, later.id)
    # The cancelled time is free again.
    again = await booking.book(request(service=FAERBEN, start=at(1, 14)))
    assert not again.duplicate


async def test_find_for_customer_lists_upcoming(booking: BookingService) -> None:
    await booking.book(request(start=at(2, 10)))
    await booking.book(request(start=at(1, 15)))
    found = await booking.find_for_customer(TENANT, "+4915112345678")
    assert [a.start for a in found] == [at(1, 15), at(2, 10)]
    assert await booking.find_for_customer(TENANT, "+491700000000") == []


async def test_other_tenants_cannot_see_or_touch(booking: BookingService) -> None:
    mine = (await booking.book(request())).appointment
    stranger = uuid.uuid4()
    with pytest.raises(AppointmentNotFound):
        await booking.get(stranger, mine.id)
    with pytest.raises(AppointmentNotFound):
        await booking.cancel(stranger, mine.id)
    with pytest.raises(UnknownService):
        await booking.find_slots(stranger, HERREN)


async def test_find_slots_over_two_weeks(booking: BookingService) -> None:
    slots = (await booking.find_slots(TENANT, BART, days=14)).slots
    assert slots
    assert all(slot.staff_id == JONAS for slot in slots)
    assert slots[0].start >= NOW + timedelta(minutes=60)
    local_days = {slot.start.astimezone(at(1, 0).tzinfo).weekday() for slot in slots}
    assert local_days <= {1, 2, 3, 4, 5}


async def test_concurrent_bookings_of_one_slot_yield_exactly_one(
    booking: BookingService, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async def attempt(i: int) -> str:
        customer = CustomerInput(f"Caller {i}", f"+4917100000{i:02d}")
        try:
            await booking.book(request(service=BART, start=at(2, 10), customer=customer))
        except SlotUnavailable as exc:
            return exc.code
        return "booked"

    results = await asyncio.gather(*(attempt(i) for i in range(20)))
    assert results.count("booked") == 1
    assert set(results) == {"booked", "slot_taken"}
    assert await _count(sessions, Appointment) == 1


async def test_cached_availability_is_invalidated_by_every_write(booking: BookingService) -> None:
    before = (await booking.find_slots(TENANT, BART, days=2)).slots
    assert (await booking.find_slots(TENANT, BART, days=2)).slots == before  # served from the cache
    first = before[0]
    made = (await booking.book(request(service=BART, start=first.start))).appointment
    after_booking = (await booking.find_slots(TENANT, BART, days=2)).slots
    assert first.start not in {slot.start for slot in after_booking}
    await booking.cancel(TENANT, made.id)
    assert (await booking.find_slots(TENANT, BART, days=2)).slots == before


async def test_after_a_booking_only_its_day_is_read_again(
    booking: BookingService, monkeypatch: pytest.MonkeyPatch
) -> None:
    from frontdesk.db.repositories import appointments as appointment_rows

    windows: list[timedelta] = []
    real = appointment_rows.busy_spans

    async def recording(*args: object, **kwargs: object) -> object:
        windows.append(args[3] - args[2])  # type: ignore[operator]
        return await real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(appointment_rows, "busy_spans", recording)
    await booking.find_slots(TENANT, HERREN, days=14)
    assert windows == [timedelta(days=14)]  # everything, once
    await booking.find_slots(TENANT, HERREN, days=14)
    assert len(windows) == 1  # nothing written: no appointment read at all
    booked = (await booking.book(request(start=at(3, 10)))).appointment
    await booking.find_slots(TENANT, HERREN, days=14)
    assert windows[1:] == [timedelta(days=1)]  # only the booked day
    theirs = (await booking.find_slots(TENANT, HERREN, days=14, staff_id=booked.staff_id)).slots
    assert at(3, 10) not in {slot.start for slot in theirs}  # and the cache knows it


async def test_far_days_stay_cached_as_the_clock_moves_and_today_does_not(
    sessions: async_sessionmaker[AsyncSession], demo: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A day clear of notice and horizon does not depend on the minute; today does."""
    from frontdesk import availability

    clock = [NOW]
    service = BookingService(sessions, clock=lambda: clock[0])
    searched: list[object] = []
    real = availability.find_slots

    def counting(*args: object, **kwargs: object) -> object:
        searched.append(args[3])
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(availability, "find_slots", counting)
    await service.find_slots(TENANT, HERREN, days=7)
    assert len(searched) == 7
    clock[0] = NOW + timedelta(minutes=5)
    later = await service.find_slots(TENANT, HERREN, days=7)
    # Only today is searched again: its free starts move with the minimum notice.
    assert searched[7:] == [NOW.date()]
    assert (
        later.slots
        == (
            await BookingService(sessions, clock=lambda: clock[0]).find_slots(
                TENANT, HERREN, days=7
            )
        ).slots
    )


async def test_loading_a_catalogue_builds_this_and_next_years_holidays(
    booking: BookingService,
) -> None:
    from frontdesk.availability.holidays import holidays_of_year

    holidays_of_year.cache_clear()
    await booking.find_slots(TENANT, HERREN, days=1)
    hits = holidays_of_year.cache_info().hits
    holidays_of_year(NOW.year + 1, "BE", "DE")
    assert holidays_of_year.cache_info().hits == hits + 1


async def test_a_deadlock_with_a_concurrent_booking_is_a_taken_slot(
    booking: BookingService,
    sessions: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """PostgreSQL may resolve two simultaneous overlapping inserts with a deadlock inside the
    exclusion check instead of an exclusion violation (seen in bench/voice.py): the caller must
    hear "taken" with alternatives, not an internal error. (The winner is not committed yet
    when the loser's insert fails, so the slot still looks free to the checks before it.)"""
    deadlock = psycopg.errors.DeadlockDetected(
        "deadlock detected\nCONTEXT:  while checking exclusion constraint on tuple (15,32) in "
        'relation "appointment"'
    )

    async def lost_the_race(session: AsyncSession, row: Appointment) -> Appointment:
        raise OperationalError("INSERT INTO appointment …", {}, deadlock)

    monkeypatch.setattr(appointment_rows, "add", lost_the_race)
    with pytest.raises(SlotUnavailable) as caught:
        await booking.book(request(service=BART, start=at(1, 10)))
    assert caught.value.code == "slot_taken"
    assert await _count(sessions, Appointment) == 0
