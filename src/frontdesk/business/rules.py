"""What an owner may set (pure): weekly windows, breaks, date ranges, service numbers, names.

Each check raises ``InvalidSetting`` with an English ``detail`` (logs, problem details) and a
German ``message`` (the page), before anything is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from itertools import pairwise

from frontdesk.domain import rules
from frontdesk.domain.errors import InvalidRequest, InvalidSetting

WEEKDAYS_DE = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
MAX_NAME = 200  # service.name
MAX_ALIAS = 100
MAX_ALIASES = 20
MAX_LABEL = 100  # phone_number.label
MAX_MINUTES = 24 * 60  # a duration or buffer beyond a day is a typing mistake
MAX_PRICE_CENTS = 10_000_000  # 100 000 € for one service
MAX_WINDOWS_A_DAY = 6


@dataclass(frozen=True, slots=True)
class Window:
    """One weekly window in local time, with its breaks (opening hours have none)."""

    start: time
    end: time
    breaks: tuple[tuple[time, time], ...] = ()


Week = Mapping[int, Sequence[Window]]


def _hhmm(value: time) -> str:
    return value.strftime("%H:%M")


def week(days: Week, *, breaks_allowed: bool = True) -> dict[int, tuple[Window, ...]]:
    """A whole week checked: weekdays 0–6, each window starting before it ends, the windows of a
    day not overlapping, every break inside its window and not overlapping another. Days left
    out or empty are closed. Returns each day's windows sorted."""
    checked: dict[int, tuple[Window, ...]] = {}
    for weekday, windows in days.items():
        if not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise InvalidSetting(
                f"weekday must be 0 (Monday) .. 6 (Sunday), got {weekday!r}",
                "Unbekannter Wochentag.",
                "weekday",
            )
        checked[weekday] = day_windows(WEEKDAYS_DE[weekday], windows, breaks_allowed)
    return {d: w for d, w in sorted(checked.items()) if w}


def day_windows(day: str, windows: Iterable[Window], breaks_allowed: bool) -> tuple[Window, ...]:
    ordered = sorted(windows, key=lambda w: (w.start, w.end))
    if len(ordered) > MAX_WINDOWS_A_DAY:
        raise InvalidSetting(
            f"at most {MAX_WINDOWS_A_DAY} windows a day",
            f"Am {day} sind höchstens {MAX_WINDOWS_A_DAY} Zeitfenster möglich.",
            "windows",
        )
    for window in ordered:
        _window(day, window, breaks_allowed)
    for before, after in pairwise(ordered):
        if after.start < before.end:
            raise InvalidSetting(
                f"{day}: windows overlap",
                f"Am {day} überschneiden sich {_hhmm(before.start)}–{_hhmm(before.end)} und "
                f"{_hhmm(after.start)}–{_hhmm(after.end)}.",
                "windows",
            )
    return tuple(ordered)


def _window(day: str, window: Window, breaks_allowed: bool) -> None:
    span = f"{_hhmm(window.start)}–{_hhmm(window.end)}"
    if window.start.tzinfo is not None or window.end.tzinfo is not None:
        raise InvalidSetting("times are local wall-clock times", "Bitte Uhrzeiten ohne Zeitzone.")
    if not window.start < window.end:
        raise InvalidSetting(
            f"{day}: window ends before it starts",
            f"Am {day} endet {span} nicht nach dem Beginn.",
            "windows",
        )
    if window.breaks and not breaks_allowed:
        raise InvalidSetting("opening hours have no breaks", "Öffnungszeiten haben keine Pausen.")
    pauses = sorted(window.breaks)
    for lo, hi in pauses:
        pause = f"{_hhmm(lo)}–{_hhmm(hi)}"
        if not lo < hi:
            raise InvalidSetting(
                f"{day}: break ends before it starts",
                f"Am {day} endet die Pause {pause} nicht nach ihrem Beginn.",
                "breaks",
            )
        if lo < window.start or hi > window.end:
            raise InvalidSetting(
                f"{day}: break outside its working window",
                f"Am {day} liegt die Pause {pause} nicht innerhalb der Arbeitszeit {span}.",
                "breaks",
            )
    for before, after in pairwise(pauses):
        if after[0] < before[1]:
            raise InvalidSetting(
                f"{day}: breaks overlap", f"Am {day} überschneiden sich zwei Pausen.", "breaks"
            )


def span(starts_at: datetime, ends_at: datetime) -> tuple[datetime, datetime]:
    """A time range in UTC: both with an offset, in range, the start before the end."""
    try:
        lo, hi = rules.instant(starts_at, "start"), rules.instant(ends_at, "end")
    except InvalidRequest as exc:
        raise InvalidSetting(
            exc.detail, "Bitte Beginn und Ende mit Datum und Uhrzeit angeben."
        ) from None
    if not lo < hi:
        raise InvalidSetting(
            "the range ends before it starts", "Das Ende muss nach dem Beginn liegen.", "ends_at"
        )
    return lo, hi


def minutes(value: int, what: str, label: str, *, positive: bool) -> int:
    """A duration or buffer in whole minutes: positive (durations) or at least zero (buffers)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidSetting(
            f"{what} must be whole minutes", f"{label}: bitte ganze Minuten.", what
        )
    if value < (1 if positive else 0) or value > MAX_MINUTES:
        least = "mindestens 1" if positive else "nicht negativ"
        raise InvalidSetting(
            f"{what} out of range: {value}",
            f"{label} muss {least} und höchstens {MAX_MINUTES} Minuten sein.",
            what,
        )
    return value


def price(value: int | None) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_PRICE_CENTS:
        raise InvalidSetting(
            f"price_cents out of range: {value!r}",
            "Der Preis muss zwischen 0 und 100.000 € liegen.",
            "price_cents",
        )
    return value


def text(
    value: str | None, what: str, label: str, max_length: int, *, required: bool
) -> str | None:
    """One line of text, stripped; None when empty and not required."""
    stripped = (value or "").strip()
    if not stripped:
        if required:
            raise InvalidSetting(f"{what} is required", f"{label} fehlt.", what)
        return None
    if rules.text_problem(stripped, max_length, single_line=True) is not None:
        raise InvalidSetting(
            f"{what}: not acceptable text",
            f"{label}: höchstens {max_length} Zeichen in einer Zeile.",
            what,
        )
    return stripped


def aliases(values: Iterable[str]) -> list[str]:
    """What callers may call a service: stripped, each once (case-insensitive), bounded."""
    seen: dict[str, str] = {}
    for value in values:
        alias = text(value, "aliases", "Ein anderer Name", MAX_ALIAS, required=False)
        if alias is not None:
            seen.setdefault(alias.casefold(), alias)
    if len(seen) > MAX_ALIASES:
        raise InvalidSetting(
            f"at most {MAX_ALIASES} aliases",
            f"Höchstens {MAX_ALIASES} andere Namen je Leistung.",
            "aliases",
        )
    return list(seen.values())
