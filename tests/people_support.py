"""Calls and customers for the call-list, customer and privacy tests (a module without tests).

Calls are written the way the voice path writes them: the call log's event upsert and a batch
of function records (``booking.call_log``), never rows made up by hand.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tests.booking_support import TENANT

from frontdesk import demo
from frontdesk.booking.call_log import CallLog, FunctionEntry, FunctionRecord
from frontdesk.booking.unit_of_work import UnitOfWork
from frontdesk.db.tables import Branch, Customer, Tenant
from frontdesk.domain.clock import Clock
from frontdesk.voice.calls import call_id_for

BRANCH = demo.demo_id("branch", "mitte")
ERIKA_ID = demo.demo_id("customer", "erika")
ERIKA_PHONE = "+4915112345678"


@dataclass(frozen=True, slots=True)
class Spoken:
    """What a test call said: its transcript and summary (searched for after erasure)."""

    transcript: str
    summary: str


def call_values(
    retell_id: str,
    *,
    started: datetime,
    caller: str | None = ERIKA_PHONE,
    tenant_id: uuid.UUID = TENANT,
    branch_id: uuid.UUID | None = BRANCH,
    spoken: Spoken | None = None,
) -> dict[str, object]:
    """The ``call`` row values a ``call_analyzed`` event would carry."""
    values: dict[str, object] = {
        "id": call_id_for(tenant_id, retell_id),
        "retell_call_id": retell_id,
        "tenant_id": tenant_id,
        "branch_id": branch_id,
        "from_number": caller,
        "to_number": demo.PHONE_NUMBER,
        "call_status": "ended",
        "started_at": started,
        "ended_at": started + timedelta(minutes=2),
        "duration_ms": 120_000,
    }
    if spoken is not None:
        values.update(
            transcript=spoken.transcript,
            summary=spoken.summary,
            sentiment="Positive",
            analysis={"call_summary": spoken.summary, "custom": {"name": spoken.summary}},
        )
    return values


async def write_call(
    sessions: async_sessionmaker[AsyncSession],
    retell_id: str,
    *,
    started: datetime,
    links: tuple[tuple[uuid.UUID, str], ...] = (),
    customer_id: uuid.UUID | None = None,
    arguments: dict[str, object] | None = None,
    answer: str = "Gern, ich schaue nach.",
    answered_after: timedelta = timedelta(seconds=30),
    **kwargs: object,
) -> uuid.UUID:
    """A call through the call log: its event, then one function record (with ``links``)."""
    log = CallLog(sessions)
    values = call_values(retell_id, started=started, **kwargs)  # type: ignore[arg-type]
    await log.record_event(values)
    call_id = values["id"]
    assert isinstance(call_id, uuid.UUID)
    tenant_id = values["tenant_id"]
    assert isinstance(tenant_id, uuid.UUID)
    record = FunctionRecord(
        name="book_appointment" if links else "check_availability",
        arguments=arguments or {"service": "Herrenhaarschnitt"},
        status="booked" if links else "available",
        latency_ms=321,
        answered_at=started + answered_after,
        answer=answer,
        links=links,
        customer_id=customer_id,
    )
    await log.record_functions([FunctionEntry(tenant_id, call_id, record)])
    return call_id


async def other_tenant(session: AsyncSession) -> tuple[uuid.UUID, uuid.UUID]:
    """A second tenant with one branch and one customer: (tenant id, customer id)."""
    tenant = Tenant(slug="other", name="Other")
    session.add(tenant)
    await session.flush()
    session.add(Branch(tenant_id=tenant.id, name="Main", timezone="Europe/Berlin"))
    customer = Customer(tenant_id=tenant.id, name="Otto Fremd", phone_e164="+4917099999999")
    session.add(customer)
    await session.commit()
    return tenant.id, customer.id


def unit(sessions: async_sessionmaker[AsyncSession], clock: Clock) -> UnitOfWork:
    return UnitOfWork(sessions, clock=clock)
