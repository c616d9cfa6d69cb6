"""A branch's bookable catalogue as engine inputs, cached per process by calendar version.

Loading it takes eight queries; caching it leaves one cheap version lookup on the hot path. The
cache is correct across processes because every change to the underlying rows bumps
``branch.calendar_version`` (checked on every use), and entries are reloaded at least every
``max_age`` so that absences and closures loaded "from now on" stay current as time passes.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from frontdesk.availability import BranchRules, DaySchedule, Interval, ServiceRules, StaffCalendar
from frontdesk.availability.holidays import holidays_of_year
from frontdesk.availability.opening import Window, within_opening
from frontdesk.db.engine import DbSession
from frontdesk.db.repositories import catalog as catalog_rows
from frontdesk.db.repositories.appointments import BusyRow, BusySpan
from frontdesk.db.repositories.catalog import BranchRef, CatalogRows
from frontdesk.domain.model import CalendarProvider

K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    id: uuid.UUID
    name: str
    aliases: tuple[str, ...]
    duration_minutes: int
    price_cents: int | None
    rules: ServiceRules
    cancellation_policy: dict[str, Any]
    # The provider's event type for this service (Cal.com mode), None on the built-in calendar.
    event_type: str | None = None


@dataclass(frozen=True, slots=True)
class StaffInfo:
    id: uuid.UUID
    first_name: str
    last_name: str
    nicknames: tuple[str, ...]
    weekly: tuple[DaySchedule, ...]
    absences: tuple[Interval, ...]
    # The provider's id for this person as a host (Cal.com user id), None when not linked.
    calendar_host: str | None = None

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True, slots=True)
class BranchCatalog:
    branch_id: uuid.UUID
    tenant_id: uuid.UUID
    branch_name: str
    tenant_name: str
    locale: str
    phone_region: str
    rules: BranchRules
    services: dict[uuid.UUID, ServiceInfo]
    staff: dict[uuid.UUID, StaffInfo]
    max_buffer: timedelta = field(default=timedelta(0))
    # Whose calendar this is: our own (``builtin``) or a provider's (``calcom``), with the
    # provider's branch settings (e.g. the Cal.com team id).
    provider: CalendarProvider = CalendarProvider.BUILTIN
    calendar_config: Mapping[str, Any] = field(default_factory=dict)

    @property
    def tz(self) -> ZoneInfo:
        return self.rules.tz

    @property
    def external(self) -> bool:
        """True when an outside provider's calendar is the source of free times."""
        return self.provider is not CalendarProvider.BUILTIN

    def staff_of_host(self, host: str) -> StaffInfo | None:
        return next((m for m in self.staff.values() if m.calendar_host == host), None)

    def calendars(
        self, staff_ids: frozenset[uuid.UUID], busy: Mapping[uuid.UUID, Sequence[Interval]]
    ) -> list[StaffCalendar]:
        """Engine input for ``staff_ids``: hours, absences and busy time (see ``busy_by_staff``)."""
        return [
            StaffCalendar(
                staff_id=member.id,
                name=member.name,
                weekly=member.weekly,
                absences=member.absences,
                busy=tuple(busy.get(member.id, ())),
            )
            for member in self.staff.values()
            if member.id in staff_ids
        ]


def busy_by_staff(rows: Iterable[BusyRow | BusySpan]) -> dict[uuid.UUID, list[Interval]]:
    """Appointments as the engine's busy intervals per staff member, grown by their buffers."""
    by_staff: dict[uuid.UUID, list[Interval]] = defaultdict(list)
    for row in rows:
        by_staff[row.staff_id].append(
            Interval(
                row.starts_at - timedelta(minutes=row.buffer_before_minutes),
                row.ends_at + timedelta(minutes=row.buffer_after_minutes),
            )
        )
    return by_staff


@dataclass
class _Entry:
    version: int
    updated_at: datetime
    loaded_at: datetime
    catalog: BranchCatalog


class CatalogCache:
    """Per-process cache of ``BranchCatalog`` keyed by branch, validated by version."""

    def __init__(self, max_age: timedelta = timedelta(hours=1)) -> None:
        self._entries: dict[uuid.UUID, _Entry] = {}
        self._max_age = max_age

    async def get(self, session: DbSession, ref: BranchRef, now: datetime) -> BranchCatalog:
        entry = self._entries.get(ref.branch_id)
        # An entry at least as new as the caller's reference is current for it: a caller holding
        # an older reference (the voice router keeps one for 30 s) must not reload an old state
        # over a newer one, which the next caller would then reload again.
        if (
            entry is not None
            and (entry.version, entry.updated_at) >= (ref.calendar_version, ref.updated_at)
            and now - entry.loaded_at < self._max_age
        ):
            return entry.catalog
        rows = await catalog_rows.load_catalog(
            session, ref.branch_id, since=now - timedelta(days=1)
        )
        catalog = build_catalog(rows)
        _warm_holidays(catalog, now)
        self._entries[ref.branch_id] = _Entry(ref.calendar_version, ref.updated_at, now, catalog)
        return catalog


