"""Language-neutral meaning of a date/time phrase, as the rule engine records it.

The rule engine (``rules.py``) only recognises words through a lexicon; it records what it
heard here ("a weekday, strictly next", "half past two", "the end of next month", "the day
before Christmas Eve"). ``resolve.py`` owns every policy that turns these facts into calendar
dates and wall-clock times, so no language can drift from another.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from frontdesk.language.named_days import Side
from frontdesk.language.problems import BadTime, Conflict, Problem
from frontdesk.language.when import PartOfDay


class Part(enum.Enum):
    """Which days of a week or a month a caller named ("Anfang nächster Woche", "late May")."""

    WHOLE = "whole"
    START = "start"
    MIDDLE = "middle"
    END = "end"
    WEEKEND = "weekend"


# First and last weekday (Monday = 0) of each part of a week, in one table.
WEEK_PARTS: dict[Part, tuple[int, int]] = {
    Part.WHOLE: (0, 6),
    Part.START: (0, 2),
    Part.MIDDLE: (1, 3),
    Part.END: (3, 5),
    Part.WEEKEND: (5, 6),
}

# First and last day of each part of a month; 31 stands for the month's last day.
MONTH_PARTS: dict[Part, tuple[int, int]] = {
    Part.WHOLE: (1, 31),
    Part.START: (1, 10),
    Part.MIDDLE: (11, 20),
    Part.END: (21, 31),
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


@dataclass(slots=True)
class Facts:
    """What a grammar recognised in one phrase; filled by the ``set_*`` methods."""

    relative_days: int | None = None
    weekday: int | None = None
    weekday_strict: bool = True  # False for "diesen Dienstag": today counts
    week_offset: int | None = None
    week_part: Part | None = None
    coming_weekend: bool = False  # "nächstes Wochenende": the weekend that has not begun
    month_ref: int | None = None  # a named month ("Ende Januar", "im Mai")
    month_offset: int | None = None  # "nächsten Monat": 1
    month_part: Part | None = None
    named: str | None = None  # a key of named_days.NAMED_DAYS
    named_side: Side = Side.ON
    named_shift: int = 0  # "am Tag vor Heiligabend": -1
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

    def set_week(self, offset: int | None, part: Part, end: int) -> None:
        self.recognised = True
        self.day_end = end
        if self.week_offset is not None and offset is not None and self.week_offset != offset:
            self.fail(Conflict())
        if offset is not None:
            self.week_offset = offset
        if part is not Part.WHOLE or self.week_part is None:
            self.week_part = part

    def set_month(self, month: int | None, offset: int | None, part: Part, end: int) -> None:
        """ "im Januar" (month), "nächsten Monat" (offset 1), "Ende des Monats" (offset 0)."""
        self.recognised = True
        self.day_end = end
        if self.month_part is not None and (
            (self.month_ref, self.month_offset) != (month, offset) or self.month_part is not part
        ):
            self.fail(Conflict())
        self.month_ref, self.month_offset, self.month_part = month, offset, part

    def set_named(self, key: str, end: int, *, side: Side = Side.ON, shift: int = 0) -> None:
        self.recognised = True
        self.day_end = end
        if self.named is not None and (self.named, self.named_side, self.named_shift) != (
            key,
            side,
            shift,
        ):
            self.fail(Conflict())
        self.named, self.named_side, self.named_shift = key, side, shift

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
