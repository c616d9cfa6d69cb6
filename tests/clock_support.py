"""The suite's clock: every test date is derived from it, never from the day the suite runs.

``NOW`` is the reference instant (a Tuesday before Christmas, 08:00 in Berlin — the demo salon
opens at 09:00). The ``clock`` fixture (tests/conftest.py) is a ``FakeClock`` starting there; the
session factory, the use cases and workers of a test all share it, so "now" agrees everywhere.
Tests that run real processes use the wall clock on both sides instead (``system_clock``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=BERLIN)
START = NOW.astimezone(UTC)


def at(day: int, hour: int, minute: int = 0, month: int = NOW.month) -> datetime:
    """A Berlin wall-clock time in the month of the suite's ``NOW``."""
    return datetime(NOW.year, month, day, hour, minute, tzinfo=BERLIN)


@dataclass
class FakeClock:
    """A clock that only moves when told to."""

    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


class FakeTime:
    """A hand-driven wall clock, monotonic clock and sleep for the resilience primitives:
    ``sleep`` does not wait, it advances both clocks and records the delay, so a 30 s breaker or
    a 60 s rate window is tested in microseconds by the delays asked for."""

    def __init__(self, start: datetime | None = None) -> None:
        self.wall = start or START
        self.mono = 1000.0
        self.sleeps: list[float] = []

    def now(self) -> datetime:
        return self.wall

    def monotonic(self) -> float:
        return self.mono

    def advance(self, seconds: float) -> None:
        self.wall += timedelta(seconds=seconds)
        self.mono += seconds

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.advance(seconds)
