"""The event loop's lag (resilience/loop_lag.py): the overload signal of the voice path."""

from __future__ import annotations

import asyncio
import select

from frontdesk.resilience.loop_lag import LoopLag


def _block(seconds: float) -> None:
    # Holds the loop like a CPU-bound backlog would (select: unaffected by libfaketime).
    select.select([], [], [], seconds)


def test_an_idle_meter_reads_zero_and_between_ticks_counts_the_overdue_time() -> None:
    lag = LoopLag(tick_s=0.05)
    assert lag.current(100.0) == 0.0
    lag._last, lag._lag = 100.0, 0.01  # the ticker's state after a tick at loop time 100
    assert lag.current(100.02) == 0.01  # the next tick is not due yet: the last sample
    assert abs(lag.current(100.55) - 0.5) < 1e-9  # 0.5 s overdue: the loop is behind now


async def test_a_blocked_loop_is_seen_as_late_and_the_meter_recovers() -> None:
    lag = LoopLag(tick_s=0.01)
    loop = asyncio.get_running_loop()
    async with lag.running():
        await asyncio.sleep(0.03)  # a few ticks on an idle loop
        _block(0.3)
        # Before the ticker runs again, the overdue time already shows.
        assert lag.current(loop.time()) >= 0.25
        await asyncio.sleep(0.05)
        # The ticker ran late once and recorded it; then it is on time again.
        for _ in range(200):
            if lag.current(loop.time()) < 0.25:
                break
            await asyncio.sleep(0.01)
        assert lag.current(loop.time()) < 0.25
    assert lag.current(loop.time()) == 0.0  # stopped: it claims nothing
