"""A branch's active appointments per local day, cached by the day's version.

Every appointment write bumps the versions of the local days it touches (``booking_day``), in
its own transaction. A search reads the versions of its days (with the branch's catalogue
version, one query) and then only the appointments of days whose version it has not cached (one
query, or none). After a booking a
14-day search therefore reads one day again instead of fourteen, in any process.

A write committing between the version read and the appointment read can only make the cached
rows newer than their key, never older: the next search sees the new version and reads again.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta

from frontdesk.availability import Interval
from frontdesk.booking.catalog import BranchCatalog, busy_by_staff
from frontdesk.cache.memory import LruCache
from frontdesk.db.engine import DbSession
from frontdesk.db.repositories import appointments as appointment_rows
from frontdesk.db.repositories import mirror as mirror_rows
from frontdesk.db.repositories.mirror import MirrorDay

DAY_CACHE_SIZE = 4096

DayKey = tuple[uuid.UUID, date, int]


# Per day: each staff member's busy intervals, already grown by buffers (the engine's input),
# so a search after a write builds value objects for one day, not for the whole range.
DayBusy = dict[uuid.UUID, list[Interval]]
# Per day (outside calendars only): the provider's free starts per (event type, host). The
# mirror's refresh bumps the versions of the days whose starts changed, so the same day keys
# cache it.
DayMirror = dict[tuple[str, str], MirrorDay]


class BusyDays:
    def __init__(self, size: int = DAY_CACHE_SIZE) -> None:
        self._days: LruCache[DayKey, DayBusy] = LruCache(size)
        self._mirror: LruCache[DayKey, DayMirror] = LruCache(size)

    async def days(
        self,
        session: DbSession,
        catalog: BranchCatalog,
        first: date,
        last: date,
        versions: Mapping[date, int],
    ) -> list[tuple[date, int, DayBusy]]:
        """Each local day of ``first..last`` with its version (from ``versions``, read by the
        caller; part of any cache key derived from it) and its busy intervals per staff member.
        An appointment crossing midnight appears under both days."""
        days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        keys = [(catalog.branch_id, day, versions.get(day, 0)) for day in days]
        missing = [key for key in keys if self._days.get(key) is None]
        if missing:
            await self._load(session, catalog, missing)
        return [(key[1], key[2], self._days.get(key) or {}) for key in keys]

    async def mirror(
        self,
        session: DbSession,
        catalog: BranchCatalog,
        first: date,
        last: date,
        versions: Mapping[date, int],
    ) -> dict[date, DayMirror]:
        """The provider's free starts of each local day of ``first..last`` (empty days when the
        mirror knows nothing of them), read once per day version."""
        days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        keys = [(catalog.branch_id, day, versions.get(day, 0)) for day in days]
        missing = [key for key in keys if self._mirror.get(key) is None]
        if missing:
            rows = await mirror_rows.load_days(
                session, catalog.branch_id, missing[0][1], missing[-1][1]
            )
            by_day: dict[date, DayMirror] = {key[1]: {} for key in missing}
            for row in rows:
                if row.day in by_day:
                    by_day[row.day][(row.event_type, row.host)] = row
            for key in missing:
                self._mirror.put(key, by_day[key[1]])
        return {key[1]: self._mirror.get(key) or {} for key in keys}

    async def _load(
        self, session: DbSession, catalog: BranchCatalog, missing: list[DayKey]
    ) -> None:
        lo, _ = day_window(catalog, missing[0][1])
        _, hi = day_window(catalog, missing[-1][1])
        rows = await appointment_rows.busy_spans(session, catalog.staff.keys(), lo, hi)
        for key in missing:
            day_lo, day_hi = day_window(catalog, key[1])
            on_day = [r for r in rows if r.starts_at < day_hi and r.ends_at > day_lo]
            self._days.put(key, busy_by_staff(on_day))


def day_window(catalog: BranchCatalog, day: date) -> tuple[datetime, datetime]:
    """UTC bounds of a local day, widened by the branch's largest buffer (what can affect it)."""
    lo = datetime.combine(day, time(0), catalog.tz).astimezone(UTC)
    hi = datetime.combine(day + timedelta(days=1), time(0), catalog.tz).astimezone(UTC)
    return lo - catalog.max_buffer, hi + catalog.max_buffer


def days_touched(catalog: BranchCatalog, spans: Iterable[tuple[datetime, datetime]]) -> set[date]:
    """The local days whose windows an appointment ``[start, end)`` falls into."""
    touched: set[date] = set()
    for start, end in spans:
        day = (start - catalog.max_buffer).astimezone(catalog.tz).date()
        last = (end + catalog.max_buffer).astimezone(catalog.tz).date()
        while day <= last:
            touched.add(day)
            day += timedelta(days=1)
    return touched
