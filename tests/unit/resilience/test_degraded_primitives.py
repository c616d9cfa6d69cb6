"""The small pieces of the degraded modes (ADR 0016): the throttled warning, the database
outage tracker, the outage classification and ``answer_by``, which answers at a deadline even
when the work cannot unwind."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError, ProgrammingError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from frontdesk.booking.outage import DatabaseOutage, database_down
from frontdesk.resilience.deadline import answer_by
from frontdesk.resilience.outage import ThrottledWarning


class Tick:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_warning_is_let_through_once_per_interval_with_the_count_held_back() -> None:
    tick = Tick()
    warnings = ThrottledWarning(interval=30, monotonic=tick)
    assert warnings.allow("db") == 0
    assert [warnings.allow("db") for _ in range(3)] == [None, None, None]
    assert warnings.allow("redis") == 0  # per key
    tick.now += 30
    assert warnings.allow("db") == 3


def test_a_suspected_outage_lets_one_request_per_interval_through_until_one_succeeds() -> None:
    tick = Tick()
    outage = DatabaseOutage(probe_every=1.0, monotonic=tick)
    assert outage.admit()
    assert outage.admit()
    outage.failed()
    assert outage.suspected
    assert not outage.admit()
    tick.now += 1.0
    assert outage.admit()  # the probe
    assert not outage.admit()  # the others still hear the apology at once
    outage.succeeded()
    assert not outage.suspected
    assert outage.admit()


def _wrapped(error: type[Exception], **kwargs: object) -> Exception:
    return error("SELECT 1", {}, Exception("driver"), **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("exc", "down"),
    [
        (_wrapped(OperationalError), True),
        (_wrapped(InterfaceError), True),
        (PoolTimeout("pool"), True),
        (ConnectionRefusedError(), True),
        (_wrapped(ProgrammingError, connection_invalidated=True), True),
        # Bugs and refusals are not outages: they must surface as what they are.
        (_wrapped(ProgrammingError), False),
        (_wrapped(IntegrityError), False),
        (ValueError("bug"), False),
    ],
)
def test_only_unreachability_counts_as_an_outage(exc: Exception, down: bool) -> None:
    assert database_down(exc) is down


def test_an_outage_raised_from_another_error_is_recognised() -> None:
    outer = RuntimeError("wrapped")
    outer.__cause__ = _wrapped(OperationalError)
    assert database_down(outer)


async def test_answer_by_does_not_wait_for_work_that_will_not_unwind() -> None:
    unwound = asyncio.Event()

    async def stubborn() -> None:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            # Like a driver asking a hung server to cancel: it takes its time.
            await asyncio.sleep(0.5)
            unwound.set()
            raise

    loop = asyncio.get_running_loop()
    work = asyncio.create_task(stubborn())
    with pytest.raises(TimeoutError):
        await answer_by(work, loop.time() + 0.01)
    assert not unwound.is_set()  # answered before the work finished unwinding
    await asyncio.wait_for(unwound.wait(), timeout=5)


async def test_answer_by_returns_the_result_and_raises_the_error_of_work_in_time() -> None:
    loop = asyncio.get_running_loop()

    async def fine() -> int:
        return 7

    async def broken() -> int:
        raise ValueError("bug")

    assert await answer_by(asyncio.create_task(fine()), loop.time() + 5) == 7
    with pytest.raises(ValueError, match="bug"):
        await answer_by(asyncio.create_task(broken()), loop.time() + 5)
