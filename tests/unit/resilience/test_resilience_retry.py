"""Retries: transient failures only, jittered backoff, rate windows, and the deadline."""

from __future__ import annotations

import random

import pytest
from tests.clock_support import FakeTime

from frontdesk.resilience.deadline import Deadline
from frontdesk.resilience.retry import RetryPolicy, retry_call


class Transient(Exception):
    pass


class Permanent(Exception):
    pass


class Throttled(Exception):
    def __init__(self, window_left: float) -> None:
        super().__init__("429")
        self.window_left = window_left


def classify(exc: BaseException) -> float | None:
    if isinstance(exc, Throttled):
        return exc.window_left
    if isinstance(exc, Transient):
        return 0.0
    return None


class Flaky:
    """Fails with the given exceptions in turn, then answers "ok"."""

    def __init__(self, *failures: Exception) -> None:
        self.failures = list(failures)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return "ok"


async def run(
    op: Flaky, t: FakeTime, *, budget: float = 10.0, policy: RetryPolicy | None = None
) -> str:
    return await retry_call(
        op,
        what="get_booking",
        dependency="test",
        policy=policy or RetryPolicy(attempts=3, base=0.1, cap=1.0),
        deadline=Deadline.after(budget, t.monotonic),
        classify=classify,
        sleep=t.sleep,
        rng=random.Random(7),
    )


async def test_transient_failures_are_retried_with_growing_jittered_delays() -> None:
    t = FakeTime()
    op = Flaky(Transient(), Transient())
    assert await run(op, t) == "ok"
    assert op.calls == 3
    first, second = t.sleeps
    assert 0.05 <= first <= 0.1  # equal jitter: [ceiling/2, ceiling]
    assert 0.1 <= second <= 0.2


async def test_a_permanent_failure_is_raised_at_once() -> None:
    t = FakeTime()
    op = Flaky(Permanent("taken"))
    with pytest.raises(Permanent, match="taken"):
        await run(op, t)
    assert op.calls == 1
    assert t.sleeps == []


async def test_attempts_run_out_and_the_last_failure_is_raised_unwrapped() -> None:
    t = FakeTime()
    op = Flaky(Transient("1"), Transient("2"), Transient("3"), Transient("4"))
    with pytest.raises(Transient, match="3"):
        await run(op, t)
    assert op.calls == 3


async def test_a_rate_limited_call_waits_at_least_for_the_window() -> None:
    t = FakeTime()
    op = Flaky(Throttled(window_left=4.0))
    assert await run(op, t, budget=30.0) == "ok"
    assert t.sleeps == [4.0]


async def test_no_retry_when_the_wait_does_not_fit_the_deadline() -> None:
    t = FakeTime()
    op = Flaky(Throttled(window_left=60.0))
    with pytest.raises(Throttled):
        await run(op, t, budget=2.5)
    assert op.calls == 1
    assert t.sleeps == []


async def test_no_attempt_is_started_without_time_for_it() -> None:
    t = FakeTime()
    # The backoff (0.05–0.1 s) fits, but then less than min_attempt would be left.
    policy = RetryPolicy(attempts=5, base=0.1, cap=1.0, min_attempt=0.5)
    op = Flaky(Transient(), Transient())
    with pytest.raises(Transient):
        await run(op, t, budget=0.55, policy=policy)
    assert op.calls == 1


def test_backoff_is_capped_and_never_below_half_the_ceiling() -> None:
    policy = RetryPolicy(attempts=10, base=0.1, cap=1.0)
    rng = random.Random(1)
    for failures in range(1, 12):
        ceiling = min(1.0, 0.1 * 2 ** (failures - 1))
        delay = policy.backoff(failures, rng)
        assert ceiling / 2 <= delay <= ceiling


def test_invalid_policies_are_refused() -> None:
    with pytest.raises(ValueError, match="attempts"):
        RetryPolicy(attempts=0)
    with pytest.raises(ValueError, match="base"):
        RetryPolicy(base=2.0, cap=1.0)
