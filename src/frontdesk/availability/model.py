"""Input and output value types of the availability engine, validated on construction.

Everything the engine needs arrives in these frozen dataclasses; the caller (the booking use
case) loads them from the database and the engine never does I/O. Instants are aware UTC
datetimes, working hours are local wall-clock times of the branch's zone.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from frontdesk.availability.localday import to_us
from frontdesk.availability.rules import Span, merge

_ZERO = timedelta(0)


def _require_utc(name: str, value: datetime) -> None:
    # Comparing naive with aware datetimes raises deep inside the engine; fail at the boundary.
    offset = value.utcoffset()
    if offset is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value!r}")
    if offset != _ZERO:
        raise ValueError(f"{name} must be in UTC, got offset {offset}")


def _span_index(intervals: tuple[Interval, ...]) -> tuple[Span, ...]:
    """Intervals as a merged span list, computed once when the value object is built.

    Callers keep staff calendars in the per-branch cache across requests, so every search after
    the first one finds its appointments by bisecting this index instead of converting and
    sorting all of them again.
    """
    return tuple(merge((to_us(i.start), to_us(i.end)) for i in intervals))


def _require_naive(name: str, value: time) -> None:
    if value.tzinfo is not None:
        raise ValueError(f"{name} is a local wall-clock time and must be naive, got {value!r}")


@dataclass(frozen=True, slots=True)
class Interval:
    """A half-open span of time ``[start, end)`` between two aware UTC datetimes."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        _require_utc("Interval.start", self.start)
        _require_utc("Interval.end", self.end)
        if not self.start < self.end:
            raise ValueError(f"Interval start {self.start} must be before end {self.end}")


@dataclass(frozen=True, slots=True)
class DaySchedule:
    """One working window on a weekday (0 = Monday), local wall-clock time, with its breaks.

    A staff member may have several windows on the same weekday (split shifts). Windows do not
    cross midnight: ``start < end`` on the same day.
    """

    weekday: int
    start: time
    end: time
    breaks: tuple[tuple[time, time], ...] = ()

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) .. 6 (Sunday), got {self.weekday}")
        _require_naive("DaySchedule.start", self.start)
        _require_naive("DaySchedule.end", self.end)
        if not self.start < self.end:
            raise ValueError(f"working window {self.start}-{self.end} must start before it ends")
        for break_start, break_end in self.breaks:
            _require_naive("break start", break_start)
            _require_naive("break end", break_end)
            if not break_start < break_end:
                raise ValueError(f"break {break_start}-{break_end} must start before it ends")


@dataclass(frozen=True, slots=True)
class StaffCalendar:
    """Everything that decides when one staff member can take an appointment.

    ``busy`` are the staff member's existing non-cancelled appointments, each ALREADY EXPANDED
    by its own service's buffers (``[starts_at - buffer_before, ends_at + buffer_after)``): the
    engine cannot know another service's buffers, so the caller applies them. ``absences`` are
    holidays, sick days and the like; ``busy`` and ``absences`` need not be sorted or disjoint.
    """

    staff_id: uuid.UUID
    name: str
    weekly: tuple[DaySchedule, ...]
    absences: tuple[Interval, ...] = ()
    busy: tuple[Interval, ...] = ()
    absence_spans: tuple[Span, ...] = field(init=False, repr=False, compare=False)
    """Derived from ``absences``: merged epoch-microsecond spans."""
    busy_spans: tuple[Span, ...] = field(init=False, repr=False, compare=False)
    """Derived from ``busy``: merged epoch-microsecond spans."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "absence_spans", _span_index(self.absences))
        object.__setattr__(self, "busy_spans", _span_index(self.busy))


@dataclass(frozen=True, slots=True)
class ServiceRules:
    """What a service needs: its length, its buffers, its booking window and who may do it."""

    service_id: uuid.UUID
    duration: timedelta
    buffer_before: timedelta
    buffer_after: timedelta
    min_notice: timedelta
    horizon: timedelta
    staff_ids: frozenset[uuid.UUID]

    def __post_init__(self) -> None:
        if self.duration <= _ZERO:
            raise ValueError(f"duration must be positive, got {self.duration}")
        for name in ("buffer_before", "buffer_after", "min_notice"):
            if getattr(self, name) < _ZERO:
                raise ValueError(f"{name} must not be negative")
        if self.horizon <= _ZERO:
            raise ValueError(f"horizon must be positive, got {self.horizon}")


@dataclass(frozen=True, slots=True)
class BranchRules:
    """The location: its zone, its German state for public holidays, closures and slot step.

    Whole-day closures are given as local-midnight-to-local-midnight intervals in UTC.
    ``state`` ``None`` means nationwide public holidays only.
    """

    tz: ZoneInfo
    state: str | None
    closures: tuple[Interval, ...]
    slot_step: timedelta
    country: str = "DE"
    closure_spans: tuple[Span, ...] = field(init=False, repr=False, compare=False)
    """Derived from ``closures``: merged epoch-microsecond spans."""

    def __post_init__(self) -> None:
        if self.slot_step <= _ZERO:
            raise ValueError(f"slot_step must be positive, got {self.slot_step}")
        object.__setattr__(self, "closure_spans", _span_index(self.closures))


@dataclass(frozen=True, slots=True)
class Slot:
    """A bookable start: ``[start, end)`` in UTC with ``end = start + duration`` (no buffers)."""

    start: datetime
    end: datetime
    staff_id: uuid.UUID


class Unavailable(StrEnum):
    """Why one requested start cannot be booked; values are stable API error codes."""

    IN_PAST = "in_past"
    TOO_SOON = "too_soon"
    BEYOND_HORIZON = "beyond_horizon"
    STAFF_CANNOT_PERFORM = "staff_cannot_perform"
    OUTSIDE_HOURS = "outside_hours"
    TAKEN = "taken"


@dataclass(frozen=True, slots=True)
class CheckResult:
    """Answer for one requested start: a slot when it is free, otherwise the reason.

    ``holiday`` carries the German name of the public holiday when that is why the day is
    closed, so the agent can say "am Karfreitag haben wir geschlossen".
    """

    slot: Slot | None
    reason: Unavailable | None
    holiday: str | None = None

    @property
    def ok(self) -> bool:
        return self.slot is not None
