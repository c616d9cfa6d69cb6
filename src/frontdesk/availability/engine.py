"""The slot engine: free starts for a service, checks of one requested start, alternatives.

Pure functions over the value types of ``model``; no I/O, no clock (``now`` is an argument).

How a search runs: the value objects carry their intervals as merged microsecond span indexes
(built once with the object). Per staff member, the absences, the branch closures and the busy
time (grown by the *new* service's buffers) of the searched range are cut out of those indexes
by bisection and merged into one blocked span list. Then, per local day and staff member, the
working windows minus breaks minus the day's blocked spans give the free spans, and the day's
candidate starts are found in each free span by bisecting the day's step grid. Cost is
O(S * (n + D * (w + b + log n)) + k) for S staff, D days, n busy intervals in range, w windows
and b blocked spans per day and k emitted starts; no candidate is ever compared against the
appointments.

Buffers: ``[s, s + duration)`` must lie in free working time; the buffers
``[s - buffer_before, s + duration + buffer_after)`` must only avoid other appointments (which
arrive already grown by their own buffers), so a preparation buffer may fall before opening.
Subtracting busy ``[x, y)`` grown to ``[x - buffer_after, y + buffer_before)`` from the free
time and then fitting ``[s, s + duration)`` is exactly that condition.

Assignment: when no staff member is preferred, a start goes to the staff member who can take it
with the fewest booked minutes on that local day (busy time as given, clipped to the day), then
by name, then by id. This spreads bookings and is a pure function of the input.
"""

from __future__ import annotations

import uuid
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from functools import lru_cache

from frontdesk.availability.holidays import is_holiday
from frontdesk.availability.localday import (
    DayFrame,
    day_frame,
    duration_us,
    from_us,
    local_date,
    to_us,
)
from frontdesk.availability.model import (
    BranchRules,
    CheckResult,
    DaySchedule,
    ServiceRules,
    Slot,
    StaffCalendar,
    Unavailable,
)
from frontdesk.availability.rules import Span, clip, covering, merge, overlaps, subtract, total

__all__ = ["alternatives", "check_start", "closed_day", "find_slots"]


@dataclass(frozen=True, slots=True)
class _Bounds:
    """The window a start must fall in: ``earliest <= s < latest`` (notice and horizon)."""

    now: int
    earliest: int
    latest: int


@dataclass(frozen=True, slots=True)
class _Staff:
    """One staff member prepared for a search: blocked time as span lists, hours by weekday."""

    calendar: StaffCalendar
    weekly: dict[int, tuple[DaySchedule, ...]]
    off: list[Span]
    """Absences and branch closures: not working hours at all."""
    busy: list[Span]
    """Existing appointments as given (with their own buffers): the load measure."""
    blocked_busy: list[Span]
    """Existing appointments grown by the requested service's buffers."""
    blocked: list[Span]
    """``off`` and ``blocked_busy`` together: everything a new appointment must avoid."""
    id_text: str
    """The id as text, the last tie-break of the assignment order."""

    def booked(self, frame: DayFrame) -> int:
        return total(clip(self.busy, frame.start, frame.end))

    def rank(self, frame: DayFrame) -> tuple[int, str, str]:
        return (self.booked(frame), self.calendar.name, self.id_text)

    def hours(self, frame: DayFrame) -> list[Span]:
        """Working windows of the day minus breaks, absences and closures."""
        schedules = self.weekly.get(frame.day.weekday(), ())
        if not schedules:
            return []
        return subtract(_working(frame, schedules), clip(self.off, frame.start, frame.end))

    def free(self, frame: DayFrame) -> list[Span]:
        """Working windows of the day minus everything a new appointment must avoid."""
        schedules = self.weekly.get(frame.day.weekday(), ())
        if not schedules:
            return []
        return subtract(_working(frame, schedules), clip(self.blocked, frame.start, frame.end))


def find_slots(
    branch: BranchRules,
    service: ServiceRules,
    staff: Sequence[StaffCalendar],
    start_date: date,
    end_date: date,
    now: datetime,
    preferred_staff: uuid.UUID | None = None,
) -> list[Slot]:
    """Every bookable start for ``service`` on the local days ``start_date..end_date``.

    Sorted by start, one slot per start: the preferred staff member's when one is given
    (nothing if they cannot perform the service), otherwise the staff member the assignment
    rule picks. Starts lie on the branch's wall-clock step grid from local midnight.
    """
    if end_date < start_date:
        return []
    bounds = _bounds(service, now)
    first, last = day_frame(start_date, branch.tz), day_frame(end_date, branch.tz)
    lo, hi = max(first.start, bounds.earliest), min(last.end, bounds.latest)
    if lo >= hi:
        return []
    # Prepare whole days, not just [lo, hi): a day's load counts appointments before ``now`` too.
    team = _prepare(
        branch, service, _eligible(service, staff, preferred_staff), first.start, last.end
    )
    if not team:
        return []
    duration = duration_us(service.duration)
    length = timedelta(microseconds=duration)
    step = duration_us(branch.slot_step)
    slots: list[Slot] = []
    for day in _days(start_date, end_date):
        frame = day_frame(day, branch.tz)
        if frame.end <= lo or frame.start >= hi:
            continue
        if is_holiday(day, branch.state, branch.country) is not None:
            continue
        chosen = _day_starts(frame, team, bounds, duration, step)
        slots.extend(_slot(start, length, chosen[start]) for start in sorted(chosen))
    return slots


