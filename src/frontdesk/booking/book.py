"""Book: one appointment for a customer, or ``SlotUnavailable`` (with alternatives) and nothing
written. A repeat of the same booking (same customer, service and start, or the same
idempotency key) returns the existing appointment instead of a second one."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from datetime import datetime

from frontdesk.booking import customers, sync
from frontdesk.booking.catalog import BranchCatalog, ServiceInfo
from frontdesk.booking.customers import CustomerInput
from frontdesk.booking.unit_of_work import UnitOfWork, booked_event, check_staff, load
from frontdesk.booking.views import AppointmentView, BookingOutcome
from frontdesk.db.engine import DbSession
from frontdesk.db.errors import WriteRefused
from frontdesk.db.repositories import appointments as appointment_rows
from frontdesk.db.repositories import customers as customer_rows
from frontdesk.db.tables import Appointment, Customer
from frontdesk.domain import rules
from frontdesk.domain.errors import DomainError, SlotUnavailable
from frontdesk.domain.model import AppointmentSource, AppointmentStatus, ConsentChannel, SyncState
from frontdesk.observability.metrics import BOOKINGS
from frontdesk.resilience.deadline import Deadline, current_deadline

SMS_CONSENT_SOURCE = "asked when booking: agreed to SMS about appointments"


@dataclass(frozen=True, slots=True)
class BookingRequest:
    tenant_id: uuid.UUID
    service_id: uuid.UUID
    start: datetime
    customer: CustomerInput
    source: AppointmentSource
    staff_id: uuid.UUID | None = None
    notes: str | None = None
    idempotency_key: str | None = None
    call_id: uuid.UUID | None = None
    # A known customer picked from a search (the web app): booked as they are on record,
    # ``customer`` is then ignored. ``CustomerNotFound``/``CustomerErased`` otherwise.
    customer_id: uuid.UUID | None = None
    # The caller said yes when the agent asked whether they want SMS about this booking:
    # recorded as SMS consent (time, source) with the booking, in its transaction (ADR 0024).
    sms_consent: bool = False


async def book(uow: UnitOfWork, request: BookingRequest) -> BookingOutcome:
    """Book ``request`` or raise ``SlotUnavailable`` (with alternatives) and write nothing.
    Every attempt is counted by outcome, source and provider (the booking success rate)."""
    seen: list[str] = []
    try:
        outcome = await _book(uow, request, seen)
    except SlotUnavailable:
        _count("unavailable", request, seen)
        raise
    except DomainError:
        _count("rejected", request, seen)
        raise
    except Exception:
        _count("failed", request, seen)
        raise
    _count("duplicate" if outcome.duplicate else "booked", request, seen)
    return outcome


def _count(outcome: str, request: BookingRequest, seen: list[str]) -> None:
    provider = seen[0] if seen else "unknown"
    BOOKINGS.labels(outcome=outcome, source=request.source.value, provider=provider).inc()


async def _book(uow: UnitOfWork, request: BookingRequest, seen: list[str]) -> BookingOutcome:
    """``book`` itself; ``seen`` receives the branch's calendar provider once it is known."""
    start = rules.bookable_start(request.start)
    now = uow.clock()
    async with uow.writing() as session:
        catalog, service = await uow.catalog_for_service(
            session, request.tenant_id, request.service_id
        )
        seen.append(catalog.provider.value)
        check_staff(catalog, request.staff_id)
        given, existing = await _customer_of(session, request, catalog.phone_region)
        busy = await uow.busy_on_day(session, catalog, service, start)
        if existing is not None:
            duplicate = _same_booking(busy, existing.id, service.id, start)
            if duplicate is not None:
                row = await load(session, request.tenant_id, duplicate)
                replayed = request.idempotency_key is not None and (
                    row.idempotency_key == request.idempotency_key
                )
                return BookingOutcome(AppointmentView.of(row), True, replayed)
        check = await uow.check_start(session, catalog, service, start, busy, request.staff_id)
        if check.slot is None:
            raise await uow.unavailable(session, catalog, service, start, check, request.staff_id)
        customer = await customers.resolve(session, request.tenant_id, existing, given)
        row = Appointment(
            tenant_id=request.tenant_id,
            branch_id=catalog.branch_id,
            staff_id=check.slot.staff_id,
            service_id=service.id,
            customer_id=customer.id,
            starts_at=check.slot.start,
            ends_at=check.slot.end,
            # On an outside calendar the booking is ours only once the provider holds it.
            status=AppointmentStatus.PENDING if catalog.external else AppointmentStatus.CONFIRMED,
            source=request.source,
            sync_state=SyncState.LOCAL,
            idempotency_key=request.idempotency_key,
            notes=customers.note_for(given, existing, request.notes),
            price_cents=service.price_cents,
            call_id=request.call_id,
        )
        try:
            async with uow.guarded(session):
                await appointment_rows.add(session, row)
                if request.sms_consent and customer.phone_e164:
                    await customer_rows.add_consent(
                        session,
                        request.tenant_id,
                        customer.id,
                        channel=ConsentChannel.SMS,
                        granted=True,
                        source=SMS_CONSENT_SOURCE,
                        recorded_by=f"{request.source.value} booking",
                    )
                if catalog.external:
                    await sync.request_sync(session, row, now)
                else:
                    await uow.publish(session, booked_event(row))
                await uow.touch(
                    session, catalog, (row.starts_at, row.ends_at), provider_changed=False
                )
                await session.commit()
        except WriteRefused as refused:
            return await _after_conflict(uow, refused, request, catalog, service, start)
    if catalog.external:
        return await _write_through(uow, row, catalog, service, request.staff_id)
    return BookingOutcome(AppointmentView.of(row))


