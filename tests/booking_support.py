"""Shared by the use-case tests: the demo's ids and a booking request (a module without tests)."""

from __future__ import annotations

import uuid

from tests.clock_support import at

from frontdesk import demo
from frontdesk.booking.customers import CustomerInput
from frontdesk.booking.service import BookingRequest
from frontdesk.domain.model import AppointmentSource

TENANT = demo.demo_id()
HERREN = demo.demo_id("service", "herrenhaarschnitt")
FAERBEN = demo.demo_id("service", "faerben")
BART = demo.demo_id("service", "bartpflege")
JONAS = demo.demo_id("staff", "jonas")
ANNA = demo.demo_id("staff", "anna")
ERIKA = CustomerInput(name="Erika Mustermann", phone="+49 151 12345678")


def request(service: uuid.UUID = HERREN, **overrides: object) -> BookingRequest:
    values: dict[str, object] = {
        "tenant_id": TENANT,
        "service_id": service,
        "start": at(1, 10),
        "customer": ERIKA,
        "source": AppointmentSource.API,
    }
    values.update(overrides)
    return BookingRequest(**values)  # type: ignore[arg-type]
