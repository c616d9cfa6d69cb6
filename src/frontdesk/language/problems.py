"""Why a date/time phrase cannot be booked as said: the problems a grammar reports.

Each problem becomes one short question back (``lexicon.QuestionTexts``), never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from typing import Protocol


@dataclass(frozen=True, slots=True)
class NotUnderstood:
    """Nothing in the phrase was a date or a time (or it was too long to read at all)."""


@dataclass(frozen=True, slots=True)
class NoSuchDate:
    """A calendar date that does not exist ("30. Februar")."""

    day: int
    month: int | None


@dataclass(frozen=True, slots=True)
class PastDate:
    """A date before today."""

    day: date


@dataclass(frozen=True, slots=True)
class PastTime:
    """A time today that is already over."""

    at: time


@dataclass(frozen=True, slots=True)
class SkippedTime:
    """A wall-clock time the clocks jump over (02:30 on the last Sunday of March in Berlin)."""

    at: time


@dataclass(frozen=True, slots=True)
class BadTime:
    """A time that does not exist ("25 Uhr")."""

    hour: int
    minute: int


@dataclass(frozen=True, slots=True)
class WeekdayMismatch:
    """The weekday said does not fall on the date said."""

    day: date
    said_weekday: int


@dataclass(frozen=True, slots=True)
class Conflict:
    """Two parts of the phrase contradict each other ("morgen am Freitag" on a Monday)."""


@dataclass(frozen=True, slots=True)
class BadRange:
    """A time window that ends before it starts."""


Problem = (
    NotUnderstood
    | NoSuchDate
    | PastDate
    | PastTime
    | SkippedTime
    | BadTime
    | WeekdayMismatch
    | Conflict
    | BadRange
)


class Questions(Protocol):
    """Turns a problem into the short question the agent asks, in one language."""

    def ask(self, problem: Problem) -> str: ...
