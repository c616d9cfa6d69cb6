"""Free slots of a round-robin event type: each host's schedule minus that host's bookings,
on the event type's slot grid, after the minimum notice; the union over the hosts.

Wall-clock ranges are turned into instants day by day with ``zoneinfo`` and all arithmetic is
done in UTC, so a DST day has the right number of slots at the right instants.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from frontdesk.calendars.calcom.emulator.model import Booking, EventType, Schedule

Interval = tuple[datetime, datetime]


def free_slots(
    event_type: EventType,
    schedules: dict[int, Schedule],
    bookings: Iterable[Booking],
    lo: datetime,
    hi: datetime,
    *,
    now: datetime,
    host_ids: Sequence[int] | None = None,
    ignore_uid: str | None = None,
) -> dict[datetime, tuple[int, ...]]:
    """Slot starts in ``[lo, hi]`` (UTC) → the hosts free for the whole slot, in host order.

    ``host_ids`` narrows the hosts (Cal.com's ``rrHostSubsetIds``); ``ignore_uid`` leaves one
    booking out of the busy times (``bookingUidToReschedule``).
    """
    earliest = now + timedelta(minutes=event_type.minimum_notice)
    length = timedelta(minutes=event_type.length)
    busy = _busy_by_host(bookings, ignore_uid)
    found: dict[datetime, list[int]] = {}
    for host in _hosts(event_type, host_ids):
        schedule = schedules.get(host)
        if schedule is None:
            continue
        taken = busy.get(host, [])
        for start in grid_starts(schedule, event_type.length, event_type.step, lo, hi):
            end = start + length
            if start >= earliest and not any(s < end and start < e for s, e in taken):
                found.setdefault(start, []).append(host)
    return {start: tuple(found[start]) for start in sorted(found)}


def grid_starts(
    schedule: Schedule, length: int, step: int, lo: datetime, hi: datetime
) -> Iterator[datetime]:
    """UTC starts of ``length``-minute slots inside the schedule's ranges, ``step`` apart from
    the range's start rounded up to the grid (minutes since local midnight), in ``[lo, hi]``."""
    zone = ZoneInfo(schedule.time_zone)
    duration = timedelta(minutes=length)
    for day in _local_days(lo, hi, zone):
        for window in schedule.ranges:
            if window.weekday != day.weekday():
                continue
            begin = datetime.combine(day, window.start, zone).astimezone(UTC)
            finish = datetime.combine(day, window.end, zone).astimezone(UTC)
            minutes = window.start.hour * 60 + window.start.minute
            start = begin + timedelta(minutes=-minutes % step)
            while start + duration <= finish:
                if lo <= start <= hi:
                    yield start
                start += timedelta(minutes=step)


def _local_days(lo: datetime, hi: datetime, zone: ZoneInfo) -> Iterator[date]:
    day = lo.astimezone(zone).date() - timedelta(days=1)
    last = hi.astimezone(zone).date() + timedelta(days=1)
    while day <= last:
        yield day
        day += timedelta(days=1)


def _hosts(event_type: EventType, subset: Sequence[int] | None) -> tuple[int, ...]:
    if not subset:
        return event_type.host_ids
    return tuple(h for h in event_type.host_ids if h in subset)


def _busy_by_host(bookings: Iterable[Booking], ignore_uid: str | None) -> dict[int, list[Interval]]:
    busy: dict[int, list[Interval]] = {}
    for booking in bookings:
        if booking.blocks and booking.uid != ignore_uid:
            busy.setdefault(booking.host_id, []).append((booking.start, booking.end))
    return busy


def by_day(
    starts: Iterable[datetime], length: int, time_zone: str
) -> dict[str, list[dict[str, str]]]:
    """``format=range`` output: day in ``time_zone`` → ``[{start, end}]`` with that offset."""
    zone = ZoneInfo(time_zone)
    days: dict[str, list[dict[str, str]]] = {}
    for start in starts:
        local = start.astimezone(zone)
        end = (start + timedelta(minutes=length)).astimezone(zone)
        days.setdefault(local.date().isoformat(), []).append(
            {"start": _local_text(local, time_zone), "end": _local_text(end, time_zone)}
        )
    return days


def _local_text(moment: datetime, time_zone: str) -> str:
    text = moment.isoformat(timespec="milliseconds")
    # In UTC Cal.com writes the instant with a "Z", in any other zone with its offset.
    return text.replace("+00:00", "Z") if time_zone == "UTC" else text
