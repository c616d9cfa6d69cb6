"""Mapping one local calendar day of the branch's zone onto the UTC microsecond line.

This is the only place that turns wall-clock times into instants, so the DST rule lives here:

* A wall-clock *boundary* (start or end of a working window or break) is resolved the PEP 495
  way with ``fold=0``: a time inside the spring-forward gap moves forward by the gap (02:30 on
  29 Mar 2026 in Berlin becomes 03:30 CEST); a time inside the repeated autumn hour means its
  first occurrence (02:30 CEST on 25 Oct 2026).
* *Candidate starts* are the wall-clock times ``00:00 + k * step`` of the day. Times that do not
  exist (spring gap) are skipped; times that exist twice (autumn) yield both instants, in
  order, because both are real and the staff member is really there for both.

On the ~363 days a year with one UTC offset all day, both mappings are plain additions to the
UTC instant of local midnight, so the zone database is consulted once per day, not per slot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

US_PER_SECOND = 1_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US = timedelta(microseconds=1)
_DAY_US = 86_400 * US_PER_SECOND


def to_us(instant: datetime) -> int:
    """Exact microseconds since the epoch of an aware datetime."""
    return (instant - _EPOCH) // _ONE_US


def from_us(us: int) -> datetime:
    """The aware UTC datetime of an epoch-microsecond value."""
    seconds, micros = divmod(us, US_PER_SECOND)
    # fromtimestamp is about twice as fast as epoch + timedelta and exact for whole seconds,
    # which is what every slot start on a minute grid is.
    whole = datetime.fromtimestamp(seconds, UTC)
    return whole.replace(microsecond=micros) if micros else whole


def duration_us(span: timedelta) -> int:
    return span // _ONE_US


def _time_us(t: time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * US_PER_SECOND + t.microsecond


@dataclass(frozen=True, slots=True)
class DayFrame:
    """One local day ``[local midnight, next local midnight)`` as UTC microseconds."""

    day: date
    tz: ZoneInfo
    start: int
    end: int
    uniform: bool
    """True when the day has a single UTC offset (no DST change)."""

    def at(self, wall: time) -> int:
        """The instant of a wall-clock boundary on this day (``fold=0``, see module doc)."""
        if self.uniform:
            return self.start + _time_us(wall)
        return to_us(datetime.combine(self.day, wall, tzinfo=self.tz))

    def grid(self, step_us: int) -> tuple[int, ...]:
        """Candidate start instants of the day on the wall-clock step grid, ascending."""
        return _grid(self, step_us)


@lru_cache(maxsize=4096)
def day_frame(day: date, tz: ZoneInfo) -> DayFrame:
    """The frame of a local day; cached because every search walks the same few weeks."""
    midnight = datetime.combine(day, time(), tzinfo=tz)
    next_midnight = datetime.combine(day + timedelta(days=1), time(), tzinfo=tz)
    start, end = to_us(midnight), to_us(next_midnight)
    uniform = end - start == _DAY_US and midnight.utcoffset() == next_midnight.utcoffset()
    return DayFrame(day=day, tz=tz, start=start, end=end, uniform=uniform)


def local_date(us: int, tz: ZoneInfo) -> date:
    """The branch-local calendar date an instant falls on."""
    return from_us(us).astimezone(tz).date()


@lru_cache(maxsize=4096)
def _grid(frame: DayFrame, step_us: int) -> tuple[int, ...]:
    if frame.uniform:
        return tuple(range(frame.start, frame.end, step_us))
    instants: list[int] = []
    naive_midnight = datetime.combine(frame.day, time())
    step = timedelta(microseconds=step_us)
    wall = naive_midnight
    while wall.date() == frame.day:
        for fold in (0, 1):
            local = wall.replace(tzinfo=frame.tz, fold=fold)
            utc = local.astimezone(UTC)
            # A wall time in the spring gap does not survive the round trip: skip it.
            if utc.astimezone(frame.tz).replace(tzinfo=None) == wall:
                instants.append(to_us(utc))
        wall += step
    return tuple(sorted(set(instants)))
