"""Dates and times as a written message shows them: in words and in digits, in the branch's
zone, through the German/English language layer (``language.speech``). Pure.

Written messages are read later than they are sent, so never "morgen": always the weekday and
the full date."""

from __future__ import annotations

from datetime import datetime

from frontdesk.language.speech import month_name, say_time, weekday_name


def in_words(local: datetime, language: str) -> str:
    """ "Dienstag, 15. Dezember 2026 um 14:30 Uhr" / "Tuesday, 15 December 2026 at 2:30 pm"."""
    weekday = weekday_name(local.weekday(), language)
    month = month_name(local.month, language)
    time = say_time(local.time(), language)
    if language == "en":
        return f"{weekday}, {local.day} {month} {local.year} at {time}"
    return f"{weekday}, {local.day}. {month} {local.year} um {time}"


def in_digits(local: datetime, language: str) -> str:
    """ "15.12.2026, 14:30" / "15/12/2026, 14:30" (24-hour digits in both)."""
    sep = "/" if language == "en" else "."
    return f"{local.day:02d}{sep}{local.month:02d}{sep}{local.year}, {local:%H:%M}"
