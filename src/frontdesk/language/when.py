"""The result of reading a spoken date/time phrase, shared by the German and English parsers.

This module holds only the value types and the one table of part-of-day windows, so that both
grammars (``de.py``, ``en.py``) and every caller agree on what "vormittags" or "in the
afternoon" means.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class When:
    """What a caller meant by a date/time phrase, resolved against "now" in the branch's zone.

    Read the fields as constraints on the appointment's start:

    - ``date``: the day (or the first day of a range of days such as "nächste Woche");
    - ``latest_date``: the last day of such a range, else ``None``;
    - ``time``: the exact wall-clock start the caller asked for;
    - ``earliest`` / ``latest``: a window of the day ("nachmittags", "ab 15 Uhr", "gegen 10");
      with ``time`` set as well (only for "gegen") the window is the tolerance around it;
    - ``asap``: the caller wants the next free slot ("so früh wie möglich");
    - ``clarify``: a short question to ask back instead of guessing; when it is set the other
      fields carry no meaning.
    """

    date: dt.date | None = None
    time: dt.time | None = None
    earliest: dt.time | None = None
    latest: dt.time | None = None
    latest_date: dt.date | None = None
    asap: bool = False
    clarify: str | None = None

    @property
    def understood(self) -> bool:
        """True when the phrase was read without needing a question back."""
        return self.clarify is None


class PartOfDay(enum.Enum):
    """Parts of the day a caller can name instead of a time."""

    EARLY = "early"  # "früh", "morgens", "early morning"
    MORNING = "morning"  # "vormittags", "in the morning"
    NOON = "noon"  # "mittags", "around noon"
    AFTERNOON = "afternoon"  # "nachmittags", "in the afternoon"
    EVENING = "evening"  # "abends", "in the evening"


# The one table of windows. Chosen for service businesses: "früh" is the first hours a shop is
# open, "vormittags" ends at noon, "mittags" is the lunch slot, "nachmittags" starts after lunch.
PART_OF_DAY_WINDOWS: dict[PartOfDay, tuple[dt.time, dt.time]] = {
    PartOfDay.EARLY: (dt.time(8, 0), dt.time(10, 0)),
    PartOfDay.MORNING: (dt.time(9, 0), dt.time(12, 0)),
    PartOfDay.NOON: (dt.time(11, 30), dt.time(14, 0)),
    PartOfDay.AFTERNOON: (dt.time(14, 0), dt.time(18, 0)),
    PartOfDay.EVENING: (dt.time(17, 0), dt.time(20, 0)),
}
