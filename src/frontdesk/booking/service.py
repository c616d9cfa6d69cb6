"""The booking use cases behind one object, as the API, voice and CLI reach them.

Each method is one use case in its own module (``find``, ``book``, ``reschedule``, ``cancel``,
``callers``) over the process's ``UnitOfWork``: one transaction, explicit commit, its domain
event written to the outbox before the commit (see ``unit_of_work``). Each method is a span of
its own when the process traces (``booking.<method>``, ADR 0023): the one place use cases are
traced, whichever surface (REST, voice, web app) calls them.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from frontdesk.booking import callers, find
from frontdesk.booking.attendance import mark_attendance
from frontdesk.booking.book import BookingRequest, book
from frontdesk.booking.cancel import cancel
from frontdesk.booking.catalog import BranchCatalog, CatalogCache
from frontdesk.booking.find import MAX_SEARCH_DAYS
from frontdesk.booking.reschedule import reschedule
from frontdesk.booking.unit_of_work import UnitOfWork, load
from frontdesk.booking.views import (
    AppointmentView,
    BookingOutcome,
    CancellationOutcome,
    KnownCaller,
    PeriodCheck,
    SlotSearch,
    TimeCheck,
)
from frontdesk.db.engine import SessionFactory
from frontdesk.db.errors import WriteRefused
from frontdesk.db.repositories.catalog import BranchRef
from frontdesk.domain.clock import Clock
from frontdesk.domain.errors import ConcurrentUpdate
from frontdesk.domain.model import AppointmentStatus
from frontdesk.observability.tracing import traced

if TYPE_CHECKING:
    from frontdesk.calendars.port import CalendarPorts

__all__ = ["MAX_SEARCH_DAYS", "BookingRequest", "BookingService"]


class BookingService:
    """Find, book, move and cancel appointments of the built-in calendar."""

    def __init__(
        self,
        sessions: SessionFactory,
        catalogs: CatalogCache | None = None,
        *,
        clock: Clock,
        calendars: CalendarPorts | None = None,
    ) -> None:
        self.uow = UnitOfWork(sessions, catalogs, clock=clock, calendars=calendars)

    # -- reading -----------------------------------------------------------------------------

    @traced("booking.catalog")
    async def catalog(self, branch: BranchRef) -> BranchCatalog:
        """The branch's current catalogue (cached; one version lookup)."""
        async with self.uow.reading() as session:
            return await self.uow.catalog(session, branch)

    @traced("booking.find_slots")
    async def find_slots(
        self,
        tenant_id: uuid.UUID,
        service_id: uuid.UUID,
        first_day: date | None = None,
        days: int = 14,
        staff_id: uuid.UUID | None = None,
    ) -> SlotSearch:
        return await find.find_slots(self.uow, tenant_id, service_id, first_day, days, staff_id)

    @traced("booking.check_start")
    async def check_start(
        self,
        tenant_id: uuid.UUID,
        service_id: uuid.UUID,
        start: datetime,
        staff_id: uuid.UUID | None = None,
    ) -> TimeCheck:
        return await find.check_start(self.uow, tenant_id, service_id, start, staff_id)

    @traced("booking.find_in_period")
    async def find_in_period(
        self,
        tenant_id: uuid.UUID,
        service_id: uuid.UUID,
        first: date,
        last: date,
        earliest: time | None = None,
        latest: time | None = None,
        staff_id: uuid.UUID | None = None,
    ) -> PeriodCheck:
        return await find.find_in_period(
            self.uow, tenant_id, service_id, first, last, earliest, latest, staff_id
        )

    @traced("booking.get")
    async def get(self, tenant_id: uuid.UUID, appointment_id: uuid.UUID) -> AppointmentView:
        async with self.uow.reading() as session:
            return AppointmentView.of(await load(session, tenant_id, appointment_id))

    @traced("booking.find_for_customer")
    async def find_for_customer(
        self, tenant_id: uuid.UUID, phone_e164: str, limit: int = 10
    ) -> list[AppointmentView]:
        return await callers.find_for_customer(self.uow, tenant_id, phone_e164, limit)

    @traced("booking.visible_to")
    async def visible_to(self, caller: callers.PhoneCaller) -> list[AppointmentView]:
        return await callers.visible(self.uow, caller)

    @traced("booking.changeable_by")
    async def changeable_by(
        self, caller: callers.PhoneCaller, appointment_id: uuid.UUID
    ) -> AppointmentView | None:
        return await callers.changeable(self.uow, caller, appointment_id)

    @traced("booking.known_caller")
    async def known_caller(self, tenant_id: uuid.UUID, phone: str | None) -> KnownCaller | None:
        return await callers.known_caller(self.uow, tenant_id, phone)

    # -- writing -----------------------------------------------------------------------------

    @traced("booking.book")
    async def book(self, request: BookingRequest) -> BookingOutcome:
        return await book(self.uow, request)

    @traced("booking.reschedule")
    async def reschedule(
        self,
        tenant_id: uuid.UUID,
        appointment_id: uuid.UUID,
        new_start: datetime,
        staff_id: uuid.UUID | None = None,
        expected_version: int | None = None,
        actor: str | None = None,
    ) -> AppointmentView:
        return await reschedule(
            self.uow, tenant_id, appointment_id, new_start, staff_id, expected_version, actor
        )

    @traced("booking.cancel")
    async def cancel(
        self,
        tenant_id: uuid.UUID,
        appointment_id: uuid.UUID,
        reason: str | None = None,
        expected_version: int | None = None,
        accept_fee: bool = True,
        actor: str | None = None,
    ) -> CancellationOutcome:
        return await cancel(
            self.uow, tenant_id, appointment_id, reason, expected_version, accept_fee, actor
        )

    @traced("booking.mark_attendance")
    async def mark_attendance(
        self,
        tenant_id: uuid.UUID,
        appointment_id: uuid.UUID,
        status: AppointmentStatus,
        actor: str,
        expected_version: int | None = None,
    ) -> AppointmentView:
        """Completed or no-show, after the appointment began (audited; see ``attendance``)."""
        return await mark_attendance(
            self.uow, tenant_id, appointment_id, status, actor, expected_version
        )

    @traced("booking.update_notes")
    async def update_notes(
        self,
        tenant_id: uuid.UUID,
        appointment_id: uuid.UUID,
        notes: str,
        expected_version: int | None = None,
    ) -> AppointmentView:
        """Change an appointment's notes (no effect on time, so no event)."""
        async with self.uow.writing() as session:
            row = await load(session, tenant_id, appointment_id)
            if expected_version is not None and row.version != expected_version:
                raise ConcurrentUpdate(f"the appointment is at version {row.version}")
            row.notes = notes
            try:
                await self.uow.commit(session)
            except WriteRefused as refused:
                raise ConcurrentUpdate("the appointment was changed meanwhile") from refused
        return AppointmentView.of(row)
