"""Which free times to offer: up to three real choices, near the asked-for time or spread out.

Pure functions over the slots a search found (the engine's ``alternatives`` decides "near").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta, tzinfo

from frontdesk import availability
from frontdesk.booking.catalog import BranchCatalog, ServiceInfo
from frontdesk.booking.views import SlotView

MAX_OPTIONS = 3
# Offered options sit at least this far apart where possible, so three choices are three.
_SPREAD = timedelta(hours=1)


def slot_view(catalog: BranchCatalog, service: ServiceInfo, slot: availability.Slot) -> SlotView:
    return SlotView(
        start=slot.start,
        end=slot.end,
        staff_id=slot.staff_id,
        staff_name=catalog.staff[slot.staff_id].name,
        service_id=service.id,
        service_name=service.name,
    )


def near(start: datetime, free: Sequence[SlotView], tz: tzinfo) -> list[SlotView]:
    """The engine's choice of alternatives near ``start`` (same day first, then later days)."""
    by_key = {(s.start, s.staff_id): s for s in free}
    chosen = availability.alternatives(
        start,
        [availability.Slot(s.start, s.end, s.staff_id) for s in free],
        limit=MAX_OPTIONS,
        tz=tz,
    )
    return [by_key[(c.start, c.staff_id)] for c in chosen]


def spread(free: Sequence[SlotView]) -> list[SlotView]:
    """Up to three options at least an hour apart where possible, earliest first."""
    picked: list[SlotView] = []
    for gap in (_SPREAD, timedelta(minutes=30), timedelta(0)):
        for slot in free:
            if len(picked) >= MAX_OPTIONS:
                return sorted(picked, key=lambda s: s.start)
            if any(slot.start == p.start for p in picked):
                continue
            if all(abs(slot.start - p.start) >= gap for p in picked):
                picked.append(slot)
    return sorted(picked, key=lambda s: s.start)


def first_per_day(free: Iterable[SlotView], tz: tzinfo) -> list[SlotView]:
    """The first free start of each of the next days that have one (the next open days)."""
    picked: dict[date, SlotView] = {}
    for slot in sorted(free, key=lambda s: s.start):
        picked.setdefault(slot.start.astimezone(tz).date(), slot)
        if len(picked) >= MAX_OPTIONS:
            break
    return list(picked.values())


def within(
    slot: SlotView,
    first: date,
    last: date,
    earliest: time | None,
    latest: time | None,
    tz: tzinfo,
) -> bool:
    """The slot lies on the days ``first..last`` and inside the window of the day."""
    start = slot.start.astimezone(tz)
    end = slot.end.astimezone(tz)
    if not first <= start.date() <= last:
        return False
    if earliest is not None and start.time() < earliest:
        return False
    return latest is None or end.time() <= latest or end.date() > start.date()
