"""A hand-driven clock for the resilience primitives: wall clock, monotonic clock and sleep.

``sleep`` does not wait; it advances both clocks and records the delay, so a test of a 30 s
breaker or a 60 s rate window runs in microseconds and asserts on the delays asked for.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class FakeTime:
    def __init__(self, start: datetime | None = None) -> None:
        self.wall = start or datetime(2031, 3, 4, 9, 0, tzinfo=UTC)
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