async def _customer_of(
    session: DbSession, request: BookingRequest, region: str
) -> tuple[CustomerInput, Customer | None]:
    """Who the booking is for: the picked customer, or the one the input's phone finds."""
    if request.customer_id is None:
        given = customers.normalised(request.customer, region)
        return given, await customers.find(session, request.tenant_id, given.phone)
    picked = await customers.known(session, request.tenant_id, request.customer_id)
    return CustomerInput(picked.name, picked.phone_e164, picked.email), picked


async def _write_through(
    uow: UnitOfWork,
    row: Appointment,
    catalog: BranchCatalog,
    service: ServiceInfo,
    staff_id: uuid.UUID | None,
) -> BookingOutcome:
    """The first attempt at the provider, within what is left of the caller's deadline. A
    refusal frees the time and offers alternatives; anything else is the booking as it now
    stands: synced, or pending with a job to finish it. The attempt runs as its own task: when
    the caller's time is up first, they hear "noted" and the attempt finishes behind them."""
    current = current_deadline()
    if current is None:
        deadline = Deadline.after(sync.INLINE_BUDGET.total_seconds(), time.monotonic)
        wait: float | None = None
    else:
        deadline = current.child(margin=sync.PROVIDER_MARGIN_S)
        wait = max(0.0, current.remaining() - sync.ANSWER_MARGIN_S)
    attempt = uow.spawn(
        sync.synchronise(uow, row.tenant_id, row.id, deadline=deadline, inline=True)
    )
    try:
        result = await asyncio.wait_for(asyncio.shield(attempt), timeout=wait)
    except TimeoutError:
        return BookingOutcome(AppointmentView.of(row))
    if result.outcome is sync.Outcome.TAKEN:
        raise await uow.taken(catalog, service, row.starts_at, staff_id)
    return BookingOutcome(result.view or AppointmentView.of(row))


async def _after_conflict(
    uow: UnitOfWork,
    refused: WriteRefused,
    request: BookingRequest,
    catalog: BranchCatalog,
    service: ServiceInfo,
    start: datetime,
) -> BookingOutcome:
    """A concurrent writer won: the same request (idempotency key) or the same time.

    The key is looked up whichever constraint fired: a retry racing its own first attempt
    may hit the no-overlap guard first, and is then a replay, not a taken slot.
    """
    if request.idempotency_key is not None:
        async with uow.reading() as session:
            earlier = await appointment_rows.by_idempotency_key(
                session, request.tenant_id, request.idempotency_key
            )
        if earlier is not None:
            return BookingOutcome(AppointmentView.of(earlier), duplicate=True, replayed=True)
    if refused.kind != "overlap":
        raise refused
    raise await uow.taken(catalog, service, start, request.staff_id)


def _same_booking(
    busy: list[appointment_rows.BusyRow],
    customer_id: uuid.UUID,
    service_id: uuid.UUID,
    start: datetime,
) -> uuid.UUID | None:
    for row in busy:
        if (row.customer_id, row.service_id, row.starts_at) == (customer_id, service_id, start):
            return row.id
    return None
