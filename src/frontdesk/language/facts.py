"""Language-neutral meaning of a date/time phrase and its resolution into a ``When``.

The German and English grammars only recognise words; they record what they heard here
("a weekday, strictly next", "half past two", "next week, the end of it"). This module owns
every policy that turns those facts into calendar dates and wall-clock times, so the two
languages cannot drift apart:

- a bare or "next" weekday is its next occurrence strictly after today; "<weekday> next
  week" is that weekday in the following Monday-to-Sunday week;
- an hour from 1 to 7 said without a part of day or a 24-hour form is in the afternoon
  (13-19); 8 to 12 stay as said; a part of day decides explicitly;
- a day and month without a year that has passed this year means next year; an explicit date
  in the past, an impossible date or an impossible time is a question back, never a guess.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Protocol

from frontdesk.language.when import PART_OF_DAY_WINDOWS, PartOfDay, When

# How far "gegen 10" / "around 10" reaches either side of the said time.
APPROXIMATE = timedelta(minutes=30)


class WeekPart(enum.Enum):
    """Which days of a week a caller named ("Anfang nächster Woche", "late next week")."""

    WHOLE = "whole"
    START = "start"
    MIDDLE = "middle"
    END = "end"
    WEEKEND = "weekend"


# First and last weekday (Monday = 0) of each part of a week, in one table.
WEEK_PARTS: dict[WeekPart, tuple[int, int]] = {
    WeekPart.WHOLE: (0, 6),
    WeekPart.START: (0, 2),
    WeekPart.MIDDLE: (1, 3),
    WeekPart.END: (3, 5),
    WeekPart.WEEKEND: (5, 6),
}


@dataclass(frozen=True, slots=True)
class Clock:
    """A time as said: ``hour`` before the 12-hour policy is applied."""

    hour: int
    minute: int
    explicit24: bool = False  # "14:30", "09:00", "3 pm": the hour needs no guessing

    @property
    def valid(self) -> bool:
        return 0 <= self.hour <= 23 and 0 <= self.minute <= 59


@dataclass(frozen=True, slots=True)
class NotUnderstood:
    """Nothing in the phrase was a date or a time."""


@dataclass(frozen=True, slots=True)
class NoSuchDate:
    """A calendar date that does not exist ("30. Februar")."""

    day: int
    month: int | None


@dataclass(frozen=True, slots=True)
class PastDate:
    """A date before today."""

    day: date


@dataclass(frozen=True, slots=True)
class PastTime:
    """A time today that is already over."""

    at: time


@dataclass(frozen=True, slots=True)
class SkippedTime:
    """A wall-clock time the clocks jump over (02:30 on the last Sunday of March in Berlin)."""

    at: time


@dataclass(frozen=True, slots=True)
class BadTime:
    """A time that does not exist ("25 Uhr")."""

    hour: int
    minute: int


@dataclass(frozen=True, slots=True)
class WeekdayMismatch:
    """The weekday said does not fall on the date said."""

    day: date
    said_weekday: int


@dataclass(frozen=True, slots=True)
class Conflict:
    """Two parts of the phrase contradict each other ("morgen am Freitag" on a Monday)."""


@dataclass(frozen=True, slots=True)
class BadRange:
    """A time window that ends before it starts."""


@dataclass(frozen=True, slots=True)
class TooFarAhead:
    """A day beyond any calendar a business keeps ("in 99999999999 Wochen", "31.12.9999")."""


Problem = (
    NotUnderstood
    | NoSuchDate
    | PastDate
    | PastTime
    | SkippedTime
    | BadTime
    | WeekdayMismatch
    | Conflict
    | BadRange
    | TooFarAhead
)

# Beyond this, a date is not a booking request but a slip of the tongue or of the model: it is a
# question back. (The business's own horizon, weeks to months, is judged later.)
FAR_AHEAD = timedelta(days=10 * 366)


class Questions(Protocol):
    """Turns a problem into the short question the agent asks, in one language."""

    def ask(self, problem: Problem) -> str: ...


@dataclass(slots=True)
class Facts:
    """What a grammar recognised in one phrase; filled by the ``set_*`` methods."""

    relative_days: int | None = None
    weekday: int | None = None
    weekday_strict: bool = True  # False for "diesen Dienstag": today counts
    week_offset: int | None = None
    week_part: WeekPart | None = None
    coming_weekend: bool = False  # "nächstes Wochenende": the weekend that has not begun
    offset_days: int = 0
    has_offset: bool = False
    day: int | None = None
    month: int | None = None
    year: int | None = None
    clock: Clock | None = None
    approx: bool = False
    part_of_day: PartOfDay | None = None
    from_clock: Clock | None = None
    to_clock: Clock | None = None
    asap: bool = False
    problem: Problem | None = None
    recognised: bool = False
    day_end: int = -1  # token index right after the last day expression ("Dienstag| morgen")

    def fail(self, problem: Problem) -> None:
        # The first problem wins: it is the one closest to what the caller said first.
        if self.problem is None:
            self.problem = problem

    def set_relative_days(self, days: int, end: int) -> None:
        self.recognised = True
        self.day_end = end
        if self.relative_days is not None and self.relative_days != days:
            self.fail(Conflict())
        self.relative_days = days

    def set_weekday(self, weekday: int, end: int, *, strict: bool = True) -> None:
        self.recognised = True
        self.day_end = end
        if self.weekday is not None and self.weekday != weekday:
            self.fail(Conflict())
        self.weekday = weekday
        self.weekday_strict = strict

    def set_week(self, offset: int | None, part: WeekPart, end: int) -> None:
        self.recognised = True
        self.day_end = end
        if self.week_offset is not None and offset is not None and self.week_offset != offset:
            self.fail(Conflict())
        if offset is not None:
            self.week_offset = offset
        if part is not WeekPart.WHOLE or self.week_part is None:
            self.week_part = part

    def add_offset(self, days: int) -> None:
        self.recognised = True
        self.has_offset = True
        self.offset_days += days

    def set_date(self, day: int, month: int | None, year: int | None, end: int) -> None:
        self.recognised = True
        self.day_end = end
        if self.day is not None and (self.day, self.month, self.year) != (day, month, year):
            self.fail(Conflict())
        if year is not None and year < 100:
            year += 2000
        self.day, self.month, self.year = day, month, year

    def set_clock(self, clock: Clock, *, approx: bool = False) -> None:
        self.recognised = True
        if not clock.valid:
            self.fail(BadTime(clock.hour, clock.minute))
        elif self.clock is not None and self.clock != clock:
            self.fail(Conflict())
        self.clock = clock
        self.approx = self.approx or approx

    def set_bound(self, clock: Clock, *, lower: bool) -> None:
        self.recognised = True
        if not clock.valid:
            self.fail(BadTime(clock.hour, clock.minute))
        if lower:
            self.from_clock = clock
        else:
            self.to_clock = clock

    def set_part_of_day(self, part: PartOfDay) -> None:
        self.recognised = True
        if self.part_of_day is not None and self.part_of_day is not part:
            self.fail(Conflict())
        self.part_of_day = part

    def set_asap(self) -> None:
        self.recognised = True
        self.asap = True


def to_time(clock: Clock, part: PartOfDay | None) -> time:
    """Apply the 12-hour policy: the hour a caller means by an hour as said."""
    hour = clock.hour
    if not (clock.explicit24 or hour == 0 or hour >= 13):
        if part in (PartOfDay.AFTERNOON, PartOfDay.EVENING):
            hour = hour + 12 if hour < 12 else hour
        elif part is PartOfDay.NOON:
            # "um 1 mittags" is 13:00, "um 11 mittags" stays before noon.
            hour = hour + 12 if hour <= 6 else hour
        elif part is None and hour <= 7:
            # Nobody books a salon at 3 a.m.: a bare 1-7 is the afternoon.
            hour += 12
    return time(hour, clock.minute)


def resolve(facts: Facts, now: datetime, questions: Questions) -> When:
    """Turn the recognised facts into a ``When`` relative to ``now`` (aware, branch zone)."""
    if facts.problem is None and not facts.recognised:
        facts.fail(NotUnderstood())
    if facts.problem is not None:
        return When(clarify=questions.ask(facts.problem))
    today = now.date()
    try:
        days = _resolve_days(facts, today)
    except (OverflowError, ValueError):
        # Offsets such as "in 99999999999 Wochen" leave the calendar datetime can represent.
        days = TooFarAhead()
    if isinstance(days, tuple) and any(d is not None and d - today > FAR_AHEAD for d in days):
        days = TooFarAhead()
    if not isinstance(days, tuple):
        return When(clarify=questions.ask(days))
    times = _resolve_times(facts)
    if not isinstance(times, tuple):
        return When(clarify=questions.ask(times))
    first, last = days
    exact, earliest, latest = times
    if first is not None and exact is not None and not _exists(first, exact, now.tzinfo):
        return When(clarify=questions.ask(SkippedTime(exact)))
    if first == today:
        current = now.time().replace(tzinfo=None, second=0, microsecond=0)
        if exact is not None and exact < current:
            return When(clarify=questions.ask(PastTime(exact)))
        if latest is not None and latest <= current:
            return When(clarify=questions.ask(PastTime(latest)))
    return When(
        date=first,
        time=exact,
        earliest=earliest,
        latest=latest,
        latest_date=last,
        asap=facts.asap,
    )


def _exists(day: date, at: time, zone: tzinfo | None) -> bool:
    """False for a wall-clock time inside a daylight-saving gap of ``zone``."""
    if zone is None:
        return True
    local = datetime.combine(day, at, tzinfo=zone)
    return local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == local.replace(tzinfo=None)


DayRange = tuple[date | None, date | None]


def _resolve_days(facts: Facts, today: date) -> DayRange | Problem:
    first: date | None = None
    last: date | None = None
    if facts.day is not None:
        explicit = _explicit_date(facts.day, facts.month, facts.year, today)
        if not isinstance(explicit, date):
            return explicit
        first = explicit
    if facts.relative_days is not None:
        relative = today + timedelta(days=facts.relative_days)
        if first is not None and first != relative:
            return Conflict()
        first = relative
    if facts.week_offset is not None or facts.week_part is not None:
        week = _resolve_week(facts, today, first)
        if not isinstance(week, tuple):
            return week
        first, last = week
    elif facts.weekday is not None:
        if first is not None:
            if first.weekday() != facts.weekday:
                return WeekdayMismatch(first, facts.weekday)
        else:
            first = _next_weekday(today, facts.weekday, strict=facts.weekday_strict)
    if facts.has_offset:
        shift = timedelta(days=facts.offset_days)
        first = (first or today) + shift
        last = last + shift if last is not None else None
    if first is not None and first < today:
        return PastDate(first)
    return first, last


def _resolve_week(facts: Facts, today: date, first: date | None) -> DayRange | Problem:
    part = facts.week_part or WeekPart.WHOLE
    offset = facts.week_offset if facts.week_offset is not None else 0
    if part is WeekPart.WEEKEND and facts.coming_weekend and today.weekday() >= 5:
        # "nächstes Wochenende" said on a Saturday is the one after this.
        offset += 1
    monday = today - timedelta(days=today.weekday()) + timedelta(weeks=offset)
    if facts.weekday is not None:
        day = monday + timedelta(days=facts.weekday)
        if first is not None and first != day:
            return Conflict()
        return day, None
    if first is not None:
        return Conflict()
    start_wd, end_wd = WEEK_PARTS[part]
    start = max(monday + timedelta(days=start_wd), today)
    end = monday + timedelta(days=end_wd)
    if end < today:
        return PastDate(end)
    return start, (end if end > start else None)


def _next_weekday(today: date, weekday: int, *, strict: bool) -> date:
    ahead = (weekday - today.weekday()) % 7
    if ahead == 0 and strict:
        ahead = 7
    return today + timedelta(days=ahead)


def _explicit_date(day: int, month: int | None, year: int | None, today: date) -> date | Problem:
    if month is None:
        return _day_of_month(day, today)
    if year is not None:
        try:
            said = date(year, month, day)
        except ValueError:
            return NoSuchDate(day, month)
        return PastDate(said) if said < today else said
    try:
        # A leap year accepts every day that exists in some year; 30.2. fails here.
        date(2000, month, day)
    except ValueError:
        return NoSuchDate(day, month)
    for candidate_year in (today.year, today.year + 1):
        try:
            candidate = date(candidate_year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    return NoSuchDate(day, month)


def _day_of_month(day: int, today: date) -> date | Problem:
    """ "am fünften": this month if still ahead, else next month."""
    year, month = today.year, today.month
    for _ in range(2):
        try:
            candidate = date(year, month, day)
        except ValueError:
            candidate = None
        if candidate is not None and candidate >= today:
            return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return NoSuchDate(day, None)


TimeWindow = tuple[time | None, time | None, time | None]


def _resolve_times(facts: Facts) -> TimeWindow | Problem:
    part = facts.part_of_day
    exact: time | None = None
    earliest: time | None = None
    latest: time | None = None
    if facts.clock is not None:
        exact = to_time(facts.clock, part)
        if facts.approx:
            earliest, latest = _around(exact)
    elif part is not None:
        earliest, latest = PART_OF_DAY_WINDOWS[part]
    if facts.from_clock is not None:
        earliest = to_time(facts.from_clock, part)
    if facts.to_clock is not None:
        latest = to_time(facts.to_clock, part)
    if earliest is not None and latest is not None and earliest >= latest:
        return BadRange()
    return exact, earliest, latest


def _around(at: time) -> tuple[time, time]:
    minutes = at.hour * 60 + at.minute
    reach = int(APPROXIMATE.total_seconds()) // 60
    low = max(minutes - reach, 0)
    high = min(minutes + reach, 23 * 60 + 59)
    return time(low // 60, low % 60), time(high // 60, high % 60)
