"""GDPR on SQLite and PostgreSQL: the Art. 15 export holds everything stored about a
customer; Art. 17 erasure leaves none of it (the export afterwards is searched for the name,
number and what was said) while the appointments stay for the books; transcripts are deleted
after the tenant's retention period by the periodic job on the injected clock."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tests.booking_support import TENANT, request
from tests.clock_support import FakeClock, at
from tests.people_support import (
    ERIKA_ID,
    Spoken,
    call_values,
    other_tenant,
    unit,
    write_call,
)

from frontdesk.booking.call_history import call_detail
from frontdesk.booking.call_log import CallLog
from frontdesk.booking.customer_records import (
    customer_record,
    record_consent,
    search_customers,
    set_customer_notes,
)
from frontdesk.booking.customers import CustomerInput
from frontdesk.booking.privacy import erase_customer, export_customer
from frontdesk.booking.retention import (
    RETENTION_KIND,
    enforce_transcript_retention,
    set_transcript_retention,
)
from frontdesk.booking.service import BookingService
from frontdesk.db.tables import Appointment, AuditLog
from frontdesk.domain.errors import CustomerErased, CustomerNotFound, InvalidRequest
from frontdesk.domain.model import AppointmentStatus, ConsentChannel
from frontdesk.jobs.handlers import default_registry
from frontdesk.jobs.worker import Worker

SPOKEN = Spoken(
    "Kundin: Hier ist Erika Mustermann, meine Nummer ist 0151 12345678.",
    "Erika Mustermann bucht einen Haarschnitt.",
)
# What must not survive an erasure, in every spelling the data held it.
PERSONAL = (
    "Erika",
    "Mustermann",
    "5112345678",
    "0151 12345678",
    "erika@example.org",
    "kurze Haare",
    "Tochter",
)


async def _customer_with_everything(
    booking: BookingService, sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> tuple[uuid.UUID, uuid.UUID]:
    """Erika with an e-mail, notes, a consent, a booked call with transcript and function
    arguments, and a cancelled appointment with a reason: (call id, appointment id)."""
    uow = unit(sessions, clock)
    call_id = await write_call(sessions, "r-erika", started=at(1, 7), spoken=SPOKEN)
    customer = CustomerInput("Erika Mustermann", "+4915112345678", email="erika@example.org")
    booked = (
        await booking.book(request(customer=customer, call_id=call_id, notes="Tochter kommt mit"))
    ).appointment
    await write_call(
        sessions, "r-erika", started=at(1, 7), links=((booked.id, "booked"),),
        customer_id=ERIKA_ID, arguments={"customer_name": "Erika Mustermann"},
        answer="Danke, Frau Mustermann, Ihr Termin ist gebucht.",
        answered_after=timedelta(minutes=1),
    )  # fmt: skip
    second = (await booking.book(request(start=at(2, 10), customer=customer))).appointment
    await booking.cancel(TENANT, second.id, reason="Erika Mustermann ist krank")
    await set_customer_notes(uow, TENANT, ERIKA_ID, "mag kurze Haare", "user:owner")
    await record_consent(
        uow, TENANT, ERIKA_ID, channel=ConsentChannel.SMS, granted=True, source="am Telefon",
        actor="user:owner",
    )  # fmt: skip
    return call_id, booked.id


async def test_export_holds_everything_stored_about_the_customer(
    booking: BookingService, sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    call_id, appointment_id = await _customer_with_everything(booking, sessions, clock)

    document = await export_customer(unit(sessions, clock), TENANT, ERIKA_ID)

    json.dumps(document)  # JSON as it is
    assert document["customer"]["name"] == "Erika Mustermann"
    assert document["customer"]["phone"] == "+4915112345678"
    assert document["customer"]["email"] == "erika@example.org"
    assert document["customer"]["notes"] == "mag kurze Haare"
    assert [c["channel"] for c in document["consents"]] == ["sms"]
    assert {a["id"] for a in document["appointments"]} >= {str(appointment_id)}
    assert len(document["appointments"]) == 2
    [call] = document["calls"]
    assert call["id"] == str(call_id)
    assert call["transcript"] == SPOKEN.transcript
    assert [f["answer"] for f in call["functions"]][-1].startswith("Danke, Frau Mustermann")
    actions = {entry["action"] for entry in document["audit"]}
    assert {"customer_notes_changed", "customer_consent"} <= actions


async def test_erasure_leaves_no_personal_data_and_keeps_the_books(
    booking: BookingService, sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    uow = unit(sessions, clock)
    call_id, appointment_id = await _customer_with_everything(booking, sessions, clock)
    # The outbox's events become audit entries about the appointments too.
    await Worker(sessions, default_registry(), clock=clock, poll_interval=0.01).run_until_idle()

    outcome = await erase_customer(uow, TENANT, ERIKA_ID, "user:owner")

    assert (outcome.appointments_anonymised, outcome.calls_cleared) == (2, 1)
    text = json.dumps(await export_customer(uow, TENANT, ERIKA_ID), ensure_ascii=False)
    detail = await call_detail(uow, TENANT, call_id)
    text += json.dumps(
        [detail.transcript, detail.summary, detail.call.caller_number, detail.call.caller_name,
         [(f.arguments, f.answer) for f in detail.functions]],
        ensure_ascii=False,
    )  # fmt: skip
    async with sessions() as session:
        audit = (await session.execute(select(AuditLog.data))).scalars().all()
        books = (await session.execute(select(Appointment))).scalars().all()
    text += json.dumps(audit, ensure_ascii=False)
    for personal in PERSONAL:
        assert personal not in text, text[max(0, text.find(personal) - 300) :][:400]
    assert (await search_customers(uow, TENANT, "Erika")).items == []
    assert (await search_customers(uow, TENANT, "0151 12345678")).items == []
    # The books: both appointments, their times, service and status, tied to nobody.
    assert {(a.id, a.customer_id) for a in books} >= {(appointment_id, ERIKA_ID)}
    assert {a.status for a in books} == {AppointmentStatus.CONFIRMED, AppointmentStatus.CANCELLED}
    assert [f.name for f in detail.functions] == ["check_availability", "book_appointment"]
    assert detail.call.appointments[0].appointment_id == appointment_id
    record = await customer_record(uow, TENANT, ERIKA_ID)
    assert record.erased_at == clock.now
    assert record.consents == ()
    erasure = [e for e in audit if e == {"appointments": 2, "calls": 1, "consents": 1}]
    assert erasure, audit
    with pytest.raises(CustomerErased):
        await set_customer_notes(uow, TENANT, ERIKA_ID, "neu", "user:owner")
    again = await erase_customer(uow, TENANT, ERIKA_ID, "user:owner")
    assert again.already_erased
    assert again.erased_at == record.erased_at


async def test_another_tenant_cannot_export_or_erase(
    booking: BookingService, sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    uow = unit(sessions, clock)
    async with sessions() as session:
        stranger, _ = await other_tenant(session)
    with pytest.raises(CustomerNotFound):
        await export_customer(uow, stranger, ERIKA_ID)
    with pytest.raises(CustomerNotFound):
        await erase_customer(uow, stranger, ERIKA_ID, "user:x")
    assert (await customer_record(uow, TENANT, ERIKA_ID)).customer.name == "Erika Mustermann"


async def test_retention_deletes_transcripts_after_each_tenants_period(
    booking: BookingService, sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    uow = unit(sessions, clock)
    old = await write_call(sessions, "r-old", started=at(1, 7), spoken=SPOKEN)
    clock.advance(timedelta(days=30))
    recent = await write_call(sessions, "r-new", started=clock.now, spoken=SPOKEN)
    async with sessions() as session:
        stranger, _ = await other_tenant(session)
    assert await set_transcript_retention(uow, stranger, 7, "user:owner") == 7
    with pytest.raises(InvalidRequest):
        await set_transcript_retention(uow, stranger, 0, "user:owner")
    theirs = await write_call(
        sessions, "r-theirs", started=clock.now, tenant_id=stranger, branch_id=None,
        spoken=SPOKEN,
    )  # fmt: skip

    clock.advance(timedelta(days=60))  # the old call is 90 days old, to the second: kept
    assert (await enforce_transcript_retention(uow, batch=1)).calls_cleared == 1
    assert (await call_detail(uow, TENANT, old)).transcript == SPOKEN.transcript
    clock.advance(timedelta(seconds=1))
    assert (await enforce_transcript_retention(uow, batch=1)).calls_cleared == 1

    cleared = await call_detail(uow, TENANT, old)
    assert (cleared.transcript, cleared.summary, cleared.content_deleted_at) == (
        None, None, clock.now,
    )  # fmt: skip
    assert cleared.functions[0].latency_ms == 321
    assert cleared.functions[0].arguments == {}
    assert cleared.call.duration_ms == 120_000
    assert (await call_detail(uow, TENANT, recent)).transcript == SPOKEN.transcript
    assert (await call_detail(uow, stranger, theirs)).transcript is None
    assert (await enforce_transcript_retention(uow)).calls_cleared == 0


def test_retention_runs_hourly_as_a_periodic_job() -> None:
    periodic = {p.kind: p.every for p in default_registry().periodic()}
    assert periodic[RETENTION_KIND] == timedelta(hours=1)


async def test_a_late_event_does_not_bring_an_erased_transcript_back(
    booking: BookingService, sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    uow = unit(sessions, clock)
    call_id = await write_call(sessions, "r-late", started=at(1, 7), customer_id=ERIKA_ID)
    await erase_customer(uow, TENANT, ERIKA_ID, "user:owner")
    # Retell's call_analyzed arrives after the erasure, with the transcript.
    await CallLog(sessions).record_event(call_values("r-late", started=at(1, 7), spoken=SPOKEN))
    detail = await call_detail(uow, TENANT, call_id)
    assert (detail.transcript, detail.summary, detail.call.caller_number) == (None, None, None)
    assert detail.call.duration_ms == 120_000
    # A function the call still ran after the erasure is cleared by erasing again.
    await write_call(
        sessions, "r-late", started=at(1, 7), arguments={"customer_name": "Erika"},
        answered_after=timedelta(minutes=5),
    )  # fmt: skip
    assert (await erase_customer(uow, TENANT, ERIKA_ID, "user:owner")).already_erased
    functions = (await call_detail(uow, TENANT, call_id)).functions
    assert [f.arguments for f in functions] == [{}, {}]
