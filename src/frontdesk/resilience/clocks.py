"""The time sources the resilience primitives are given (never read directly in src).

``Clock`` is the system's one wall clock (``frontdesk.domain.clock``, ADR 0009). It is used
for state shared between processes (breaker, rate budget), because a
monotonic reading means nothing in another process. ``Monotonic`` (``time.monotonic`` at the
edge) measures budgets inside one process, immune to wall-clock steps. ``Sleep`` is
``asyncio.sleep`` at the edge; tests pass a fake that advances their fake clocks.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from frontdesk.domain.clock import Clock

__all__ = ["Clock", "Monotonic", "Sleep", "epoch_seconds"]

Monotonic = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


def epoch_seconds(clock: Clock) -> float:
    """The clock's reading as Unix seconds, the unit stored in Redis by breaker and budget."""
    return clock().timestamp()
