"""Deadline budgets: remaining time, child budgets minus a margin, clean exhaustion."""

from __future__ import annotations

import asyncio

import pytest
from tests.clock_support import FakeTime

from frontdesk.resilience.deadline import Deadline, DeadlineExceeded


def test_remaining_counts_down_and_never_goes_negative() -> None:
    t = FakeTime()
    d = Deadline.after(2.5, t.monotonic)
    assert d.remaining() == pytest.approx(2.5)
    t.advance(1.0)
    assert d.remaining() == pytest.approx(1.5)
    assert not d.expired
    t.advance(5.0)
    assert d.remaining() == 0.0
    assert d.expired


def test_child_is_what_is_left_minus_the_margin_and_at_most_the_cap() -> None:
    t = FakeTime()
    d = Deadline.after(2.5, t.monotonic)
    t.advance(0.5)
    assert d.child(margin=0.3).remaining() == pytest.approx(1.7)
    assert d.child(margin=0.3, cap=1.0).remaining() == pytest.approx(1.0)
    # A margin larger than what is left gives an empty child, not a negative one.
    assert d.child(margin=5.0).remaining() == 0.0


def test_check_raises_when_no_more_than_the_need_is_left() -> None:
    t = FakeTime()
    d = Deadline.after(1.0, t.monotonic)
    assert d.check("lookup", need=0.5) == pytest.approx(1.0)
    t.advance(0.6)
    with pytest.raises(DeadlineExceeded) as info:
        d.check("lookup", need=0.5)
    assert info.value.what == "lookup"
    assert info.value.remaining == pytest.approx(0.4)


def test_invalid_budgets_are_refused() -> None:
    t = FakeTime()
    with pytest.raises(ValueError, match="negative"):
        Deadline.after(-1, t.monotonic)
    with pytest.raises(ValueError, match="negative"):
        Deadline.after(1, t.monotonic).child(margin=-0.1)


async def test_run_returns_the_result_within_the_budget() -> None:
    loop = asyncio.get_running_loop()
    d = Deadline.after(1.0, loop.time)

    async def quick() -> int:
        return 7

    assert await d.run(quick(), "quick") == 7


async def test_run_cancels_work_that_outlives_the_budget() -> None:
    loop = asyncio.get_running_loop()
    d = Deadline.after(0.01, loop.time)
    cancelled = asyncio.Event()

    async def slow() -> None:
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    with pytest.raises(DeadlineExceeded):
        await d.run(slow(), "slow")
    assert cancelled.is_set()


async def test_run_on_an_empty_budget_does_not_start_the_work() -> None:
    t = FakeTime()
    d = Deadline.after(0.0, t.monotonic)
    started = False

    async def work() -> None:
        nonlocal started
        started = True

    with pytest.raises(DeadlineExceeded):
        await d.run(work(), "work")
    assert not started


async def test_a_timeout_error_of_the_work_itself_is_not_taken_for_the_deadline() -> None:
    loop = asyncio.get_running_loop()
    d = Deadline.after(1.0, loop.time)

    async def fails() -> None:
        raise TimeoutError("the work's own timeout")

    with pytest.raises(TimeoutError, match="own timeout") as info:
        await d.run(fails(), "work")
    assert not isinstance(info.value, DeadlineExceeded)
