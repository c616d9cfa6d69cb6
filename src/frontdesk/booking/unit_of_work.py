"""What the booking use cases share: sessions, the clock, the caches and the steps of a write.

Each use case (``find``, ``book``, ``reschedule``, ``cancel``, ``callers``) is a function over a
``UnitOfWork``: it opens one transaction (or one read-only session), reads through the
repositories, asks the pure engine, writes, publishes its event to the outbox and commits
explicitly. The availability check before a write gives good answers (why not, and what
instead); the database's no-overlap guard is the final arbiter.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Collection, Coroutine
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from frontdesk import availability
from frontdesk.booking.busydays import BusyDays, DayMirror, day_window, days_touched
from frontdesk.booking.catalog import BranchCatalog, CatalogCache, ServiceInfo, busy_by_staff
from frontdesk.booking.external import day_known, host_offers
from frontdesk.booking.views import SlotView
from frontdesk.cache.memory import LruCache
from frontdesk.calendars.mirror import request_refresh
from frontdesk.db.engine import DbSession, SessionFactory, reading
from frontdesk.db.errors import WriteRefused, refusals
from frontdesk.db.repositories import appointments as appointment_rows
from frontdesk.db.repositories import catalog as catalog_rows
from frontdesk.db.repositories import mirror as mirror_rows
from frontdesk.db.repositories.catalog import BranchRef
from frontdesk.db.tables import Appointment
from frontdesk.domain import rules
from frontdesk.domain.clock import Clock
from frontdesk.domain.errors import (
    AlreadyCancelled,
    Alternative,
    AppointmentNotFound,
    ConcurrentUpdate,
    NotChangeable,
    SlotUnavailable,
    UnknownService,
    UnknownStaff,
)
from frontdesk.domain.events import AppointmentBooked, DomainEvent
from frontdesk.domain.model import ACTIVE_STATUSES, AppointmentStatus
from frontdesk.jobs.queue import enqueue
from frontdesk.messages.outbox import enqueue_for_event
from frontdesk.observability.logging import get_logger

if TYPE_CHECKING:
    from frontdesk.calendars.port import CalendarPorts

T = TypeVar("T")
log = get_logger(__name__)

# One day of one search per entry, kept per process; keyed by day and catalogue versions, so
# never stale (ADR 0007).
SLOT_CACHE_SIZE = 8192
ALTERNATIVE_SEARCH_DAYS = 7


class UnitOfWork:
    """One per process: the session factory, the clock and the per-process caches."""

    def __init__(
        self,
        sessions: SessionFactory,
        catalogs: CatalogCache | None = None,
        *,
        clock: Clock,
        calendars: CalendarPorts | None = None,
    ) -> None:
        self.sessions = sessions
        self.catalogs = catalogs or CatalogCache()
        self.clock = clock
        # Outside calendars (Cal.com): None where none is reachable (tests, some CLI commands);
        # their bookings then stay ``pending_sync`` for a worker that has them.
        self.calendars = calendars
        self.slots: LruCache[tuple[object, ...], list[SlotView]] = LruCache(SLOT_CACHE_SIZE)
        # Work that outlives the request that started it (a provider write the caller stopped
        # waiting for): held here so it is not garbage-collected half-way.
        self._background: set[asyncio.Task[Any]] = set()
        self.busy_days = BusyDays()

    def spawn(self, work: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        """Run ``work`` as a task that finishes even if its starter stops waiting for it; its
        failure is logged (nobody else would see it)."""
        task = asyncio.get_running_loop().create_task(work)
        self._background.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._background.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background work failed", exc_info=task.exception())

    def writing(self) -> DbSession:
        """A session for one transaction; the use case commits explicitly (``commit``)."""
        return self.sessions()

    @asynccontextmanager
    async def guarded(self, session: DbSession) -> AsyncIterator[None]:
        """Writes inside the block: when the database says no (overlap, unique key, stale
        version) the transaction is rolled back and ``WriteRefused`` raised."""
        try:
            async with refusals():
                yield
        except WriteRefused:
            await session.rollback()
            raise

    async def flush(self, session: DbSession) -> None:
        """Write what is pending without committing (refusals as in ``guarded``)."""
        async with self.guarded(session):
            await session.flush()

    async def commit(self, session: DbSession) -> None:
        """Commit the use case's transaction (refusals as in ``guarded``)."""
        async with self.guarded(session):
            await session.commit()

    def reading(self) -> AbstractAsyncContextManager[DbSession]:
        """A read-only session (no transaction round trips, never the writer lock)."""
        return reading(self.sessions)

    async def catalog(self, session: DbSession, ref: BranchRef) -> BranchCatalog:
        return await self.catalogs.get(session, ref, self.clock())

    async def catalog_for_service(
        self, session: DbSession, tenant_id: uuid.UUID, service_id: uuid.UUID
    ) -> tuple[BranchCatalog, ServiceInfo]:
        ref = await catalog_rows.branch_of_service(session, tenant_id, service_id)
        if ref is None:
            raise UnknownService(f"no service {service_id} for this tenant")
        catalog = await self.catalog(session, ref)
        return catalog, catalog.services[service_id]

    async def load_for_change(
        self, session: DbSession, tenant_id: uuid.UUID, appointment_id: uuid.UUID
    ) -> tuple[Appointment, BranchCatalog, ServiceInfo]:
        """The appointment with its branch's current catalogue and its service (one query when
        the catalogue is cached)."""
        found = await appointment_rows.get_with_branch(session, tenant_id, appointment_id)
        if found is None:
            raise AppointmentNotFound(f"no appointment {appointment_id}")
        row, ref = found
        catalog = await self.catalog(session, ref)
        service = catalog.services.get(row.service_id)
        if service is None:
            raise UnknownService(f"service {row.service_id} is no longer offered")
        return row, catalog, service

    async def busy_on_day(
        self, session: DbSession, catalog: BranchCatalog, service: ServiceInfo, start: datetime
    ) -> list[appointment_rows.BusyRow]:
        """Active appointments of the service's staff on the local day of ``start``."""
        day = start.astimezone(catalog.tz).date()
        lo, hi = day_bounds(catalog, day, day)
        return await appointment_rows.busy(session, service.rules.staff_ids, lo, hi)

    async def check_start(
        self,
        session: DbSession,
        catalog: BranchCatalog,
        service: ServiceInfo,
        start: datetime,
        busy: list[appointment_rows.BusyRow],
        preferred_staff: uuid.UUID | None,
    ) -> availability.CheckResult:
        """The check before a write: the engine over our hours, or (outside calendar) the
        provider's mirrored starts; ``SlotUnavailable("calendar_unknown")`` when the provider
        has not been read for that day."""
        now = self.clock()
        by_staff = busy_by_staff(busy)
        if not catalog.external:
            calendars = catalog.calendars(service.rules.staff_ids, by_staff)
            return availability.check_start(
                catalog.rules, service.rules, calendars, start, now, preferred_staff
            )
        day = start.astimezone(catalog.tz).date()
        mirror = await self._mirror_days(session, catalog, day, day)
        if not day_known(catalog, service, mirror.get(day, {})):
            raise SlotUnavailable("calendar_unknown")
        offers = host_offers(catalog, service, mirror.get(day, {}))
        return availability.mirrored_check(
            service.rules, offers, by_staff, start, now, preferred_staff
        )

    async def _mirror_days(
        self, session: DbSession, catalog: BranchCatalog, first: date, last: date
    ) -> dict[date, DayMirror]:
        by_day: dict[date, DayMirror] = defaultdict(dict)
        for row in await mirror_rows.load_days(session, catalog.branch_id, first, last):
            by_day[row.day][(row.event_type, row.host)] = row
        return by_day

    async def alternatives(
        self,
        session: DbSession,
        catalog: BranchCatalog,
        service: ServiceInfo,
        start: datetime,
        staff_id: uuid.UUID | None,
        exclude: uuid.UUID | None = None,
    ) -> list[Alternative]:
        """Free starts near ``start`` within the next week (the appointment ``exclude`` aside)."""
        now = self.clock()
        first = max(start, now).astimezone(catalog.tz).date()
        last = first + timedelta(days=ALTERNATIVE_SEARCH_DAYS - 1)
        lo, hi = day_bounds(catalog, first, last)
        busy = await appointment_rows.busy_spans(session, service.rules.staff_ids, lo, hi, exclude)
        if catalog.external:
            mirror = await self._mirror_days(session, catalog, first, last)
            by_staff = busy_by_staff(busy)
            slots = [
                slot
                for day in sorted(mirror)
                for slot in availability.mirrored_slots(
                    service.rules,
                    host_offers(catalog, service, mirror[day]),
                    by_staff,
                    now,
                    preferred_staff=staff_id,
                )
            ]
        else:
            slots = availability.find_slots(
                catalog.rules,
                service.rules,
                catalog.calendars(service.rules.staff_ids, busy_by_staff(busy)),
                first,
                last,
                now,
                preferred_staff=staff_id,
            )
        picked = availability.alternatives(start, slots, tz=catalog.tz)
        return [Alternative(s.start, s.end, s.staff_id) for s in picked]

    async def unavailable(
        self,
        session: DbSession,
        catalog: BranchCatalog,
        service: ServiceInfo,
        start: datetime,
        check: availability.CheckResult,
        staff_id: uuid.UUID | None,
        exclude: uuid.UUID | None = None,
    ) -> SlotUnavailable:
        """The refusal of an engine check, with alternatives (``taken`` becomes ``slot_taken``)."""
        reason = "slot_taken" if check.reason is availability.Unavailable.TAKEN else check.reason
        options = await self.alternatives(session, catalog, service, start, staff_id, exclude)
        return SlotUnavailable(str(reason), options, holiday=check.holiday)

    async def taken(
        self,
        catalog: BranchCatalog,
        service: ServiceInfo,
        start: datetime,
        staff_id: uuid.UUID | None = None,
        exclude: uuid.UUID | None = None,
    ) -> SlotUnavailable:
        """A concurrent writer won the time: ``slot_taken`` with alternatives."""
        async with self.reading() as session:
            options = await self.alternatives(session, catalog, service, start, staff_id, exclude)
        return SlotUnavailable("slot_taken", options)

    async def touch(
        self,
        session: DbSession,
        catalog: BranchCatalog,
        *spans: tuple[datetime, datetime],
        provider_changed: bool = True,
        staff: Collection[uuid.UUID] | None = None,
    ) -> None:
        """Bump the versions of the days these appointment times touch (last, before commit,
        so the day rows stay locked only briefly).

        ``provider_changed`` (outside calendars): the provider's free times of these days just
        changed (our write reached it, or its webhook told us), so the mirror's days are marked
        stale and refetched. A local change not yet written to the provider passes False: our
        own rows are subtracted from the mirror anyway, and the write's sync marks the days
        once the provider has it — keeping the voice path's transaction to the day bump.
        ``staff``: whose time changed, when known (only their hosts' days are refetched)."""
        days = days_touched(catalog, spans)
        await catalog_rows.bump_booking_days(session, catalog.tenant_id, catalog.branch_id, days)
        if catalog.external and provider_changed:
            # The provider's free times of these days are about to change: fetch them again
            # (after the day bump above: the refresh locks in the same order).
            hosts = None
            if staff is not None:
                members = (catalog.staff.get(member) for member in staff)
                hosts = {m.calendar_host for m in members if m and m.calendar_host}
            await mirror_rows.mark_stale(session, catalog.branch_id, days, self.clock(), hosts)
            await request_refresh(session, catalog.tenant_id, catalog.branch_id, self.clock())

    async def publish(self, session: DbSession, event: DomainEvent) -> None:
        """The event as a job row in the use case's own transaction (the outbox), with the
        customer's message about it (ADR 0024)."""
        await enqueue(session, event.kind, event.payload(), tenant_id=event.tenant_id)
        await enqueue_for_event(session, event)


