"""Customer search, record, notes, consents and merging, on SQLite and PostgreSQL; another
tenant's customers are never found, changed or merged."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tests.booking_support import TENANT, request
from tests.clock_support import FakeClock, at
from tests.people_support import ERIKA_ID, other_tenant, unit, write_call

from frontdesk.booking.customer_merge import merge_customers
from frontdesk.booking.customer_records import (
    customer_record,
    record_consent,
    search_customers,
    set_customer_notes,
)
from frontdesk.booking.customers import CustomerInput
from frontdesk.booking.service import BookingService
from frontdesk.db.tables import AuditLog, Customer
from frontdesk.domain.errors import CustomerNotFound, InvalidRequest
from frontdesk.domain.model import ConsentChannel


@pytest.mark.parametrize(
    "typed",
    ["0151 12345678", "+49 (0)151 1234 5678", "0049151/12345678", "+4915112345678", "0151 123"],
)
async def test_search_by_phone_in_any_german_notation(
    booking: BookingService,
    sessions: async_sessionmaker[AsyncSession],
    clock: FakeClock,
    typed: str,
) -> None:
    found = await search_customers(unit(sessions, clock), TENANT, typed)
    assert [(c.id, c.name, c.phone) for c in found.items] == [
        (ERIKA_ID, "Erika Mustermann", "01511 2345678")
    ]


async def test_search_by_name_part_or_digits_and_pages(
    booking: BookingService, sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    uow = unit(sessions, clock)
    await booking.book(request(customer=CustomerInput("Max Mustermann", "0171 2345678")))
    by_name = await search_customers(uow, TENANT, "musterm")
    assert {c.name for c in by_name.items} == {"Erika Mustermann", "Max Mustermann"}
    assert [c.name for c in (await search_customers(uow, TENANT, "712345")).items] == [
        "Max Mustermann"
    ]
    first = await search_customers(uow, TENANT, "muster", limit=1)
    assert first.next is not None
    rest = await search_customers(uow, TENANT, "muster", after=first.next, limit=1)
    assert {first.items[0].name, rest.items[0].name} == {"Erika Mustermann", "Max Mustermann"}
    assert (await search_customers(uow, TENANT, "100%_")).items == []


async def test_record_shows_history_notes_and_current_consents(
    booking: BookingService, sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    uow = unit(sessions, clock)
    booked = (await booking.book(request())).appointment
    call_id = await write_call(sessions, "r-1", started=at(1, 7), customer_id=ERIKA_ID)
    await set_customer_notes(uow, TENANT, ERIKA_ID, "  mag kurze Haare ", "user:owner")
    await record_consent(
        uow, TENANT, ERIKA_ID, channel=ConsentChannel.SMS, granted=True,
        source="am Telefon", actor="user:owner",
    )  # fmt: skip
    clock.advance(at(1, 9) - at(1, 8))
    await record_consent(
        uow, TENANT, ERIKA_ID, channel=ConsentChannel.SMS, granted=False,
        source="per E-Mail widerrufen", actor="user:staff",
    )  # fmt: skip
    await record_consent(
        uow, TENANT, ERIKA_ID, channel=ConsentChannel.EMAIL, granted=True,
        source="Formular im Salon", actor="user:staff",
    )  # fmt: skip

    record = await customer_record(uow, TENANT, ERIKA_ID)

    assert record.notes == "mag kurze Haare"
    assert [a.id for a in record.appointments] == [booked.id]
    assert [c.id for c in record.calls] == [call_id]
    consents = {c.channel: (c.granted, c.source, c.at) for c in record.consents}
    assert consents == {
        ConsentChannel.SMS: (False, "per E-Mail widerrufen", clock.now),
        ConsentChannel.EMAIL: (True, "Formular im Salon", clock.now),
    }
    with pytest.raises(InvalidRequest):
        await record_consent(
            uow, TENANT, ERIKA_ID, channel=ConsentChannel.SMS, granted=True, source=" ",
            actor="user:owner",
        )  # fmt: skip


async def test_another_tenants_customer_is_not_found_nor_changed(
    booking: BookingService, sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    uow = unit(sessions, clock)
    async with sessions() as session:
        stranger, theirs = await other_tenant(session)
    with pytest.raises(CustomerNotFound):
        await customer_record(uow, TENANT, theirs)
    with pytest.raises(CustomerNotFound):
        await set_customer_notes(uow, stranger, ERIKA_ID, "x", "user:x")
    with pytest.raises(CustomerNotFound):
        await record_consent(
            uow, stranger, ERIKA_ID, channel=ConsentChannel.SMS, granted=True, source="x",
            actor="user:x",
        )  # fmt: skip
    assert (await search_customers(uow, stranger, "Erika")).items == []
    assert (await search_customers(uow, TENANT, "Otto")).items == []
    with pytest.raises(CustomerNotFound):
        await merge_customers(uow, TENANT, ERIKA_ID, theirs, "user:owner")
    with pytest.raises(CustomerNotFound):
        await merge_customers(uow, stranger, theirs, ERIKA_ID, "user:owner")
    async with sessions() as session:
        assert await session.get(Customer, theirs) is not None
        assert await session.get(Customer, ERIKA_ID) is not None


async def test_merge_moves_everything_to_the_kept_record(
    booking: BookingService, sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    uow = unit(sessions, clock)
    kept = ERIKA_ID
    other = (
        await booking.book(
            request(start=at(2, 10), customer=CustomerInput("Erika M.", "030 1234567"))
        )
    ).appointment
    removed = other.customer_id
    mine = (await booking.book(request())).appointment
    call_id = await write_call(
        sessions, "r-2", started=at(1, 7), caller="+49301234567", customer_id=removed
    )
    clock.advance(at(1, 9) - at(1, 8))
    # From the removed record's number, tied to nobody (only checked availability).
    untied = await write_call(sessions, "r-3", started=at(1, 9), caller="+49301234567")
    await set_customer_notes(uow, TENANT, removed, "Festnetz", "user:owner")
    await set_customer_notes(uow, TENANT, kept, "Stammkundin", "user:owner")
    await record_consent(
        uow, TENANT, removed, channel=ConsentChannel.EMAIL, granted=True, source="Formular",
        actor="user:owner",
    )  # fmt: skip

    outcome = await merge_customers(uow, TENANT, kept, removed, "user:owner")

    assert (outcome.appointments, outcome.calls, outcome.consents) == (1, 2, 1)
    record = await customer_record(uow, TENANT, kept)
    assert {a.id for a in record.appointments} == {mine.id, other.id}
    assert [c.id for c in record.calls] == [untied, call_id]
    assert [(c.channel, c.granted) for c in record.consents] == [(ConsentChannel.EMAIL, True)]
    assert record.notes == "Stammkundin\n\nFestnetz"
    assert record.customer.phone == "01511 2345678"
    with pytest.raises(CustomerNotFound):
        await customer_record(uow, TENANT, removed)
    async with sessions() as session:
        entry = (
            await session.execute(select(AuditLog).where(AuditLog.action == "customer_merged"))
        ).scalar_one()
        count = (await session.execute(select(func.count()).select_from(Customer))).scalar_one()
    assert entry.entity_id == str(kept)
    assert entry.data == {
        "removed_customer_id": str(removed), "appointments": 1, "calls": 2, "consents": 1,
    }  # fmt: skip
    assert count == 1
    with pytest.raises(InvalidRequest):
        await merge_customers(uow, TENANT, kept, kept, "user:owner")


async def test_merge_gives_the_kept_record_the_missing_phone(
    booking: BookingService, sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    uow = unit(sessions, clock)
    async with sessions() as session:
        walk_in = Customer(tenant_id=TENANT, name="Erika Mustermann", phone_e164=None)
        session.add(walk_in)
        await session.commit()
        walk_in_id: uuid.UUID = walk_in.id
    await merge_customers(uow, TENANT, walk_in_id, ERIKA_ID, "user:owner")
    record = await customer_record(uow, TENANT, walk_in_id)
    assert record.customer.phone == "01511 2345678"
