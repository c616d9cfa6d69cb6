"""The call list and a call's detail, on SQLite and PostgreSQL: what the voice path stored
(function calls with latencies and answers, the appointments a call made or changed), filters
by outcome and by local day, keyset pages, and another tenant's calls never seen."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tests.booking_support import TENANT, request
from tests.clock_support import FakeClock, at
from tests.people_support import ERIKA_ID, Spoken, other_tenant, unit, write_call

from frontdesk.booking.call_history import call_detail, list_calls
from frontdesk.booking.service import BookingService
from frontdesk.domain.errors import CallNotFound
from frontdesk.domain.model import AppointmentStatus, CallOutcome


async def test_detail_shows_what_was_said_done_and_booked(
    booking: BookingService, sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    spoken = Spoken("Agent: Guten Tag. Kundin: Einen Haarschnitt bitte.", "Termin gebucht.")
    call_id = await write_call(sessions, "r-1", started=at(1, 7), spoken=spoken)
    booked = (await booking.book(request(call_id=call_id))).appointment
    await write_call(
        sessions,
        "r-1",
        started=at(1, 7),
        links=((booked.id, "booked"),),
        customer_id=ERIKA_ID,
        answer="Ihr Termin ist gebucht.",
        answered_after=timedelta(seconds=60),
    )

    detail = await call_detail(unit(sessions, clock), TENANT, call_id)

    assert detail.transcript == spoken.transcript
    assert detail.summary == "Termin gebucht."
    assert detail.sentiment == "Positive"
    assert [(f.name, f.latency_ms, f.answer) for f in detail.functions] == [
        ("check_availability", 321, "Gern, ich schaue nach."),
        ("book_appointment", 321, "Ihr Termin ist gebucht."),
    ]
    assert detail.functions[0].arguments == {"service": "Herrenhaarschnitt"}
    assert detail.call.caller_name == "Erika Mustermann"
    assert detail.call.caller_number == "01511 2345678"  # libphonenumber's German grouping
    assert detail.call.outcome == "booked"
    [link] = detail.call.appointments
    assert (link.appointment_id, link.action, link.start) == (booked.id, "booked", at(1, 10))
    assert link.status is AppointmentStatus.CONFIRMED
    assert link.service_name == "Herrenhaarschnitt"


async def test_list_filters_by_outcome_and_local_day_and_pages(
    booking: BookingService, sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    uow = unit(sessions, clock)

    async def call(retell_id: str, day: int, hour: int, minute: int = 0) -> uuid.UUID:
        clock.now = at(day, hour, minute)  # the row is stamped when the call is first heard of
        return await write_call(sessions, retell_id, started=clock.now)

    # 00:30 in Berlin on the 2nd is still the 1st in UTC: the day is the branch's.
    late = await call("r-late", 2, 0, 30)
    plain = await call("r-plain", 1, 7)
    booked_call = await call("r-book", 1, 7, 30)
    booked = (await booking.book(request(call_id=booked_call))).appointment
    await write_call(sessions, "r-book", started=at(1, 7, 30), links=((booked.id, "booked"),))
    ids = {"late": late, "plain": plain, "booked": booked_call}

    everything = await list_calls(uow, TENANT)
    assert {c.id for c in everything.items} == set(ids.values())
    only_booked = await list_calls(uow, TENANT, outcome=CallOutcome.BOOKED)
    assert [c.id for c in only_booked.items] == [booked_call]
    assert only_booked.items[0].appointments[0].appointment_id == booked.id
    nothing_done = await list_calls(uow, TENANT, outcome=CallOutcome.NONE)
    assert {c.id for c in nothing_done.items} == {late, plain}
    assert [c.id for c in (await list_calls(uow, TENANT, day=date(2026, 12, 2))).items] == [late]
    first_day = await list_calls(uow, TENANT, day=date(2026, 12, 1))
    assert [c.id for c in first_day.items] == [booked_call, plain]

    first = await list_calls(uow, TENANT, limit=2)
    assert len(first.items) == 2
    assert first.next is not None
    rest = await list_calls(uow, TENANT, after=first.next, limit=2)
    assert rest.next is None
    assert {c.id for c in first.items + rest.items} == set(ids.values())


async def test_another_tenants_call_is_not_found(
    booking: BookingService, sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    call_id = await write_call(sessions, "r-mine", started=at(1, 9))
    async with sessions() as session:
        stranger, _ = await other_tenant(session)
    uow = unit(sessions, clock)
    with pytest.raises(CallNotFound):
        await call_detail(uow, stranger, call_id)
    with pytest.raises(CallNotFound):
        await call_detail(uow, TENANT, uuid.uuid4())
    assert (await list_calls(uow, stranger)).items == []
