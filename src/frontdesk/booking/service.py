"""The booking use cases. Each is one unit of work: one transaction, explicit commit, its
domain event written to the outbox before the commit.

The availability check before a write gives good answers (why not, and what instead); the
database's no-overlap guard is the final arbiter, and its refusal becomes ``SlotUnavailable``
with code ``slot_taken`` and alternatives, never an error.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from frontdesk import availability
from frontdesk.booking import customers
from frontdesk.booking.busydays import BusyDays, day_window, days_touched
from frontdesk.booking.catalog import (
    BranchCatalog,
    CatalogCache,
    LruCache,
    ServiceInfo,
    busy_by_staff,
)
from frontdesk.booking.customers import CustomerInput
from frontdesk.booking.policy import cancellation_terms
from frontdesk.booking.views import (
    AppointmentView,
    BookingOutcome,
    CancellationOutcome,
    SlotSearch,
    SlotView,
)
from frontdesk.db.engine import reading
from frontdesk.db.errors import is_overlap_violation
from frontdesk.db.repositories import appointments as appointment_rows
from frontdesk.db.repositories import catalog as catalog_rows
from frontdesk.db.repositories.catalog import BranchRef
from frontdesk.db.tables import Appointment
from frontdesk.domain import rules
from frontdesk.domain.errors import (
    AlreadyCancelled,
    Alternative,
    AppointmentNotFound,
    ConcurrentUpdate,
    InvalidRequest,
    NotChangeable,
    SlotUnavailable,
    TooLateToCancel,
    UnknownService,
    UnknownStaff,
)
from frontdesk.domain.events import (
    AppointmentBooked,
    AppointmentCancelled,
    AppointmentRescheduled,
    DomainEvent,
)
from frontdesk.domain.model import AppointmentSource, AppointmentStatus, SyncState
from frontdesk.domain.time import utcnow
from frontdesk.jobs.queue import enqueue

MAX_SEARCH_DAYS = 60
# One day of one search per entry, kept per process; keyed by day and catalogue versions, so
# never stale (ADR 0007).
SLOT_CACHE_SIZE = 8192
ALTERNATIVE_SEARCH_DAYS = 7
_ACTIVE = (AppointmentStatus.CONFIRMED, AppointmentStatus.PENDING)

_REASON_TEXT = {
    "slot_taken": "The requested time is already booked.",
    "taken": "The requested time is already booked.",
    "outside_hours": "Nobody who offers this service works at that time.",
    "too_soon": "The requested time is inside the service's minimum notice.",
    "beyond_horizon": "The requested time is beyond the booking horizon.",
    "in_past": "The requested time is in the past.",
    "staff_cannot_perform": "The requested staff member does not offer this service.",
}


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


class BookingService:
    """Find, book, move and cancel appointments of the built-in calendar."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        catalogs: CatalogCache | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._catalogs = catalogs or CatalogCache()
        self._slots: LruCache[tuple[object, ...], list[SlotView]] = LruCache(SLOT_CACHE_SIZE)
        self._busy_days = BusyDays()
        self._clock = clock

    # -- reading -----------------------------------------------------------------------------

    async def catalog_for_service(
        self, session: AsyncSession, tenant_id: uuid.UUID, service_id: uuid.UUID
    ) -> tuple[BranchCatalog, ServiceInfo]:
        ref = await self._branch_of(session, tenant_id, service_id)
        catalog = await self._catalogs.get(session, ref, self._clock())
        return catalog, catalog.services[service_id]

    async def _branch_of(
        self, session: AsyncSession, tenant_id: uuid.UUID, service_id: uuid.UUID
    ) -> BranchRef:
        ref = await catalog_rows.branch_of_service(session, tenant_id, service_id)
        if ref is None:
            raise UnknownService(f"no service {service_id} for this tenant")
        return ref

    async def find_slots(
        self,
        tenant_id: uuid.UUID,
        service_id: uuid.UUID,
        first_day: date | None = None,
        days: int = 14,
        staff_id: uuid.UUID | None = None,
    ) -> SlotSearch:
        """Free starts for a service over ``days`` local days from ``first_day`` (default today)."""
        if not 1 <= days <= MAX_SEARCH_DAYS:
            raise InvalidRequest(f"days must be between 1 and {MAX_SEARCH_DAYS}")
        # Whole minutes: results can then be shared for a minute (the booking re-checks anyway).
        now = self._clock().replace(second=0, microsecond=0)
        # The branch's zone is known only after the read: without a first day, read the versions
        # of one more day on each side of the UTC dates, which covers every zone.
        lo = first_day or now.date() - timedelta(days=1)
        hi = lo + timedelta(days=days + (0 if first_day else 1))
        async with reading(self._sessions) as session:
            found = await catalog_rows.branch_and_day_versions(
                session, tenant_id, service_id, lo, hi
            )
            if found is None:
                raise UnknownService(f"no service {service_id} for this tenant")
            ref, versions = found
            catalog = await self._catalogs.get(session, ref, now)
            service = catalog.services[service_id]
            _check_staff(catalog, staff_id)
            first = first_day or now.astimezone(catalog.tz).date()
            last = first + timedelta(days=days - 1)
            days_busy = await self._busy_days.days(session, catalog, first, last, versions)
        views: list[SlotView] = []
        for day, version, busy in days_busy:
            views.extend(self._day_slots(ref, catalog, service, staff_id, day, version, busy, now))
        return SlotSearch(first, days, views)

    def _day_slots(
        self,
        ref: BranchRef,
        catalog: BranchCatalog,
        service: ServiceInfo,
        staff_id: uuid.UUID | None,
        day: date,
        version: int,
        busy: Mapping[uuid.UUID, Sequence[availability.Interval]],
        now: datetime,
    ) -> list[SlotView]:
        """One day's slots, cached under the day's version: the engine's result for a range is
        the concatenation of its days' results (a property the engine's tests assert), so after
        a booking only that day is searched again."""
        key = (ref, service.id, staff_id, day, version, _moment_key(catalog, service, day, now))
        cached = self._slots.get(key)
        if cached is not None:
            return cached
        slots = availability.find_slots(
            catalog.rules,
            service.rules,
            catalog.calendars(service.rules.staff_ids, busy),
            day,
            day,
            now,
            preferred_staff=staff_id,
        )
        views = [_slot_view(catalog, service, slot) for slot in slots]
        self._slots.put(key, views)
        return views

    async def get(self, tenant_id: uuid.UUID, appointment_id: uuid.UUID) -> AppointmentView:
        async with reading(self._sessions) as session:
            return AppointmentView.of(await _load(session, tenant_id, appointment_id))

    async def find_for_customer(
        self, tenant_id: uuid.UUID, phone_e164: str, limit: int = 10
    ) -> list[AppointmentView]:
        """The customer's upcoming active appointments, soonest first."""
        async with reading(self._sessions) as session:
            rows = await appointment_rows.upcoming_for_phone(
                session, tenant_id, phone_e164, self._clock(), limit
            )
        return [AppointmentView.of(row) for row in rows]

    # -- writing -----------------------------------------------------------------------------

    async def book(self, request: BookingRequest) -> BookingOutcome:
        """Book ``request`` or raise ``SlotUnavailable`` (with alternatives) and write nothing."""
        start = _utc(request.start)
        now = self._clock()
        async with self._sessions() as session:
            catalog, service = await self.catalog_for_service(
                session, request.tenant_id, request.service_id
            )
            _check_staff(catalog, request.staff_id)
            given = _normalised(request.customer, catalog.phone_region)
            existing = await customers.find(session, request.tenant_id, given.phone)
            busy = await self._busy_on_day(session, catalog, service, start)
            if existing is not None:
                duplicate = _same_booking(busy, existing.id, service.id, start)
                if duplicate is not None:
                    row = await _load(session, request.tenant_id, duplicate)
                    replayed = _has_key(row, request.idempotency_key)
                    return BookingOutcome(AppointmentView.of(row), True, replayed)
            check = availability.check_start(
                catalog.rules,
                service.rules,
                catalog.calendars(service.rules.staff_ids, busy_by_staff(busy)),
                start,
                now,
                preferred_staff=request.staff_id,
            )
            if check.slot is None:
                raise await self._unavailable(session, catalog, service, start, check, request)
            customer = await customers.resolve(session, request.tenant_id, existing, given)
            row = Appointment(
                tenant_id=request.tenant_id,
                branch_id=catalog.branch_id,
                staff_id=check.slot.staff_id,
                service_id=service.id,
                customer_id=customer.id,
                starts_at=check.slot.start,
                ends_at=check.slot.end,
                status=AppointmentStatus.CONFIRMED,
                source=request.source,
                sync_state=SyncState.LOCAL,
                idempotency_key=request.idempotency_key,
                notes=customers.note_for(given, existing, request.notes),
                price_cents=service.price_cents,
                call_id=request.call_id,
            )
            try:
                await appointment_rows.add(session, row)
                await self._publish(session, _booked(row))
                await self._touch(session, catalog, (row.starts_at, row.ends_at))
                await session.commit()
            except IntegrityError as exc:
                await session.rollback()
                return await self._after_conflict(exc, request, catalog, service, start)
        return BookingOutcome(AppointmentView.of(row))

    async def reschedule(
        self,
        tenant_id: uuid.UUID,
        appointment_id: uuid.UUID,
        new_start: datetime,
        staff_id: uuid.UUID | None = None,
        expected_version: int | None = None,
    ) -> AppointmentView:
        """Move an appointment atomically: either the new time is booked or nothing changes."""
        start = _utc(new_start)
        now = self._clock()
        async with self._sessions() as session:
            row, catalog, service = await self._load_for_change(session, tenant_id, appointment_id)
            _check_changeable(row, now, expected_version)
            _check_staff(catalog, staff_id)
            busy = [
                b
                for b in await self._busy_on_day(session, catalog, service, start)
                if b.id != row.id
            ]
            calendars = catalog.calendars(service.rules.staff_ids, busy_by_staff(busy))
            check = availability.check_start(
                catalog.rules, service.rules, calendars, start, now, staff_id or row.staff_id
            )
            if check.slot is None and staff_id is None:
                # The current staff member is busy then; anyone who offers the service will do.
                check = availability.check_start(
                    catalog.rules, service.rules, calendars, start, now
                )
            if check.slot is None:
                raise await self._unavailable(
                    session, catalog, service, start, check, None, exclude=row.id
                )
            previous = row.starts_at
            old_span = (row.starts_at, row.ends_at)
            row.starts_at, row.ends_at = check.slot.start, check.slot.end
            row.staff_id = check.slot.staff_id
            try:
                await session.flush()
                await self._publish(session, _rescheduled(row, previous))
                await self._touch(session, catalog, old_span, (row.starts_at, row.ends_at))
                await session.commit()
            except StaleDataError as exc:
                raise ConcurrentUpdate("the appointment was changed meanwhile") from exc
            except IntegrityError as exc:
                await session.rollback()
                if not is_overlap_violation(exc):
                    raise
                raise await self._taken(catalog, service, start, exclude=row.id) from exc
        return AppointmentView.of(row)

    async def cancel(
        self,
        tenant_id: uuid.UUID,
        appointment_id: uuid.UUID,
        reason: str | None = None,
        expected_version: int | None = None,
    ) -> CancellationOutcome:
        """Cancel under the service's policy; the fee it implies is recorded and returned."""
        now = self._clock()
        async with self._sessions() as session:
            row, catalog, service = await self._load_for_change(session, tenant_id, appointment_id)
            _check_changeable(row, now, expected_version)
            terms = cancellation_terms(service.cancellation_policy, row.starts_at - now)
            if not terms.allowed:
                minutes = int(terms.min_notice.total_seconds() // 60)
                raise TooLateToCancel(
                    f"cancellations need {minutes} minutes notice; please call the business"
                )
            row.status = AppointmentStatus.CANCELLED
            row.cancelled_at = now
            row.cancellation_reason = reason
            row.cancellation_fee_cents = terms.fee_cents
            try:
                await session.flush()
                await self._publish(session, _cancelled(row, terms.fee_cents))
                await self._touch(session, catalog, (row.starts_at, row.ends_at))
                await session.commit()
            except StaleDataError as exc:
                raise ConcurrentUpdate("the appointment was changed meanwhile") from exc
        return CancellationOutcome(AppointmentView.of(row), terms.fee_cents)

    async def update_notes(
        self,
        tenant_id: uuid.UUID,
        appointment_id: uuid.UUID,
        notes: str,
        expected_version: int | None = None,
    ) -> AppointmentView:
        """Change an appointment's notes (no effect on time, so no event)."""
        async with self._sessions() as session:
            row = await _load(session, tenant_id, appointment_id)
            if expected_version is not None and row.version != expected_version:
                raise ConcurrentUpdate(f"the appointment is at version {row.version}")
            row.notes = notes
            try:
                await session.commit()
            except StaleDataError as exc:
                raise ConcurrentUpdate("the appointment was changed meanwhile") from exc
        return AppointmentView.of(row)

    # -- helpers -----------------------------------------------------------------------------

    async def _load_for_change(
        self, session: AsyncSession, tenant_id: uuid.UUID, appointment_id: uuid.UUID
    ) -> tuple[Appointment, BranchCatalog, ServiceInfo]:
        """The appointment with its branch's current catalogue and its service (one query when
        the catalogue is cached)."""
        found = await appointment_rows.get_with_branch(session, tenant_id, appointment_id)
        if found is None:
            raise AppointmentNotFound(f"no appointment {appointment_id}")
        row, ref = found
        catalog = await self._catalogs.get(session, ref, self._clock())
        service = catalog.services.get(row.service_id)
        if service is None:
            raise UnknownService(f"service {row.service_id} is no longer offered")
        return row, catalog, service

    async def _busy_on_day(
        self, session: AsyncSession, catalog: BranchCatalog, service: ServiceInfo, start: datetime
    ) -> list[appointment_rows.BusyRow]:
        """Active appointments of the service's staff on the local day of ``start``."""
        day = start.astimezone(catalog.tz).date()
        lo, hi = _day_bounds(catalog, day, day)
        return await appointment_rows.busy(session, service.rules.staff_ids, lo, hi)

    async def _search(
        self,
        session: AsyncSession,
        catalog: BranchCatalog,
        service: ServiceInfo,
        first: date,
        last: date,
        now: datetime,
        staff_id: uuid.UUID | None,
        exclude: uuid.UUID | None = None,
    ) -> list[availability.Slot]:
        lo, hi = _day_bounds(catalog, first, last)
        busy = await appointment_rows.busy_spans(session, service.rules.staff_ids, lo, hi, exclude)
        return availability.find_slots(
            catalog.rules,
            service.rules,
            catalog.calendars(service.rules.staff_ids, busy_by_staff(busy)),
            first,
            last,
            now,
            preferred_staff=staff_id,
        )

    async def _alternatives(
        self,
        session: AsyncSession,
        catalog: BranchCatalog,
        service: ServiceInfo,
        start: datetime,
        staff_id: uuid.UUID | None,
        exclude: uuid.UUID | None = None,
    ) -> list[Alternative]:
        now = self._clock()
        first = max(start, now).astimezone(catalog.tz).date()
        last = first + timedelta(days=ALTERNATIVE_SEARCH_DAYS - 1)
        slots = await self._search(session, catalog, service, first, last, now, staff_id, exclude)
        picked = availability.alternatives(start, slots, tz=catalog.tz)
        return [Alternative(s.start, s.end, s.staff_id) for s in picked]

    async def _unavailable(
        self,
        session: AsyncSession,
        catalog: BranchCatalog,
        service: ServiceInfo,
        start: datetime,
        check: availability.CheckResult,
        request: BookingRequest | None,
        exclude: uuid.UUID | None = None,
    ) -> SlotUnavailable:
        reason = (
            "slot_taken" if check.reason is availability.Unavailable.TAKEN else str(check.reason)
        )
        staff_id = request.staff_id if request is not None else None
        options = await self._alternatives(session, catalog, service, start, staff_id, exclude)
        detail = _REASON_TEXT.get(reason, "The requested time is not available.")
        if check.holiday:
            detail = f"The branch is closed on that day ({check.holiday})."
        return SlotUnavailable(reason, detail, options, holiday=check.holiday)

    async def _taken(
        self,
        catalog: BranchCatalog,
        service: ServiceInfo,
        start: datetime,
        staff_id: uuid.UUID | None = None,
        exclude: uuid.UUID | None = None,
    ) -> SlotUnavailable:
        async with reading(self._sessions) as session:
            options = await self._alternatives(session, catalog, service, start, staff_id, exclude)
        return SlotUnavailable("slot_taken", _REASON_TEXT["slot_taken"], options)

    async def _after_conflict(
        self,
        exc: IntegrityError,
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
            async with reading(self._sessions) as session:
                earlier = await appointment_rows.by_idempotency_key(
                    session, request.tenant_id, request.idempotency_key
                )
            if earlier is not None:
                return BookingOutcome(AppointmentView.of(earlier), duplicate=True, replayed=True)
        if not is_overlap_violation(exc):
            raise exc
        raise await self._taken(catalog, service, start, request.staff_id)

    async def _touch(
        self, session: AsyncSession, catalog: BranchCatalog, *spans: tuple[datetime, datetime]
    ) -> None:
        """Bump the versions of the days these appointment times touch (last, before commit,
        so the day rows stay locked only briefly)."""
        days = days_touched(catalog, spans)
        await catalog_rows.bump_booking_days(session, catalog.tenant_id, catalog.branch_id, days)

    async def _publish(self, session: AsyncSession, event: DomainEvent) -> None:
        await enqueue(session, event.kind, event.payload(), tenant_id=event.tenant_id)


def _normalised(customer: CustomerInput, region: str) -> CustomerInput:
    return customers.normalised(customer, region)


def _utc(value: datetime) -> datetime:
    return rules.bookable_start(value)


def _day_bounds(catalog: BranchCatalog, first: date, last: date) -> tuple[datetime, datetime]:
    """UTC bounds of the local days ``first..last``, widened by the largest buffer."""
    return day_window(catalog, first)[0], day_window(catalog, last)[1]


def _moment_key(
    catalog: BranchCatalog, service: ServiceInfo, day: date, now: datetime
) -> datetime | None:
    """What of ``now`` a day's slots depend on: nothing when the whole day lies between the
    minimum notice and the horizon (most days), else the minute. Such days' results then stay
    cached until the day's version changes, instead of for one minute."""
    lo, hi = day_window(catalog, day)
    if now + service.rules.min_notice <= lo and hi <= now + service.rules.horizon:
        return None
    return now


def _check_staff(catalog: BranchCatalog, staff_id: uuid.UUID | None) -> None:
    if staff_id is not None and staff_id not in catalog.staff:
        raise UnknownStaff(f"no staff member {staff_id} in this branch")


def _check_changeable(row: Appointment, now: datetime, expected_version: int | None) -> None:
    if row.status is AppointmentStatus.CANCELLED:
        raise AlreadyCancelled("the appointment is already cancelled")
    if row.status not in _ACTIVE or row.starts_at <= now:
        raise NotChangeable("the appointment has started or is over")
    if expected_version is not None and row.version != expected_version:
        raise ConcurrentUpdate(f"the appointment is at version {row.version}")


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


def _has_key(row: Appointment, key: str | None) -> bool:
    return key is not None and row.idempotency_key == key


async def _load(
    session: AsyncSession, tenant_id: uuid.UUID, appointment_id: uuid.UUID
) -> Appointment:
    row = await appointment_rows.get(session, tenant_id, appointment_id)
    if row is None:
        raise AppointmentNotFound(f"no appointment {appointment_id}")
    return row


def _slot_view(catalog: BranchCatalog, service: ServiceInfo, slot: availability.Slot) -> SlotView:
    return SlotView(
        start=slot.start,
        end=slot.end,
        staff_id=slot.staff_id,
        staff_name=catalog.staff[slot.staff_id].name,
        service_id=service.id,
        service_name=service.name,
    )


def _booked(row: Appointment) -> AppointmentBooked:
    return AppointmentBooked(
        tenant_id=row.tenant_id,
        appointment_id=row.id,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        staff_id=row.staff_id,
        service_id=row.service_id,
        customer_id=row.customer_id,
    )


def _rescheduled(row: Appointment, previous: datetime) -> AppointmentRescheduled:
    return AppointmentRescheduled(
        tenant_id=row.tenant_id,
        appointment_id=row.id,
        previous_starts_at=previous,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        staff_id=row.staff_id,
        version=row.version,
    )


def _cancelled(row: Appointment, fee_cents: int) -> AppointmentCancelled:
    return AppointmentCancelled(
        tenant_id=row.tenant_id,
        appointment_id=row.id,
        starts_at=row.starts_at,
        fee_cents=fee_cents,
        version=row.version,
    )
