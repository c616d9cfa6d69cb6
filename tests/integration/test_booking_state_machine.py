"""A hypothesis state machine drives book / reschedule / cancel against a simple model.

Whatever sequence of operations, no two active appointments of one staff member overlap, a
failed move leaves the appointment where it was, and the database always equals the model.
"""

from __future__ import annotations

import asyncio
import itertools
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, invariant, rule
from sqlalchemy import delete, select
from tests.clock_support import NOW, FakeClock, at
from tests.services_support import create_database_url, drop_database_url

from frontdesk import demo
from frontdesk.booking.customers import CustomerInput
from frontdesk.booking.service import BookingRequest, BookingService
from frontdesk.db.engine import create_engine, create_session_factory
from frontdesk.db.migrate import upgrade_engine
from frontdesk.db.seed import seed_demo
from frontdesk.db.tables import Appointment, AuditLog, Customer, Job
from frontdesk.domain.errors import AlreadyCancelled, NotChangeable, SlotUnavailable
from frontdesk.domain.model import AppointmentSource, AppointmentStatus

SERVICES = [demo.demo_id("service", key) for key in ("herrenhaarschnitt", "bartpflege", "faerben")]
STAFF = [None, *(demo.demo_id("staff", key) for key in ("anna", "jonas", "mia"))]
TENANT = demo.demo_id()


@dataclass
class Booked:
    id: uuid.UUID
    staff_id: uuid.UUID
    start: datetime
    end: datetime


starts = st.builds(
    lambda day, quarter: at(day, 9) + timedelta(minutes=15 * quarter),
    st.integers(min_value=1, max_value=3),
    st.integers(min_value=0, max_value=35),
)


class BookingMachine(RuleBasedStateMachine):
    loop: asyncio.AbstractEventLoop
    service: BookingService

    appointments = Bundle("appointments")

    def __init__(self) -> None:
        super().__init__()
        self.model: dict[uuid.UUID, Booked] = {}
        self.callers = 0
        self.run(self._reset())

    def run(self, coro):  # type: ignore[no-untyped-def]
        return self.loop.run_until_complete(coro)

    async def _reset(self) -> None:
        async with self.service.uow.sessions() as session:
            for table in (AuditLog, Job, Appointment, Customer):
                await session.execute(delete(table).where(table.tenant_id == TENANT))
            await session.commit()

    @rule(
        target=appointments,
        service=st.sampled_from(SERVICES),
        start=starts,
        staff=st.sampled_from(STAFF),
    )
    def book(
        self, service: uuid.UUID, start: datetime, staff: uuid.UUID | None
    ) -> uuid.UUID | None:
        self.callers += 1
        request = BookingRequest(
            tenant_id=TENANT,
            service_id=service,
            start=start,
            customer=CustomerInput(f"Caller {self.callers}", f"+49170{self.callers:07d}"),
            source=AppointmentSource.API,
            staff_id=staff,
        )
        try:
            outcome = self.run(self.service.book(request))
        except SlotUnavailable:
            return None
        view = outcome.appointment
        assert not outcome.duplicate
        self.model[view.id] = Booked(view.id, view.staff_id, view.start, view.end)
        return view.id

    @rule(appointment=appointments, start=starts)
    def reschedule(self, appointment: uuid.UUID | None, start: datetime) -> None:
        if appointment is None or appointment not in self.model:
            return
        try:
            view = self.run(self.service.reschedule(TENANT, appointment, start))
        except SlotUnavailable:
            return
        self.model[appointment] = Booked(view.id, view.staff_id, view.start, view.end)

    @rule(appointment=consumes(appointments))
    def cancel(self, appointment: uuid.UUID | None) -> None:
        if appointment is None:
            return
        try:
            self.run(self.service.cancel(TENANT, appointment))
        except (AlreadyCancelled, NotChangeable):
            assert appointment not in self.model
            return
        del self.model[appointment]

    @invariant()
    def database_equals_model_and_never_overlaps(self) -> None:
        active = self.run(self._active())
        assert {a.id: (a.staff_id, a.start, a.end) for a in active} == {
            b.id: (b.staff_id, b.start, b.end) for b in self.model.values()
        }
        by_staff: dict[uuid.UUID, list[Booked]] = {}
        for booked in active:
            by_staff.setdefault(booked.staff_id, []).append(booked)
        for items in by_staff.values():
            items.sort(key=lambda b: b.start)
            for earlier, later in itertools.pairwise(items):
                assert earlier.end <= later.start

    async def _active(self) -> list[Booked]:
        async with self.service.uow.sessions() as session:
            rows = (
                await session.execute(
                    select(Appointment).where(Appointment.status != AppointmentStatus.CANCELLED)
                )
            ).scalars()
            return [Booked(r.id, r.staff_id, r.starts_at, r.ends_at) for r in rows]


@pytest.mark.parametrize(
    "dialect", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_booking_state_machine(dialect: str, tmp_path: Path) -> None:
    loop = asyncio.new_event_loop()
    url = create_database_url(dialect, tmp_path)
    engine = create_engine(url)
    try:
        sessions = create_session_factory(engine, FakeClock())

        async def prepare() -> None:
            await upgrade_engine(engine)
            async with sessions() as session:
                await seed_demo(session, api_key="fd_machine", password="pw")

        loop.run_until_complete(prepare())
        BookingMachine.loop = loop
        BookingMachine.service = BookingService(sessions, clock=lambda: NOW)
        BookingMachine.TestCase.settings = settings(
            max_examples=20,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        )
        BookingMachine.TestCase().runTest()
    finally:
        loop.run_until_complete(engine.dispose())
        loop.close()
        drop_database_url(url)
