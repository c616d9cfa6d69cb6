"""Reading the settings forms (pure): German times, prices and numbers as people type them.

Each parser raises ``FormProblem`` with the field's name and a German message, so the page shows
the message next to the field and nothing is written. What the values mean (a window ends after
it starts, a price in range, …) is the use cases' business (``business/rules.py``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, time
from decimal import Decimal, InvalidOperation

from frontdesk.business.rules import WEEKDAYS_DE, Window

WINDOWS_SHOWN = 3  # rows per weekday on the hours forms (the rules allow up to six)
_TIME = re.compile(r"([01]?\d|2[0-3])[:.]([0-5]\d)")
_PRICE = re.compile(r"(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d{1,2}))?")
_BREAK = re.compile(r"\s*(\S+)\s*[-–]\s*(\S+)\s*")


class FormProblem(Exception):
    """A field that cannot be read: ``field`` (its name) and a German ``message``."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def clock_time(value: str, field: str) -> time:
    """``9:00``, ``09:00`` or ``9.00`` → 09:00 (a 24-hour wall-clock time)."""
    found = _TIME.fullmatch(value.strip())
    if found is None:
        raise FormProblem(field, f"„{value.strip()[:20]}“ ist keine Uhrzeit (SS:MM).")
    return time(int(found.group(1)), int(found.group(2)))


def week(form: Mapping[str, str], *, with_breaks: bool) -> dict[int, list[Window]]:
    """The hours form: ``d{weekday}_{row}_start``/``_end`` (and ``_breaks``: "13:00-13:30,
    …"); a row with both times empty is no window, a day without windows is closed."""
    days: dict[int, list[Window]] = {}
    for day in range(7):
        windows = []
        for row in range(WINDOWS_SHOWN):
            prefix = f"d{day}_{row}"
            start, end = form.get(f"{prefix}_start", ""), form.get(f"{prefix}_end", "")
            if not start.strip() and not end.strip():
                continue
            if not start.strip() or not end.strip():
                missing = f"{prefix}_start" if not start.strip() else f"{prefix}_end"
                raise FormProblem(missing, f"Am {WEEKDAYS_DE[day]} fehlt Beginn oder Ende.")
            breaks = breaks_of(form.get(f"{prefix}_breaks", ""), f"{prefix}_breaks")
            windows.append(
                Window(
                    clock_time(start, f"{prefix}_start"),
                    clock_time(end, f"{prefix}_end"),
                    breaks if with_breaks else (),
                )
            )
        days[day] = windows
    return days


def breaks_of(value: str, field: str) -> tuple[tuple[time, time], ...]:
    """``13:00-13:30, 16:00-16:15`` → the breaks; empty → none."""
    pauses = []
    for part in filter(None, (p.strip() for p in value.split(","))):
        found = _BREAK.fullmatch(part)
        if found is None:
            raise FormProblem(field, f"„{part[:20]}“ ist keine Pause (z. B. 13:00-13:30).")
        pauses.append((clock_time(found.group(1), field), clock_time(found.group(2), field)))
    return tuple(pauses)


def window_text(window: Window) -> tuple[str, str, str]:
    """A window as the form shows it: start, end and its breaks."""
    breaks = ", ".join(f"{lo:%H:%M}-{hi:%H:%M}" for lo, hi in window.breaks)
    return f"{window.start:%H:%M}", f"{window.end:%H:%M}", breaks


def euros(value: str, field: str) -> int | None:
    """``25``, ``25,5``, ``25,00 €``, ``1.250,00`` → cents; empty → no price."""
    text = value.replace("€", "").replace("\u00a0", " ").strip().replace(" ", "")
    if not text:
        return None
    found = _PRICE.fullmatch(text)
    if found is None:
        raise FormProblem(field, f"„{value.strip()[:20]}“ ist kein Preis (z. B. 25,00 €).")
    try:
        whole = Decimal(found.group(1).replace(".", ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits digits only
        raise FormProblem(field, "Bitte einen Preis in Euro angeben.") from None
    cents = (found.group(2) or "0").ljust(2, "0")
    return int(whole) * 100 + int(cents)


def euro_text(cents: int | None) -> str:
    """Cents as Germans write prices: 2500 → ``25,00 €``, 125000 → ``1.250,00 €``."""
    if cents is None:
        return ""
    whole = f"{cents // 100:,}".replace(",", ".")
    return f"{whole},{cents % 100:02d} €"


def whole_number(value: str, field: str, label: str) -> int:
    """A count of minutes or days as typed: digits only (the rules check the range)."""
    text = value.strip()
    if not text.isdecimal() or len(text) > 6:
        raise FormProblem(field, f"{label}: bitte eine ganze Zahl angeben.")
    return int(text)


def day_of(value: str, field: str) -> date:
    """A date from the browser's date input (``YYYY-MM-DD``) or typed German style
    (``24.12.2026``)."""
    text = value.strip()
    try:
        if re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{4}", text):
            day, month, year = (int(p) for p in text.split("."))
            return date(year, month, day)
        return date.fromisoformat(text)
    except ValueError:
        raise FormProblem(field, f"„{text[:20]}“ ist kein gültiges Datum.") from None


def aliases_of(value: str) -> list[str]:
    """One alias per line (or separated by commas)."""
    return [a.strip() for a in re.split(r"[\n,]", value) if a.strip()]
