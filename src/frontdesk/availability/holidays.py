"""Public holiday lookup by date and German state, with German names, cached per year.

Building a ``holidays`` calendar takes a noticeable fraction of a second, far more than a whole
slot search, so each (country, state, year) is built once per process and kept as a plain
``date -> name`` dict. The set is small: a handful of states times a few years.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import holidays as holidays_lib


@lru_cache(maxsize=256)
def holidays_of_year(year: int, state: str | None, country: str = "DE") -> dict[date, str]:
    """All public holidays of one year, German names; ``state`` ``None`` = nationwide only.

    The returned dict is shared between callers and must not be modified.
    """
    calendar = holidays_lib.country_holidays(country, subdiv=state, years=year, language="de")
    return {day: str(name) for day, name in calendar.items()}


def is_holiday(day: date, state: str | None, country: str = "DE") -> str | None:
    """The German name of the public holiday on ``day``, or ``None`` on a normal day."""
    return holidays_of_year(day.year, state, country).get(day)
