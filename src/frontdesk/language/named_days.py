"""Named days of the year ("Heiligabend", "Ostermontag", "Boxing Day") as spans of dates.

Language-neutral: the lexicons map words to the keys of ``NAMED_DAYS``; this module turns a key
into the dates it means in a given year, and into the occurrence a caller means relative to
"today". Movable feasts come from ``dateutil.easter`` (a dependency of ``holidays``), never from
a hand-written Easter algorithm.

Policies (ADR 0010):

- A named day is its next occurrence that has not ended: "Heiligabend" said on 25 December is
  next year's; "Weihnachten" (24-26 December) said on the 25th is the 25th-26th.
- Spans: "Weihnachten" 24-26 Dec, "Weihnachtsfeiertage" 25-26 Dec, "zwischen den Jahren"
  27-30 Dec, "Ostern" Easter Sunday-Monday, "Pfingsten" Whit Sunday-Monday; every other name
  is one day.
- "vor X" / "nach X" is the week (``AROUND_DAYS``) before X begins / after X ends;
  "am Tag vor X" and "N Tage nach X" are single days counted from X's first / last day.
- The start of a span is never before today; a span that has ended entirely rolls over to
  the next year's.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import date, timedelta
from functools import lru_cache

from dateutil.easter import easter  # type: ignore[import-untyped]

__all__ = ["AROUND_DAYS", "NAMED_DAYS", "Side", "Span", "named_span", "occurrence"]

Span = tuple[date, date]

# How far "vor Weihnachten" / "after Easter" reaches: one week.
AROUND_DAYS = 7


class Side(enum.Enum):
    """Where a caller puts the appointment relative to a named day."""

    ON = "on"
    BEFORE = "before"
    AFTER = "after"


def _fixed(month: int, day: int, days: int = 1) -> Callable[[int], Span]:
    def span(year: int) -> Span:
        first = date(year, month, day)
        return first, first + timedelta(days=days - 1)

    return span


def _from_easter(offset: int, days: int = 1) -> Callable[[int], Span]:
    def span(year: int) -> Span:
        first = _easter_sunday(year) + timedelta(days=offset)
        return first, first + timedelta(days=days - 1)

    return span


@lru_cache(maxsize=64)
def _easter_sunday(year: int) -> date:
    found: date = easter(year)
    return found


# Key → the dates it means in a year. Keys are language-neutral; lexicons name them.
NAMED_DAYS: dict[str, Callable[[int], Span]] = {
    "new_years_day": _fixed(1, 1),
    "epiphany": _fixed(1, 6),
    "valentines_day": _fixed(2, 14),
    "labour_day": _fixed(5, 1),
    "german_unity_day": _fixed(10, 3),
    "halloween": _fixed(10, 31),
    "all_saints_day": _fixed(11, 1),
    "st_nicholas_day": _fixed(12, 6),
    "christmas_eve": _fixed(12, 24),
    "christmas": _fixed(12, 24, 3),
    "christmas_holidays": _fixed(12, 25, 2),
    "christmas_day": _fixed(12, 25),
    "boxing_day": _fixed(12, 26),
    "between_the_years": _fixed(12, 27, 4),
    "new_years_eve": _fixed(12, 31),
    "shrove_monday": _from_easter(-48),
    "ash_wednesday": _from_easter(-46),
    "maundy_thursday": _from_easter(-3),
    "good_friday": _from_easter(-2),
    "holy_saturday": _from_easter(-1),
    "easter": _from_easter(0, 2),
    "easter_sunday": _from_easter(0),
    "easter_monday": _from_easter(1),
    "ascension_day": _from_easter(39),
    "whitsun": _from_easter(49, 2),
    "whit_sunday": _from_easter(49),
    "whit_monday": _from_easter(50),
    "corpus_christi": _from_easter(60),
}


def named_span(key: str, year: int, side: Side = Side.ON, shift: int = 0) -> Span:
    """The dates of ``key`` in ``year``, moved to ``side`` of it or ``shift`` days away.

    ``shift`` < 0 is that many days before the first day, > 0 after the last day.
    """
    first, last = NAMED_DAYS[key](year)
    if shift < 0:
        day = first + timedelta(days=shift)
        return day, day
    if shift > 0:
        day = last + timedelta(days=shift)
        return day, day
    if side is Side.BEFORE:
        return first - timedelta(days=AROUND_DAYS), first - timedelta(days=1)
    if side is Side.AFTER:
        return last + timedelta(days=1), last + timedelta(days=AROUND_DAYS)
    return first, last


def occurrence(key: str, today: date, side: Side = Side.ON, shift: int = 0) -> Span:
    """The next span of ``key`` that has not ended by ``today``, its start clipped to today.

    Last year's is tried first, so "nach Silvester" said on 2 January is this week.
    """
    for year in (today.year - 1, today.year, today.year + 1):
        first, last = named_span(key, year, side, shift)
        if last >= today:
            return max(first, today), last
    # Unreachable for spans shorter than a year; keep the type honest.
    return named_span(key, today.year + 2, side, shift)
