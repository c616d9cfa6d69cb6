"""Retries for transient failures only, with jittered backoff inside a deadline (tenacity).

The caller decides what is transient: ``classify`` maps an exception to the least time to wait
before trying again (0 for "any time", the rest of the rate window for a 429) or to ``None``
for "do not retry". That is where the one rule that matters lives: a create whose request may
have reached the server is never sent again blindly — the Cal.com client classifies a 5xx or a
read timeout of a create as not retryable, and the booking saga looks the booking up first.

The loop stops when the attempts are used up or when the deadline cannot afford the wait plus
a minimal attempt; then the last failure is raised as it was (no wrapper), so callers handle
the same exceptions with or without retries.

tenacity over stamina (ADR 0011): tenacity takes the sleep
function and the wait and stop strategies as arguments, so tests run retries against a fake
clock; stamina reads the real monotonic clock and is switched to test mode process-wide.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception

from frontdesk.observability.logging import get_logger
from frontdesk.observability.metrics import OUTBOUND_RETRIES
from frontdesk.resilience.clocks import Sleep
from frontdesk.resilience.deadline import Deadline

T = TypeVar("T")
Classify = Callable[[BaseException], float | None]

log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently to try. Times in seconds."""

    attempts: int = 3
    base: float = 0.1
    cap: float = 2.0
    # An attempt started with less time than this left could not finish; do not start it.
    min_attempt: float = 0.05

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("attempts must be >= 1")
        if not 0 < self.base <= self.cap:
            raise ValueError("need 0 < base <= cap")

    def backoff(self, failures: int, rng: random.Random) -> float:
        """Equal jitter: the ceiling doubles per failure up to ``cap``; the delay is half the
        ceiling plus a random share of the other half, so processes that failed together spread
        out but no delay collapses to zero."""
        ceiling = min(self.cap, self.base * 2.0 ** min(failures - 1, 64))
        return ceiling / 2 + ceiling / 2 * rng.random()


async def retry_call(
    operation: Callable[[], Awaitable[T]],
    *,
    what: str,
    dependency: str,
    policy: RetryPolicy,
    deadline: Deadline,
    classify: Classify,
    sleep: Sleep,
    rng: random.Random,
) -> T:
    """Run ``operation`` until it succeeds, fails for good, or time or attempts run out."""

    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        floor = (classify(exc) if exc is not None else None) or 0.0
        return max(floor, policy.backoff(state.attempt_number, rng))

    def stop(state: RetryCallState) -> bool:
        if state.attempt_number >= policy.attempts:
            return True
        return not deadline.allows(state.upcoming_sleep + policy.min_attempt)

    def before_sleep(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        OUTBOUND_RETRIES.labels(dependency=dependency, operation=what).inc()
        log.info(
            "outbound_retry",
            dependency=dependency,
            operation=what,
            attempt=state.attempt_number,
            wait_s=round(state.upcoming_sleep, 3),
            error=type(exc).__name__,
        )

    retrying = AsyncRetrying(
        stop=stop,
        wait=wait,
        retry=retry_if_exception(lambda exc: classify(exc) is not None),
        sleep=sleep,
        before_sleep=before_sleep,
        reraise=True,
    )

    async def attempt() -> T:
        # tenacity awaits only what it recognises as a coroutine function; a lambda that
        # returns a coroutine would come back un-awaited.
        return await operation()

    return await retrying(attempt)
