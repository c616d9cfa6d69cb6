"""A branch's opening hours applied to its staff's weekly hours (pure).

Bookable time is a staff member's working window within one of the branch's opening windows of
that weekday; breaks are kept where they fall inside what remains. A branch without opening
hours of its own leaves its staff's hours as they are (ADR 0021).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import time

from frontdesk.availability.model import DaySchedule

Window = tuple[time, time]


def within_opening(
    weekly: Iterable[DaySchedule], opening: Mapping[int, Sequence[Window]] | None
) -> tuple[DaySchedule, ...]:
    """``weekly`` cut to ``opening`` (weekday → windows; a weekday missing is closed), or
    ``weekly`` unchanged when ``opening`` is None (the branch keeps no opening hours)."""
    if opening is None:
        return tuple(weekly)
    cut: list[DaySchedule] = []
    for day in weekly:
        for open_from, open_until in opening.get(day.weekday, ()):
            start, end = max(day.start, open_from), min(day.end, open_until)
            if start < end:
                cut.append(DaySchedule(day.weekday, start, end, _breaks_within(day, start, end)))
    return tuple(sorted(cut, key=lambda d: (d.weekday, d.start)))


def _breaks_within(day: DaySchedule, start: time, end: time) -> tuple[Window, ...]:
    kept = ((max(lo, start), min(hi, end)) for lo, hi in day.breaks)
    return tuple(pause for pause in kept if pause[0] < pause[1])
