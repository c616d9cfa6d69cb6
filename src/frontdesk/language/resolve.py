"""Turn recognised ``Facts`` into a ``When`` relative to "now": every date/time policy.

- a bare or "next" weekday is its next occurrence strictly after today; "<weekday> next
  week" is that weekday in the following Monday-to-Sunday week;
- an hour from 1 to 7 said without a part of day or a 24-hour form is in the afternoon
  (13-19); 8 to 12 stay as said; a part of day decides explicitly;
- a day and month without a year that has passed this year means next year; so does a named
  day ("Heiligabend") or a named month's part ("Ende Januar") that is over;
- ranges of days (weeks, months and their parts, "Weihnachten", "vor Ostern") never start
  before today; a range of this week or this month that is over is a question back;
- an explicit date in the past, an impossible date or time, a contradiction or anything not
  understood is a question back, never a guess.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from frontdesk.language.facts import MONTH_PARTS, WEEK_PARTS, Clock, Facts, Part
from frontdesk.language.named_days import occurrence
from frontdesk.language.problems import (
    BadRange,
    Conflict,
    NoSuchDate,
    NotUnderstood,
    PastDate,
    PastTime,
    Problem,
    Questions,
    SkippedTime,
    WeekdayMismatch,
)
from frontdesk.language.when import PART_OF_DAY_WINDOWS, PartOfDay, When

# How far "gegen 10" / "around 10" reaches either side of the said time.
APPROXIMATE = timedelta(minutes=30)

DayRange = tuple[date | None, date | None]
TimeWindow = tuple[time | None, time | None, time | None]


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


# Beyond this a day is asked for again; the business's own horizon (weeks to months) is judged
# later, by the use case.
FAR_AHEAD = timedelta(days=10 * 366)


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
        # "in 99999999999 Wochen", a year past 9999: nothing a caller can book.
        days = NotUnderstood()
    if isinstance(days, tuple) and any(d is not None and d - today > FAR_AHEAD for d in days):
        # "31.12.9999": a slip of the tongue or of the model, not a booking request.
        days = NotUnderstood()
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
        latest_date=last if last != first else None,
        asap=facts.asap,
    )


def _exists(day: date, at: time, zone: tzinfo | None) -> bool:
    """False for a wall-clock time inside a daylight-saving gap of ``zone``."""
    if zone is None:
        return True
    local = datetime.combine(day, at, tzinfo=zone)
    return local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == local.replace(tzinfo=None)


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
    spans: list[DayRange | Problem] = []
    if facts.named is not None:
        spans.append(occurrence(facts.named, today, facts.named_side, facts.named_shift))
    if facts.month_part is not None:
        spans.append(_resolve_month(facts, today))
    for span in spans:
        if not isinstance(span, tuple):
            return span
        merged = _within(first, last, span)
        if merged is None:
            return Conflict()
        first, last = merged
    if facts.week_offset is not None or facts.week_part is not None:
        week = _resolve_week(facts, today, first)
        if not isinstance(week, tuple):
            return week
        first, last = week
    elif facts.weekday is not None:
        if first is None:
            first = _next_weekday(today, facts.weekday, strict=facts.weekday_strict)
        else:
            found = _weekday_in(first, last or first, facts.weekday)
            if found is None:
                return WeekdayMismatch(first, facts.weekday)
            first, last = found, None
    if facts.has_offset:
        shift = timedelta(days=facts.offset_days)
        first = (first or today) + shift
        last = last + shift if last is not None else None
    if first is not None and first < today:
        return PastDate(first)
    return first, last


def _within(first: date | None, last: date | None, span: DayRange) -> DayRange | None:
    """A day (or range) already said, narrowed by a span; None when they do not meet."""
    lo, hi = span
    if first is None or lo is None or hi is None:
        return span if first is None else (first, last)
    end = last or first
    if end < lo or first > hi:
        return None
    if last is None:
        return first, None
    return max(first, lo), min(end, hi)


def _weekday_in(first: date, last: date, weekday: int) -> date | None:
    day = first + timedelta(days=(weekday - first.weekday()) % 7)
    return day if day <= last else None


def _resolve_week(facts: Facts, today: date, first: date | None) -> DayRange | Problem:
    part = facts.week_part or Part.WHOLE
    offset = facts.week_offset if facts.week_offset is not None else 0
    if part is Part.WEEKEND and facts.coming_weekend and today.weekday() >= 5:
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


def _month_span(year: int, month: int, part: Part) -> tuple[date, date]:
    first_day, last_day = MONTH_PARTS.get(part, MONTH_PARTS[Part.WHOLE])
    length = calendar.monthrange(year, month)[1]
    return date(year, month, first_day), date(year, month, min(last_day, length))


def _resolve_month(facts: Facts, today: date) -> DayRange | Problem:
    """ "Ende Januar" (next not yet over), "nächsten Monat", "Anfang des Monats"."""
    part = facts.month_part or Part.WHOLE
    if facts.month_ref is not None:
        for year in (today.year, today.year + 1):
            start, end = _month_span(year, facts.month_ref, part)
            if end >= today:
                return max(start, today), end
    index = today.year * 12 + today.month - 1 + (facts.month_offset or 0)
    start, end = _month_span(index // 12, index % 12 + 1, part)
    if end < today:
        return PastDate(end)
    return max(start, today), end


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
