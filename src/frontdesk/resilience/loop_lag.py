"""How far behind its schedule the event loop runs: the process's own overload signal.

A bound on calls in progress (ADR 0013) does not see the work queued *before* a call reaches it:
connections accepted, bodies read, signatures checked. On a saturated CPU that queue grows
without bound, and at twice the sustainable rate (bench/overload.py --rate 200) calls answered
after the deadline although at most 64 were ever in progress. Every step of every request
waits its turn in the loop's ready queue, so the loop's lag — how late a timer fires — is how
long each step of a new call would wait. Past a limit a new call is shed at once (the caller
hears the short apology) instead of joining a queue it cannot leave in time.

The lag is sampled by a ticker task; between ticks the time since the last one counts too, so
a loop blocked right now is seen as late before the ticker gets its turn again.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

# How often the ticker looks: often enough to notice a backlog within a few calls, rarely
# enough to cost nothing (20 wake-ups a second).
TICK_S = 0.05


class LoopLag:
    """The loop's current lag in seconds; 0 until ``running`` has started the ticker."""

    def __init__(self, tick_s: float = TICK_S) -> None:
        self.tick_s = tick_s
        self._lag = 0.0
        self._last: float | None = None

    def current(self, now: float) -> float:
        """The lag as of ``now`` (loop time): the last sample, or how overdue the next is."""
        if self._last is None:
            return 0.0
        return max(self._lag, now - self._last - self.tick_s)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[LoopLag]:
        task = asyncio.create_task(self._tick(), name="loop-lag")
        try:
            yield self
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            self._last = None

    async def _tick(self) -> None:
        loop = asyncio.get_running_loop()
        self._last = loop.time()
        while True:
            await asyncio.sleep(self.tick_s)
            now = loop.time()
            self._lag = max(0.0, now - self._last - self.tick_s)
            self._last = now