def _warm_holidays(catalog: BranchCatalog, now: datetime) -> None:
    """Build the holiday calendars a branch's searches will need now, with the catalogue (a
    calendar takes a tenth of a second to build: not something a live call should wait for)."""
    rules = catalog.rules
    for year in (now.year, now.year + 1):
        holidays_of_year(year, rules.state, rules.country)


def build_catalog(rows: CatalogRows) -> BranchCatalog:
    """Turn catalogue rows into the engine's value objects."""
    staff_of: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for service_id, staff_id in rows.service_staff:
        staff_of[service_id].add(staff_id)
    services = {s.id: _service(s, frozenset(staff_of[s.id])) for s in rows.services}
    return BranchCatalog(
        branch_id=rows.branch.id,
        tenant_id=rows.tenant.id,
        branch_name=rows.branch.name,
        tenant_name=rows.tenant.name,
        locale=rows.tenant.locale,
        phone_region=rows.tenant.phone_region,
        rules=BranchRules(
            tz=ZoneInfo(rows.branch.timezone),
            state=rows.branch.state_code,
            closures=tuple(Interval(c.starts_at, c.ends_at) for c in rows.closures),
            slot_step=timedelta(minutes=rows.branch.slot_step_minutes),
            country=rows.branch.country_code,
        ),
        services=services,
        staff=_staff(rows),
        max_buffer=max(
            (
                timedelta(minutes=max(s.buffer_before_minutes, s.buffer_after_minutes))
                for s in rows.services
            ),
            default=timedelta(0),
        ),
        provider=CalendarProvider(rows.branch.calendar_provider),
        calendar_config=dict(rows.branch.calendar_config or {}),
    )


def _service(row: Any, staff_ids: frozenset[uuid.UUID]) -> ServiceInfo:
    return ServiceInfo(
        id=row.id,
        name=row.name,
        aliases=tuple(row.aliases or ()),
        duration_minutes=row.duration_minutes,
        price_cents=row.price_cents,
        rules=ServiceRules(
            service_id=row.id,
            duration=timedelta(minutes=row.duration_minutes),
            buffer_before=timedelta(minutes=row.buffer_before_minutes),
            buffer_after=timedelta(minutes=row.buffer_after_minutes),
            min_notice=timedelta(minutes=row.min_notice_minutes),
            horizon=timedelta(days=row.horizon_days),
            staff_ids=staff_ids,
        ),
        cancellation_policy=dict(row.cancellation_policy or {}),
        event_type=None if row.calcom_event_type_id is None else str(row.calcom_event_type_id),
    )


def _staff(rows: CatalogRows) -> dict[uuid.UUID, StaffInfo]:
    breaks: dict[uuid.UUID, list[tuple[time, time]]] = defaultdict(list)
    windows: dict[uuid.UUID, Any] = {}
    for window, pause in rows.hours:
        windows[window.id] = window
        if pause is not None:
            breaks[window.id].append((pause.starts_at, pause.ends_at))
    weekly: dict[uuid.UUID, list[DaySchedule]] = defaultdict(list)
    for window in windows.values():
        weekly[window.staff_id].append(
            DaySchedule(
                weekday=window.weekday,
                start=window.starts_at,
                end=window.ends_at,
                breaks=tuple(sorted(breaks[window.id])),
            )
        )
    opening = _opening(rows)
    absences: dict[uuid.UUID, list[Interval]] = defaultdict(list)
    for absence in rows.absences:
        absences[absence.staff_id].append(Interval(absence.starts_at, absence.ends_at))
    return {
        member.id: StaffInfo(
            id=member.id,
            first_name=member.first_name,
            last_name=member.last_name,
            nicknames=tuple(member.nicknames or ()),
            weekly=within_opening(
                sorted(weekly[member.id], key=lambda d: (d.weekday, d.start)), opening
            ),
            absences=tuple(sorted(absences[member.id], key=lambda i: i.start)),
            calendar_host=None if member.calcom_user_id is None else str(member.calcom_user_id),
        )
        for member in rows.staff
    }


def _opening(rows: CatalogRows) -> dict[int, list[Window]] | None:
    """The branch's opening windows per weekday, or None when it keeps none (staff decide)."""
    if not rows.opening:
        return None
    by_day: dict[int, list[Window]] = defaultdict(list)
    for window in rows.opening:
        by_day[window.weekday].append((window.starts_at, window.ends_at))
    return by_day
