"""Calls and customers for the call and customer pages' tests: the demo's call that booked an
appointment (written the way the voice path writes it), a call without a booking, and another
tenant's call and customer (whose ids must give 404)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from tests.app_support import DEMO_KEY
from tests.clock_support import FakeClock, at
from tests.people_support import ERIKA_ID, Spoken, write_call
from tests.rest_support import ANNA, booking
from tests.web_support import WebApp

from frontdesk.db.engine import create_session_factory
from frontdesk.db.tables import Branch, Customer, Tenant

TRANSCRIPT = (
    "Agent: Salon Sonnenschein, guten Tag.\nKundin: Einen Haarschnitt morgen um zehn, bitte."
)
SUMMARY = "Die Kundin hat einen Herrenhaarschnitt gebucht."
OTHER_PHONE = "+4917099999999"


@dataclass(frozen=True, slots=True)
class SeededCalls:
    booked_call: uuid.UUID
    appointment: uuid.UUID
    quiet_call: uuid.UUID
    other_call: uuid.UUID
    other_customer: uuid.UUID


async def seed_calls(web: WebApp, db: AsyncEngine) -> SeededCalls:
    """Erika's call that booked 1 Dec 10:00 (via REST, linked as the voice path links it),
    a call without a booking an hour later, and the second tenant's call and customer."""
    body = booking(at(1, 10), staff_id=ANNA)
    body["customer"] = {"name": "Erika Mustermann", "phone": "+4915112345678"}
    headers = {"Authorization": f"Bearer {DEMO_KEY}"}
    response = await web.client.post("/api/v1/appointments", json=body, headers=headers)
    assert response.status_code == 201, response.text
    appointment = uuid.UUID(response.json()["id"])
    sessions = create_session_factory(db, FakeClock())
    booked_call = await write_call(
        sessions,
        "r-booked",
        started=at(1, 7),
        links=((appointment, "booked"),),
        customer_id=ERIKA_ID,
        spoken=Spoken(TRANSCRIPT, SUMMARY),
        answer="Ihr Termin ist gebucht.",
    )
    quiet_call = await write_call(sessions, "r-quiet", started=at(1, 7, 30), caller=None)
    async with sessions() as session:
        other = (await session.execute(select(Tenant).where(Tenant.slug == "other"))).scalar_one()
        branch = (
            await session.execute(select(Branch).where(Branch.tenant_id == other.id))
        ).scalar_one()
        customer = Customer(tenant_id=other.id, name="Otto Fremd", phone_e164=OTHER_PHONE)
        session.add(customer)
        await session.commit()
        other_customer = customer.id
    other_call = await write_call(
        sessions,
        "r-other",
        started=at(1, 7),
        tenant_id=other.id,
        branch_id=branch.id,
        caller=OTHER_PHONE,
        spoken=Spoken("Otto spricht.", "Otto rief an."),
    )
    return SeededCalls(booked_call, appointment, quiet_call, other_call, other_customer)