def check_start(
    branch: BranchRules,
    service: ServiceRules,
    staff: Sequence[StaffCalendar],
    start: datetime,
    now: datetime,
    preferred_staff: uuid.UUID | None = None,
) -> CheckResult:
    """Whether one requested start can be booked, for whom, and if not, why.

    An off-step start (10:10 with a 15-minute step) is accepted when it is otherwise free:
    callers name such times and refusing them would only send the agent in circles. Reasons
    are checked in this order: ``in_past``, ``too_soon``, ``beyond_horizon``,
    ``staff_cannot_perform``, ``outside_hours`` (holiday, closure, absence, nobody working),
    ``taken`` (someone works then, but everyone able is busy).
    """
    requested = _aware_us("start", start)
    bounds = _bounds(service, now)
    if requested < bounds.now:
        return CheckResult(slot=None, reason=Unavailable.IN_PAST)
    if requested < bounds.earliest:
        return CheckResult(slot=None, reason=Unavailable.TOO_SOON)
    if requested >= bounds.latest:
        return CheckResult(slot=None, reason=Unavailable.BEYOND_HORIZON)
    eligible = _eligible(service, staff, preferred_staff)
    if not eligible:
        return CheckResult(slot=None, reason=Unavailable.STAFF_CANNOT_PERFORM)
    frame = day_frame(local_date(requested, branch.tz), branch.tz)
    holiday = is_holiday(frame.day, branch.state, branch.country)
    if holiday is not None:
        return CheckResult(slot=None, reason=Unavailable.OUTSIDE_HOURS, holiday=holiday)
    end = requested + duration_us(service.duration)
    team = _prepare(branch, service, eligible, frame.start, frame.end)
    working = [member for member in team if covering(member.hours(frame), requested, end)]
    if not working:
        return CheckResult(slot=None, reason=Unavailable.OUTSIDE_HOURS)
    free = [member for member in working if not overlaps(member.blocked_busy, requested, end)]
    if not free:
        return CheckResult(slot=None, reason=Unavailable.TAKEN)
    best = min(free, key=lambda member: member.rank(frame))
    slot = _slot(requested, service.duration, best.calendar.staff_id)
    return CheckResult(slot=slot, reason=None)


def closed_day(
    branch: BranchRules, service: ServiceRules, staff: Sequence[StaffCalendar], day: date
) -> tuple[bool, str | None]:
    """Whether nobody who offers ``service`` works at all on the local ``day`` (a public
    holiday, a branch closure, absences or no hours that weekday), and the holiday's name when
    that is the reason. A closure of part of the day leaves the day open."""
    holiday = is_holiday(day, branch.state, branch.country)
    if holiday is not None:
        return True, holiday
    frame = day_frame(day, branch.tz)
    team = _prepare(branch, service, _eligible(service, staff, None), frame.start, frame.end)
    return not any(member.hours(frame) for member in team), None


def alternatives(
    requested: datetime,
    slots: Sequence[Slot],
    limit: int = 3,
    min_gap: timedelta = timedelta(minutes=30),
    tz: tzinfo | None = None,
) -> list[Slot]:
    """Up to ``limit`` real choices near a start that was not free, best first.

    Slots on the requested local day come first, closest first (earlier wins a tie); then
    later days in time order; earlier days last, closest first. A slot is skipped when it
    starts within ``min_gap`` of one already picked, or exactly at ``requested``. "Day" is
    the calendar day in ``tz``, defaulting to ``requested``'s own zone, so pass the branch's
    local time (or its zone).
    """
    _aware_us("requested", requested)
    zone = tz if tz is not None else requested.tzinfo
    request_day = requested.astimezone(zone).date()

    def preference(slot: Slot) -> tuple[int, timedelta, datetime]:
        day = slot.start.astimezone(zone).date()
        group = 0 if day == request_day else 1 if day > request_day else 2
        return (group, abs(slot.start - requested), slot.start)

    picked: list[Slot] = []
    for slot in sorted((s for s in slots if s.start != requested), key=preference):
        if len(picked) >= limit:
            break
        if all(abs(slot.start - other.start) >= min_gap for other in picked):
            picked.append(slot)
    return picked