def booked_event(row: Appointment) -> AppointmentBooked:
    return AppointmentBooked(
        tenant_id=row.tenant_id,
        appointment_id=row.id,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        staff_id=row.staff_id,
        service_id=row.service_id,
        customer_id=row.customer_id,
    )


def utc(value: datetime) -> datetime:
    """A time asked about, in UTC (``InvalidRequest`` without an offset or out of range)."""
    return rules.instant(value, "start")


def day_bounds(catalog: BranchCatalog, first: date, last: date) -> tuple[datetime, datetime]:
    """UTC bounds of the local days ``first..last``, widened by the largest buffer."""
    return day_window(catalog, first)[0], day_window(catalog, last)[1]


def check_staff(catalog: BranchCatalog, staff_id: uuid.UUID | None) -> None:
    if staff_id is not None and staff_id not in catalog.staff:
        raise UnknownStaff(f"no staff member {staff_id} in this branch")


def check_changeable(row: Appointment, now: datetime, expected_version: int | None) -> None:
    """Only an active appointment that has not begun may change, at the version expected."""
    if row.status is AppointmentStatus.CANCELLED:
        raise AlreadyCancelled("the appointment is already cancelled")
    if row.status not in ACTIVE_STATUSES or row.starts_at <= now:
        raise NotChangeable("the appointment has started or is over")
    if expected_version is not None and row.version != expected_version:
        raise ConcurrentUpdate(f"the appointment is at version {row.version}")


async def load(session: DbSession, tenant_id: uuid.UUID, appointment_id: uuid.UUID) -> Appointment:
    row = await appointment_rows.get(session, tenant_id, appointment_id)
    if row is None:
        raise AppointmentNotFound(f"no appointment {appointment_id}")
    return row
