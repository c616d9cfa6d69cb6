"""Property-based tests of the slot engine against a brute-force oracle.

The oracle works on sets of epoch minutes (every input is minute-aligned, so a half-open
interval is exactly the set of minutes it starts), converts wall-clock times with ``zoneinfo``
one by one and checks every candidate against every interval: slow and obviously right. The
engine must agree with it exactly, and the named invariants are also asserted directly.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frontdesk.availability import (
    BranchRules,
    DaySchedule,
    Interval,
    ServiceRules,
    Slot,
    StaffCalendar,
    Unavailable,
    check_start,
    find_slots,
    is_holiday,
)

MINUTE = timedelta(minutes=1)
STAFF_IDS = [uuid.UUID(int=i) for i in range(1, 5)]
NAMES = ["Anna", "Jonas", "Mia", "Anna"]  # a shared name makes the id tie-break matter
# Starting points around the DST changes, Berlin holidays and a plain week.
ANCHORS = [date(2026, 3, 26), date(2026, 10, 22), date(2026, 12, 23), date(2026, 6, 8)]
ZONES = [ZoneInfo("Europe/Berlin"), ZoneInfo("UTC"), ZoneInfo("America/New_York")]


@dataclass(frozen=True)
class Case:
    branch: BranchRules
    service: ServiceRules
    staff: tuple[StaffCalendar, ...]
    start_date: date
    end_date: date
    now: datetime
    preferred: uuid.UUID | None


def minutes_of(instant: datetime) -> int:
    return int(instant.timestamp()) // 60


def at_minutes(minutes: int) -> datetime:
    return datetime.fromtimestamp(minutes * 60, UTC)


def wall(minute_of_day: int) -> time:
    return time(minute_of_day // 60, minute_of_day % 60)


@st.composite
def day_schedules(draw: st.DrawFn) -> DaySchedule:
    # Night windows make the DST gap and the repeated hour reachable.
    first = draw(st.one_of(st.integers(0, 4 * 12), st.integers(0, 1380 // 5))) * 5
    length = draw(st.integers(6, 144)) * 5
    last = min(first + length, 1435)
    breaks: tuple[tuple[time, time], ...] = ()
    if draw(st.booleans()) and last - first > 30:
        break_start = draw(st.integers(first, last - 10)) // 5 * 5
        break_end = min(break_start + draw(st.integers(1, 12)) * 5, last)
        if break_start < break_end:
            breaks = ((wall(break_start), wall(break_end)),)
    return DaySchedule(draw(st.integers(0, 6)), wall(first), wall(last), breaks)


def intervals(origin: int, span_days: int, max_size: int) -> st.SearchStrategy[list[Interval]]:
    """Minute-aligned intervals around ``[origin, origin + span_days)`` (epoch minutes)."""
    offset = st.integers(-1440 // 5, (span_days + 1) * 1440 // 5)
    length = st.integers(1, 60)
    return st.lists(
        st.tuples(offset, length).map(
            lambda p: Interval(
                at_minutes(origin + p[0] * 5), at_minutes(origin + p[0] * 5 + p[1] * 5)
            )
        ),
        max_size=max_size,
    )


@st.composite
def cases(draw: st.DrawFn) -> Case:
    tz = draw(st.sampled_from(ZONES))
    start_date = draw(st.sampled_from(ANCHORS)) + timedelta(days=draw(st.integers(0, 5)))
    days = draw(st.integers(1, 5))
    end_date = start_date + timedelta(days=days - 1)
    origin = minutes_of(datetime.combine(start_date, time(), tzinfo=tz))
    staff = tuple(
        StaffCalendar(
            staff_id=STAFF_IDS[i],
            name=NAMES[i],
            weekly=tuple(draw(st.lists(day_schedules(), min_size=1, max_size=8))),
            absences=tuple(draw(intervals(origin, days, 2))),
            busy=tuple(draw(intervals(origin, days, 8))),
        )
        for i in range(draw(st.integers(1, 4)))
    )
    closures = draw(intervals(origin, days, 2))
    if draw(st.booleans()):
        closed = start_date + timedelta(days=draw(st.integers(0, days - 1)))
        closures.append(
            Interval(
                datetime.combine(closed, time(), tzinfo=tz).astimezone(UTC),
                datetime.combine(closed + timedelta(days=1), time(), tzinfo=tz).astimezone(UTC),
            )
        )
    able = draw(st.sets(st.sampled_from(STAFF_IDS), min_size=1))
    service = ServiceRules(
        service_id=uuid.UUID(int=99),
        duration=timedelta(minutes=draw(st.integers(1, 24)) * 5),
        buffer_before=timedelta(minutes=draw(st.sampled_from([0, 5, 10, 15, 30]))),
        buffer_after=timedelta(minutes=draw(st.sampled_from([0, 5, 10, 15, 30]))),
        min_notice=timedelta(minutes=draw(st.integers(0, 48)) * 5),
        # Either a horizon that cuts into the range or one that covers all of it.
        horizon=draw(
            st.one_of(
                st.integers(1, 4 * 24 * 4).map(lambda q: timedelta(minutes=15 * q)),
                st.integers(8, 60).map(lambda d: timedelta(days=d)),
            )
        ),
        staff_ids=frozenset(able),
    )
    branch = BranchRules(
        tz=tz,
        state=draw(st.sampled_from(["BE", "BY", None])),
        closures=tuple(closures),
        slot_step=timedelta(minutes=draw(st.sampled_from([10, 15, 20, 30, 45, 60]))),
    )
    now = at_minutes(origin + draw(st.integers(-2 * 1440, 1440)))
    # Mostly no preference, sometimes a real one, rarely someone unknown.
    preferred = draw(st.sampled_from([None, None, None, None, *STAFF_IDS[:2], uuid.UUID(int=77)]))
    return Case(branch, service, staff, start_date, end_date, now, preferred)


def run(case: Case, start_date: date | None = None, end_date: date | None = None) -> list[Slot]:
    return find_slots(
        case.branch,
        case.service,
        case.staff,
        start_date or case.start_date,
        end_date or case.end_date,
        case.now,
        case.preferred,
    )


class Oracle:
    """Brute-force availability: minute sets and pairwise interval checks."""

    def __init__(self, case: Case) -> None:
        self.case = case
        self.tz = case.branch.tz
        self.duration = case.service.duration // MINUTE
        self.before = case.service.buffer_before // MINUTE
        self.after = case.service.buffer_after // MINUTE
        self.now = minutes_of(case.now)
        self.earliest = self.now + case.service.min_notice // MINUTE
        self.latest = self.now + case.service.horizon // MINUTE
        self.eligible = [
            s
            for s in case.staff
            if s.staff_id in case.service.staff_ids
            and (case.preferred is None or s.staff_id == case.preferred)
        ]
        self._working_cache: dict[tuple[uuid.UUID, date], set[int]] = {}

    def local_instant(self, day: date, wall_time: time) -> int:
        return minutes_of(datetime.combine(day, wall_time, tzinfo=self.tz))

    def day_bounds(self, day: date) -> tuple[int, int]:
        return self.local_instant(day, time()), self.local_instant(day + timedelta(days=1), time())

    def working_minutes(self, staff: StaffCalendar, day: date) -> set[int]:
        """Minutes of the day the staff member works: windows minus breaks, absences, closures."""
        key = (staff.staff_id, day)
        if key not in self._working_cache:
            self._working_cache[key] = self._compute_working_minutes(staff, day)
        return self._working_cache[key]

    def _compute_working_minutes(self, staff: StaffCalendar, day: date) -> set[int]:
        minutes: set[int] = set()
        for schedule in staff.weekly:
            if schedule.weekday == day.weekday():
                minutes.update(
                    range(
                        self.local_instant(day, schedule.start),
                        self.local_instant(day, schedule.end),
                    )
                )
        for schedule in staff.weekly:
            if schedule.weekday == day.weekday():
                for b_start, b_end in schedule.breaks:
                    minutes.difference_update(
                        range(self.local_instant(day, b_start), self.local_instant(day, b_end))
                    )
        for interval in (*staff.absences, *self.case.branch.closures):
            minutes.difference_update(range(minutes_of(interval.start), minutes_of(interval.end)))
        return minutes

    def busy_clash(self, staff: StaffCalendar, start: int) -> bool:
        lo, hi = start - self.before, start + self.duration + self.after
        return any(minutes_of(b.start) < hi and lo < minutes_of(b.end) for b in staff.busy)

    def booked(self, staff: StaffCalendar, day: date) -> int:
        lo, hi = self.day_bounds(day)
        minutes: set[int] = set()
        for b in staff.busy:
            minutes.update(range(max(lo, minutes_of(b.start)), min(hi, minutes_of(b.end))))
        return len(minutes)

    def grid(self, day: date) -> list[int]:
        step = self.case.branch.slot_step // MINUTE
        naive_midnight = datetime.combine(day, time())
        found: set[int] = set()
        for k in range(0, 1440, step):
            wall_time = naive_midnight + timedelta(minutes=k)
            for fold in (0, 1):
                utc = wall_time.replace(tzinfo=self.tz, fold=fold).astimezone(UTC)
                if utc.astimezone(self.tz).replace(tzinfo=None) == wall_time:
                    found.add(minutes_of(utc))
        return sorted(found)

    def local_day(self, instant: int) -> date:
        return at_minutes(instant).astimezone(self.tz).date()

    def holiday(self, day: date) -> bool:
        return is_holiday(day, self.case.branch.state, self.case.branch.country) is not None

    def working(self, start: int) -> list[StaffCalendar]:
        day = self.local_day(start)
        if self.holiday(day):
            return []
        needed = range(start, start + self.duration)
        return [s for s in self.eligible if self.working_minutes(s, day).issuperset(needed)]

    def free(self, start: int) -> list[StaffCalendar]:
        return [s for s in self.working(start) if not self.busy_clash(s, start)]

    def in_window(self, start: int) -> bool:
        return self.earliest <= start < self.latest and start >= self.now

    def assigned(self, start: int) -> uuid.UUID | None:
        free = self.free(start)
        if not free:
            return None
        day = self.local_day(start)
        best = min(free, key=lambda s: (self.booked(s, day), s.name, str(s.staff_id)))
        return best.staff_id

    def slots(self) -> dict[int, uuid.UUID]:
        expected: dict[int, uuid.UUID] = {}
        day = self.case.start_date
        while day <= self.case.end_date:
            for start in self.grid(day):
                if self.in_window(start):
                    staff_id = self.assigned(start)
                    if staff_id is not None:
                        expected[start] = staff_id
            day += timedelta(days=1)
        return expected

    def reason(self, start: int) -> Unavailable | None:
        if start < self.now:
            return Unavailable.IN_PAST
        if start < self.earliest:
            return Unavailable.TOO_SOON
        if start >= self.latest:
            return Unavailable.BEYOND_HORIZON
        if not self.eligible:
            return Unavailable.STAFF_CANNOT_PERFORM
        if not self.working(start):
            return Unavailable.OUTSIDE_HOURS
        if not self.free(start):
            return Unavailable.TAKEN
        return None


PROPERTY_SETTINGS = settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
# The oracle comparisons carry most of the weight: give them more examples.
ORACLE_SETTINGS = settings(PROPERTY_SETTINGS, max_examples=250)


def spans(intervals_: Iterable[Interval]) -> list[tuple[int, int]]:
    return [(minutes_of(i.start), minutes_of(i.end)) for i in intervals_]


def staff_by_id(staff: Sequence[StaffCalendar]) -> dict[uuid.UUID, StaffCalendar]:
    return {s.staff_id: s for s in staff}


@ORACLE_SETTINGS
@given(cases())
def test_engine_agrees_with_the_brute_force_oracle(case: Case) -> None:
    slots = run(case)
    got = {minutes_of(slot.start): slot.staff_id for slot in slots}
    assert got == Oracle(case).slots()


@PROPERTY_SETTINGS
@given(cases())
def test_slots_are_sorted_unique_and_exactly_as_long_as_the_service(case: Case) -> None:
    slots = run(case)
    starts = [slot.start for slot in slots]
    assert starts == sorted(starts)
    assert len(set(starts)) == len(starts)
    for slot in slots:
        assert slot.end - slot.start == case.service.duration
        assert slot.start.utcoffset() == timedelta(0)


@PROPERTY_SETTINGS
@given(cases())
def test_a_slot_never_overlaps_busy_time_including_the_new_buffers(case: Case) -> None:
    staff = staff_by_id(case.staff)
    for slot in run(case):
        lo = minutes_of(slot.start - case.service.buffer_before)
        hi = minutes_of(slot.end + case.service.buffer_after)
        for busy_start, busy_end in spans(staff[slot.staff_id].busy):
            assert busy_end <= lo or hi <= busy_start


@PROPERTY_SETTINGS
@given(cases())
def test_a_slot_lies_in_working_hours_and_outside_breaks_absences_closures_holidays(
    case: Case,
) -> None:
    oracle = Oracle(case)
    staff = staff_by_id(case.staff)
    blocked = spans(case.branch.closures)
    for slot in run(case):
        start, end = minutes_of(slot.start), minutes_of(slot.end)
        member = staff[slot.staff_id]
        day = oracle.local_day(start)
        assert not oracle.holiday(day)
        assert oracle.working_minutes(member, day).issuperset(range(start, end))
        for off_start, off_end in blocked + spans(member.absences):
            assert off_end <= start or end <= off_start
        assert slot.staff_id in case.service.staff_ids


@PROPERTY_SETTINGS
@given(cases())
def test_slots_respect_notice_and_horizon(case: Case) -> None:
    for slot in run(case):
        assert case.now + case.service.min_notice <= slot.start < case.now + case.service.horizon


@PROPERTY_SETTINGS
@given(cases())
def test_day_by_day_equals_the_whole_range(case: Case) -> None:
    pieces: list[Slot] = []
    day = case.start_date
    while day <= case.end_date:
        pieces.extend(run(case, day, day))
        day += timedelta(days=1)
    assert pieces == run(case)


@PROPERTY_SETTINGS
@given(cases())
def test_preferred_staff_is_respected(case: Case) -> None:
    slots = run(case)
    if case.preferred is not None:
        assert all(slot.staff_id == case.preferred for slot in slots)
        if case.preferred not in case.service.staff_ids:
            assert slots == []


@PROPERTY_SETTINGS
@given(cases(), st.randoms(use_true_random=False))
def test_assignment_is_deterministic_and_ignores_input_order(
    case: Case, shuffler: random.Random
) -> None:
    first = run(case)
    assert run(case) == first
    shuffled = list(case.staff)
    shuffler.shuffle(shuffled)
    assert run(replace(case, staff=tuple(shuffled))) == first


@ORACLE_SETTINGS
@given(cases(), st.data())
def test_check_start_agrees_with_find_slots_and_the_oracle(case: Case, data: st.DataObject) -> None:
    oracle = Oracle(case)
    slots = {slot.start: slot for slot in run(case)}
    first, _ = oracle.day_bounds(case.start_date)
    _, last = oracle.day_bounds(case.end_date)
    # Any minute, on the step grid or not: off-step starts are judged the same way.
    probes = data.draw(st.lists(st.integers(first, last - 1), min_size=1, max_size=10))
    probes += [minutes_of(start) for start in list(slots)[:5]]
    for probe in probes:
        requested = at_minutes(probe)
        result = check_start(
            case.branch, case.service, case.staff, requested, case.now, case.preferred
        )
        assert result.reason == oracle.reason(probe)
        if result.slot is None:
            assert requested not in slots
        else:
            assert result.slot.staff_id == oracle.assigned(probe)
            if requested in slots:
                assert result.slot == slots[requested]
