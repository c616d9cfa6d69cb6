"""Bookkeeping for a dependency that is down: warnings that do not flood, and the metric.

During an outage every request meets the same failure. One warning per ``interval`` per kind
says it (with the number of repeats held back since the last one); the counter
``frontdesk_degraded_total{dependency,where}`` counts every occurrence, so the rate is visible
even though the log is quiet.
"""

from __future__ import annotations

import time

from frontdesk.observability.logging import get_logger
from frontdesk.observability.metrics import DEGRADED
from frontdesk.resilience.clocks import Monotonic

log = get_logger(__name__)

WARN_EVERY_S = 30.0


class ThrottledWarning:
    """At most one log line per key and ``interval`` seconds; the rest are only counted."""

    def __init__(self, interval: float = WARN_EVERY_S, monotonic: Monotonic = time.monotonic):
        self._interval = interval
        self._monotonic = monotonic
        self._next: dict[str, float] = {}
        self._held: dict[str, int] = {}

    def allow(self, key: str) -> int | None:
        """``None`` when the line is held back; else how many were held back before it."""
        now = self._monotonic()
        if now < self._next.get(key, float("-inf")):
            self._held[key] = self._held.get(key, 0) + 1
            return None
        self._next[key] = now + self._interval
        return self._held.pop(key, 0)


_WARNINGS = ThrottledWarning()


def degraded(dependency: str, where: str, exc: BaseException, **fields: object) -> None:
    """Count one answer given in a degraded mode because ``dependency`` failed with ``exc``,
    and say so at most once per ``WARN_EVERY_S`` for this dependency and place."""
    DEGRADED.labels(dependency=dependency, where=where).inc()
    held = _WARNINGS.allow(f"{dependency}:{where}")
    if held is not None:
        log.warning(
            f"{dependency} unavailable: degraded answer",
            dependency=dependency,
            where=where,
            error=f"{type(exc).__name__}: {exc}"[:300],
            repeats_held_back=held,
            **fields,
        )