def _day_starts(
    frame: DayFrame, team: Sequence[_Staff], bounds: _Bounds, duration: int, step: int
) -> dict[int, uuid.UUID]:
    """Free starts of one day mapped to the staff member each is assigned to."""
    grid = frame.grid(step)
    # Grid positions inside notice and horizon; every bisect below stays within them.
    lo = bisect_left(grid, bounds.earliest)
    hi = bisect_left(grid, bounds.latest)
    chosen: dict[int, uuid.UUID] = {}
    if lo >= hi:
        return chosen
    # Rank only the staff with free time that day: ranking costs a clip over their bookings.
    candidates = [(member, free) for member in team if (free := member.free(frame))]
    if len(candidates) > 1:
        candidates.sort(key=lambda pair: pair[0].rank(frame))
    for member, free in candidates:
        staff_id = member.calendar.staff_id
        for free_start, free_end in free:
            first = bisect_left(grid, free_start, lo, hi)
            # A start must leave room for the whole appointment.
            stop = bisect_right(grid, free_end - duration, lo, hi)
            for start in grid[first:stop]:
                chosen.setdefault(start, staff_id)
        if len(chosen) == hi - lo:
            break  # every candidate already has its best-ranked staff member
    return chosen


@lru_cache(maxsize=8192)
def _working(frame: DayFrame, schedules: tuple[DaySchedule, ...]) -> tuple[Span, ...]:
    """The day's working windows minus breaks, as an immutable span list.

    Cached because staff of one branch usually share their hours and every search of the
    coming weeks asks for the same days again.
    """
    windows: list[Span] = []
    breaks: list[Span] = []
    for schedule in schedules:
        windows.append((frame.at(schedule.start), frame.at(schedule.end)))
        breaks.extend((frame.at(b_start), frame.at(b_end)) for b_start, b_end in schedule.breaks)
    # On a DST day a boundary in the spring gap moves forward and can swallow a short window.
    valid_windows = merge(span for span in windows if span[0] < span[1])
    return tuple(subtract(valid_windows, merge(span for span in breaks if span[0] < span[1])))


def _prepare(
    branch: BranchRules,
    service: ServiceRules,
    eligible: Sequence[StaffCalendar],
    lo: int,
    hi: int,
) -> list[_Staff]:
    """Cut the span indexes down to ``[lo, hi)`` (plus buffers), once per staff member."""
    before, after = duration_us(service.buffer_before), duration_us(service.buffer_after)
    # Busy time farther than both buffers from the range cannot affect it.
    pad = before + after
    closures = clip(branch.closure_spans, lo, hi)
    team: list[_Staff] = []
    for calendar in eligible:
        busy = clip(calendar.busy_spans, lo - pad, hi + pad)
        off = merge(clip(calendar.absence_spans, lo, hi) + closures)
        blocked_busy = merge((start - after, end + before) for start, end in busy)
        weekly: dict[int, tuple[DaySchedule, ...]] = {}
        for schedule in calendar.weekly:
            weekly[schedule.weekday] = (*weekly.get(schedule.weekday, ()), schedule)
        team.append(
            _Staff(
                calendar=calendar,
                weekly=weekly,
                off=off,
                busy=busy,
                blocked_busy=blocked_busy,
                blocked=merge(off + blocked_busy),
                id_text=str(calendar.staff_id),
            )
        )
    return team


def _eligible(
    service: ServiceRules, staff: Sequence[StaffCalendar], preferred: uuid.UUID | None
) -> list[StaffCalendar]:
    return [
        member
        for member in staff
        if member.staff_id in service.staff_ids
        and (preferred is None or member.staff_id == preferred)
    ]


def _bounds(service: ServiceRules, now: datetime) -> _Bounds:
    now_us = _aware_us("now", now)
    return _Bounds(
        now=now_us,
        earliest=now_us + duration_us(service.min_notice),
        latest=now_us + duration_us(service.horizon),
    )


def _aware_us(name: str, value: datetime) -> int:
    if value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value!r}")
    return to_us(value)


def _days(first: date, last: date) -> Iterable[date]:
    one = timedelta(days=1)
    day = first
    while day <= last:
        yield day
        day += one


def _slot(start: int, duration: timedelta, staff_id: uuid.UUID) -> Slot:
    start_dt = from_us(start)
    return Slot(start=start_dt, end=start_dt + duration, staff_id=staff_id)
