"""Dates, times, options and prices as a voice agent says them, in German or English.

Everything is phrased for a listener: a date is "morgen" or "am Freitag" when that is enough,
the full "am Dienstag, dem 24. November" otherwise, and the year only when the day and month
alone would point to another date. Every phrase produced here reads back to the same date and
time through ``de.parse_when`` / ``en.parse_when`` (a property test holds us to that). Month
and weekday names come from Babel's CLDR data.

``locale`` is "de" or "en" (a region such as "de-DE" is accepted and ignored).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal

from babel.dates import format_date, get_day_names, get_month_names
from babel.numbers import format_decimal

__all__ = [
    "month_name",
    "say_date",
    "say_datetime",
    "say_options",
    "say_price",
    "say_time",
    "weekday_name",
]

_LANGUAGES = ("de", "en")
# Read once: Babel loads CLDR data lazily, and names are needed on every spoken date.
_MONTHS: dict[str, dict[int, str]] = {
    lang: {int(k): str(v) for k, v in get_month_names("wide", locale=lang).items()}
    for lang in _LANGUAGES
}
_WEEKDAYS: dict[str, dict[int, str]] = {
    lang: {int(k): str(v) for k, v in get_day_names("wide", locale=lang).items()}
    for lang in _LANGUAGES
}
_NEAR_DAYS = {
    "de": ("heute", "morgen", "übermorgen"),
    "en": ("today", "tomorrow"),
}
# Babel patterns for a date further away than a week; quoted text is literal.
_FAR_DATE = {"de": "EEEE, 'dem' d. MMMM", "en": "EEEE, d MMMM"}
_ON = {"de": "am", "en": "on"}
_AT = {"de": "um", "en": "at"}
_OR = {"de": "oder", "en": "or"}
MAX_OPTIONS = 3


def _language(locale: str) -> str:
    language = locale.replace("_", "-").split("-")[0].lower()
    if language not in _LANGUAGES:
        raise ValueError(f"unsupported locale {locale!r}; use 'de' or 'en'")
    return language


def month_name(month: int, locale: str = "de") -> str:
    """ "November" / "November" for 11."""
    return _MONTHS[_language(locale)][month]


def weekday_name(weekday: int, locale: str = "de") -> str:
    """ "Dienstag" / "Tuesday" for 1 (Monday is 0, as in ``date.weekday()``)."""
    return _WEEKDAYS[_language(locale)][weekday]


def say_date(day: date, today: date, locale: str = "de") -> str:
    """The day as a listener needs it relative to ``today``.

    "heute", "morgen", "übermorgen"; within the coming week "am Freitag"; else "am Dienstag,
    dem 24. November" (English "today", "tomorrow", "on Friday", "on Tuesday, 24 November").
    """
    language = _language(locale)
    ahead = (day - today).days
    near = _NEAR_DAYS[language]
    if 0 <= ahead < len(near):
        return near[ahead]
    if 0 < ahead < 7:
        return f"{_ON[language]} {weekday_name(day.weekday(), language)}"
    pattern = _FAR_DATE[language]
    if _needs_year(day, today):
        pattern += " y"
    return f"{_ON[language]} {format_date(day, pattern, locale=language)}"


def _needs_year(day: date, today: date) -> bool:
    """True when "24. November" alone would be understood as a different year."""
    for year in (today.year, today.year + 1):
        try:
            implied = date(year, day.month, day.day)
        except ValueError:
            continue
        if implied >= today:
            return implied != day
    return True


def say_time(at: time, locale: str = "de") -> str:
    """ "14:30 Uhr" / "14 Uhr" (English "2:30 pm" / "2 pm").

    German hours 1-7 get "früh", because a bare "3 Uhr" is heard as the afternoon.
    """
    if _language(locale) == "en":
        return _say_time_en(at)
    said = f"{at.hour}:{at.minute:02d} Uhr" if at.minute else f"{at.hour} Uhr"
    return f"{said} früh" if 1 <= at.hour <= 7 else said


def _say_time_en(at: time) -> str:
    suffix = "am" if at.hour < 12 else "pm"
    hour = at.hour % 12 or 12
    return f"{hour}:{at.minute:02d} {suffix}" if at.minute else f"{hour} {suffix}"


def say_datetime(moment: datetime, today: date, locale: str = "de") -> str:
    """ "morgen um 14:30 Uhr" / "tomorrow at 2:30 pm"; ``moment`` in the branch's zone."""
    language = _language(locale)
    at = f"{_AT[language]} {say_time(moment.time(), language)}"
    return f"{say_date(moment.date(), today, language)} {at}"


def say_options(
    options: Sequence[datetime],
    today: date,
    locale: str = "de",
    *,
    context_date: date | None = None,
) -> str:
    """Up to three start times joined naturally, the date said only when it changes.

    ``context_date`` is the day already under discussion; an option on it needs no date:
    "um 10 Uhr, um 11:30 Uhr oder am Freitag um 9 Uhr".
    """
    if not 1 <= len(options) <= MAX_OPTIONS:
        raise ValueError(f"say_options takes 1 to {MAX_OPTIONS} options, got {len(options)}")
    language = _language(locale)
    phrases: list[str] = []
    previous = context_date
    for moment in options:
        at = f"{_AT[language]} {say_time(moment.time(), language)}"
        if moment.date() == previous:
            phrases.append(at)
        else:
            phrases.append(f"{say_date(moment.date(), today, language)} {at}")
        previous = moment.date()
    if len(phrases) == 1:
        return phrases[0]
    return f"{', '.join(phrases[:-1])} {_OR[language]} {phrases[-1]}"


def say_price(cents: int, locale: str = "de") -> str:
    """ "25 Euro" / "25,50 Euro" (English "25 euros" / "25.50 euros") from integer cents."""
    language = _language(locale)
    amount = Decimal(cents) / 100
    pattern = "#,##0" if cents % 100 == 0 else "#,##0.00"
    number = format_decimal(amount, format=pattern, locale=language)
    if language == "de":
        return f"{number} Euro"
    return f"{number} euro" if cents == 100 else f"{number} euros"
