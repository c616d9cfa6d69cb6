"""Finding free times: the slots of some days, one asked-for start, a period of days.

The use cases decide what a caller or client is told: whether a start is free, and if not, why
(the engine's reason; ``closed`` when nobody who offers the service works that whole day) and
which options to offer instead. REST and voice ask the same questions here, so they answer
them the same way; the voice layer only puts the result into words.

Reads are one read-only session: the day versions of the whole range in one statement, the
appointments only of days whose version is not cached, the engine's result per day cached under
its version (ADR 0007). Only when the asked-for start is not free are further days read.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from frontdesk import availability
from frontdesk.booking import options
from frontdesk.booking.busydays import DayBusy, DayMirror, day_window
from frontdesk.booking.catalog import BranchCatalog, ServiceInfo
from frontdesk.booking.external import day_known, fetched_at, host_offers
from frontdesk.booking.unit_of_work import UnitOfWork, check_staff, utc
from frontdesk.booking.views import PeriodCheck, SlotSearch, SlotView, TimeCheck
from frontdesk.db.engine import DbSession
from frontdesk.db.repositories import catalog as catalog_rows
from frontdesk.db.repositories.catalog import BranchRef
from frontdesk.domain.errors import InvalidRequest, UnknownService
from frontdesk.observability.metrics import AVAILABILITY_CACHE

MAX_SEARCH_DAYS = 60
# How far a search for options looks beyond the asked-for day or period.
OPTION_DAYS = 14


@dataclass(slots=True)
class _Search:
    """One open read of a branch for one service: catalogue, day versions, the moment."""

    uow: UnitOfWork
    session: DbSession
    ref: BranchRef
    catalog: BranchCatalog
    service: ServiceInfo
    staff_id: uuid.UUID | None
    versions: dict[date, int]
    now: datetime
    # Outside calendars: the provider's free starts of each day read so far.
    mirror: dict[date, DayMirror] = field(default_factory=dict)

    @property
    def today(self) -> date:
        return self.now.astimezone(self.catalog.tz).date()

    async def days(self, first: date, last: date) -> list[tuple[date, DayBusy, list[SlotView]]]:
        """Each day of ``first..last`` with its busy time and free slots."""
        busy_days = await self.uow.busy_days.days(
            self.session, self.catalog, first, last, self.versions
        )
        if self.catalog.external:
            self.mirror.update(
                await self.uow.busy_days.mirror(
                    self.session, self.catalog, first, last, self.versions
                )
            )
        return [
            (day, busy, self._day_slots(day, version, busy)) for day, version, busy in busy_days
        ]

    def known(self, day: date) -> bool:
        """False when the outside calendar has never been read for ``day`` (always True on
        the built-in calendar)."""
        return not self.catalog.external or day_known(
            self.catalog, self.service, self.mirror.get(day, {})
        )

    @property
    def as_of(self) -> datetime | None:
        """When the oldest provider data used was fetched (None on the built-in calendar)."""
        if not self.catalog.external:
            return None
        return fetched_at(self.catalog, self.service, self.mirror.values())

    def unknown(self) -> tuple[date, ...]:
        return tuple(sorted(day for day in self.mirror if not self.known(day)))

    async def slots(self, first: date, last: date) -> list[SlotView]:
        return [slot for _, _, day_slots in await self.days(first, last) for slot in day_slots]

    def _day_slots(self, day: date, version: int, busy: DayBusy) -> list[SlotView]:
        """One day's slots, cached under the day's version: the engine's result for a range is
        the concatenation of its days' results, so after a booking only that day is searched
        again."""
        catalog, service = self.catalog, self.service
        key = (self.ref, service.id, self.staff_id, day, version, self._moment_key(day))
        cached = self.uow.slots.get(key)
        AVAILABILITY_CACHE.labels(result="miss" if cached is None else "hit").inc()
        if cached is not None:
            return cached
        if catalog.external:
            offers = host_offers(catalog, service, self.mirror.get(day, {}))
            found = availability.mirrored_slots(
                service.rules, offers, busy, self.now, preferred_staff=self.staff_id
            )
        else:
            found = availability.find_slots(
                catalog.rules,
                service.rules,
                catalog.calendars(service.rules.staff_ids, busy),
                day,
                day,
                self.now,
                preferred_staff=self.staff_id,
            )
        views = [options.slot_view(catalog, service, slot) for slot in found]
        self.uow.slots.put(key, views)
        return views

    def _moment_key(self, day: date) -> datetime | None:
        """What of ``now`` a day's slots depend on: nothing when the whole day lies between the
        minimum notice and the horizon (most days), else the minute."""
        lo, hi = day_window(self.catalog, day)
        rules = self.service.rules
        if self.now + rules.min_notice <= lo and hi <= self.now + rules.horizon:
            return None
        return self.now

    def closed(self, day: date) -> tuple[bool, str | None]:
        rules = self.service.rules
        if self.catalog.external:
            # The provider's word: known, and no host offers a single start that day.
            offers = host_offers(self.catalog, self.service, self.mirror.get(day, {}))
            return self.known(day) and not any(o.starts for o in offers), None
        calendars = self.catalog.calendars(rules.staff_ids, {})
        return availability.closed_day(self.catalog.rules, rules, calendars, day)


async def _open(
    uow: UnitOfWork,
    session: DbSession,
    tenant_id: uuid.UUID,
    service_id: uuid.UUID,
    staff_id: uuid.UUID | None,
    lo: date,
    hi: date,
) -> _Search:
    # Whole minutes: results can then be shared for a minute (a booking re-checks anyway).
    now = uow.clock().replace(second=0, microsecond=0)
    found = await catalog_rows.branch_and_day_versions(session, tenant_id, service_id, lo, hi)
    if found is None:
        raise UnknownService(f"no service {service_id} for this tenant")
    ref, versions = found
    catalog = await uow.catalogs.get(session, ref, now)
    check_staff(catalog, staff_id)
    service = catalog.services[service_id]
    return _Search(uow, session, ref, catalog, service, staff_id, dict(versions), now)


async def find_slots(
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    service_id: uuid.UUID,
    first_day: date | None = None,
    days: int = 14,
    staff_id: uuid.UUID | None = None,
) -> SlotSearch:
    """Free starts for a service over ``days`` local days from ``first_day`` (default today)."""
    if not 1 <= days <= MAX_SEARCH_DAYS:
        raise InvalidRequest(f"days must be between 1 and {MAX_SEARCH_DAYS}")
    # The branch's zone is known only after the read: without a first day, read the versions
    # of one more day on each side of the UTC dates, which covers every zone.
    lo = first_day or uow.clock().date() - timedelta(days=1)
    hi = lo + timedelta(days=days + (0 if first_day else 1))
    async with uow.reading() as session:
        search = await _open(uow, session, tenant_id, service_id, staff_id, lo, hi)
        first = first_day or search.today
        slots = await search.slots(first, first + timedelta(days=days - 1))
    return SlotSearch(first, days, slots, search.as_of, search.unknown())


async def check_start(
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    service_id: uuid.UUID,
    start: datetime,
    staff_id: uuid.UUID | None = None,
) -> TimeCheck:
    """Whether ``start`` is free; if not, why, and up to three options instead."""
    start = utc(start)
    lo = start.date() - timedelta(days=1)
    async with uow.reading() as session:
        search = await _open(
            uow, session, tenant_id, service_id, staff_id, lo, lo + timedelta(OPTION_DAYS + 2)
        )
        tz, today = search.catalog.tz, search.today
        day = start.astimezone(tz).date()
        first = max(day, today)
        [(_, busy, same_day)] = await search.days(first, first)
        if day >= today:
            hit = next((s for s in same_day if s.start == start), None)
            if hit is not None:
                return TimeCheck(start, hit, None, None, [], as_of=search.as_of)
        reason, holiday = _why_not(search, start, day, busy)
        last_day = today + search.service.rules.horizon
        if reason == "beyond_horizon":
            return TimeCheck(start, None, reason, None, [], last_day)
        nearby = options.near(start, same_day, tz)
        if reason != "closed" and len(nearby) == options.MAX_OPTIONS:
            return TimeCheck(start, None, reason, None, nearby, last_day, search.as_of)
        later = await search.slots(first + timedelta(days=1), first + timedelta(OPTION_DAYS - 1))
        free = same_day + later
        if reason == "closed":
            offered = options.first_per_day(
                [s for s in free if s.start.astimezone(tz).date() > day], tz
            )
        else:
            offered = options.near(start, free, tz)
        return TimeCheck(start, None, reason, holiday, offered, last_day, search.as_of)


def _why_not(search: _Search, start: datetime, day: date, busy: DayBusy) -> tuple[str, str | None]:
    """The engine's reason for the start (``closed`` when the whole day is), and the holiday."""
    catalog, rules = search.catalog, search.service.rules
    if catalog.external:
        if not search.known(day):
            return "calendar_unknown", None
        check = availability.mirrored_check(
            rules,
            host_offers(catalog, search.service, search.mirror.get(day, {})),
            busy,
            start,
            search.now,
            preferred_staff=search.staff_id,
        )
    else:
        check = availability.check_start(
            catalog.rules,
            rules,
            catalog.calendars(rules.staff_ids, busy),
            start,
            search.now,
            preferred_staff=search.staff_id,
        )
    reason = str(check.reason or availability.Unavailable.TAKEN)
    if reason in ("in_past", "too_soon", "beyond_horizon", "staff_cannot_perform"):
        return reason, None
    if reason == "outside_hours":
        closed, holiday = search.closed(day)
        if closed:
            return "closed", holiday
    return reason, None


