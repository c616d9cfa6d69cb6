"""A phone caller's appointments: which they may see and which they may change.

Who the caller is comes from the caller ID alone (``phone``; ``None`` when withheld), never from
anything said in the call. A caller may see and change the upcoming appointments of the
customer with their number, and, whatever the number, those made in this very call
(``call_id``) — so an anonymous caller can still undo what they just booked.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from frontdesk.booking.unit_of_work import UnitOfWork
from frontdesk.booking.views import AppointmentView, KnownCaller
from frontdesk.db.repositories import appointments as appointment_rows
from frontdesk.db.repositories import calls as call_rows


@dataclass(frozen=True, slots=True)
class PhoneCaller:
    """The person on the line as far as the telephony tells: number (or none) and the call."""

    tenant_id: uuid.UUID
    phone: str | None
    call_id: uuid.UUID


async def find_for_customer(
    uow: UnitOfWork, tenant_id: uuid.UUID, phone_e164: str, limit: int = 10
) -> list[AppointmentView]:
    """The customer's upcoming active appointments, soonest first."""
    async with uow.reading() as session:
        rows = await appointment_rows.upcoming_for_phone(
            session, tenant_id, phone_e164, uow.clock(), limit
        )
    return [AppointmentView.of(row) for row in rows]


async def visible(uow: UnitOfWork, caller: PhoneCaller) -> list[AppointmentView]:
    """Upcoming appointments the caller may see: theirs by caller ID, else this call's."""
    if caller.phone is not None:
        return await find_for_customer(uow, caller.tenant_id, caller.phone)
    async with uow.reading() as session:
        rows = await call_rows.appointments_of_call(
            session, caller.tenant_id, caller.call_id, uow.clock()
        )
    return [AppointmentView.of(row) for row in rows]


async def changeable(
    uow: UnitOfWork, caller: PhoneCaller, appointment_id: uuid.UUID
) -> AppointmentView | None:
    """The appointment if the caller may change it (any status), else ``None`` — whether it
    does not exist or is someone else's is not told."""
    async with uow.reading() as session:
        found = await appointment_rows.get_with_phone(session, caller.tenant_id, appointment_id)
    if found is None:
        return None
    row, phone = found
    if row.call_id == caller.call_id or (caller.phone is not None and phone == caller.phone):
        return AppointmentView.of(row)
    return None


async def known_caller(
    uow: UnitOfWork, tenant_id: uuid.UUID, phone: str | None
) -> KnownCaller | None:
    """The customer with this number and their next appointment (one query), if any."""
    if phone is None:
        return None
    async with uow.reading() as session:
        found = await appointment_rows.caller_with_next(session, tenant_id, phone, uow.clock())
    if found is None:
        return None
    return KnownCaller(
        customer_id=found.customer_id,
        name=found.name,
        next_starts_at=found.next_starts_at,
        next_service_id=found.next_service_id,
    )