async def find_in_period(
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    service_id: uuid.UUID,
    first: date,
    last: date,
    earliest: time | None = None,
    latest: time | None = None,
    staff_id: uuid.UUID | None = None,
) -> PeriodCheck:
    """Up to three options inside the local days ``first..last`` (and the window of the day
    ``earliest..latest``); when there are none, whether a single day is closed and the options
    nearest the period's beginning (or the next open days)."""
    days = min((last - first).days + OPTION_DAYS, MAX_SEARCH_DAYS)
    async with uow.reading() as session:
        search = await _open(
            uow, session, tenant_id, service_id, staff_id, first, first + timedelta(days=days)
        )
        tz = search.catalog.tz
        free = await search.slots(first, first + timedelta(days=days - 1))
    inside = [s for s in free if options.within(s, first, last, earliest, latest, tz)]
    if inside:
        return PeriodCheck(True, options.spread(inside))
    period_days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    if not any(search.known(day) for day in period_days):
        return PeriodCheck(False, [], unknown=True)
    closed, holiday = search.closed(first) if first == last else (False, None)
    if closed:
        later = [s for s in free if s.start.astimezone(tz).date() > first]
        return PeriodCheck(False, options.first_per_day(later, tz), True, holiday)
    around = datetime.combine(first, earliest or time(9), tz)
    return PeriodCheck(False, options.near(around, free, tz))
