"""A deadline budget: how much of an answer's time is left, and a child budget for one step.

A voice function must answer within 2.5 s. The function starts a ``Deadline``; each outside
call gets a child that is what is left minus a margin (the time needed to say something after
the call fails), so a slow Cal.com can eat the call's budget but never the answer's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TypeVar

from frontdesk.resilience.clocks import Monotonic

T = TypeVar("T")


class DeadlineExceeded(TimeoutError):
    """The budget ran out before (or while) ``what`` could run."""

    def __init__(self, what: str, remaining: float) -> None:
        super().__init__(f"deadline exceeded before {what} ({remaining:.3f}s left)")
        self.what = what
        self.remaining = remaining


@dataclass(frozen=True, slots=True)
class Deadline:
    """An absolute point on a monotonic clock, with the clock it is measured on."""

    expires_at: float
    monotonic: Monotonic

    @classmethod
    def after(cls, seconds: float, monotonic: Monotonic) -> Deadline:
        if seconds < 0:
            raise ValueError(f"a budget cannot be negative: {seconds}")
        return cls(monotonic() + seconds, monotonic)

    def remaining(self) -> float:
        """Seconds left, never negative."""
        return max(0.0, self.expires_at - self.monotonic())

    @property
    def expired(self) -> bool:
        return self.remaining() <= 0.0

    def allows(self, seconds: float) -> bool:
        """Whether ``seconds`` more fit into the budget (strictly: an exact fit leaves nothing)."""
        return self.remaining() > seconds

    def child(self, *, margin: float = 0.0, cap: float | None = None) -> Deadline:
        """A budget for one step: what is left minus ``margin``, and at most ``cap``.

        The margin is kept back for the work after the step (answering the caller), so the
        child may be empty; running a step on an empty budget raises ``DeadlineExceeded``.
        """
        if margin < 0:
            raise ValueError(f"margin cannot be negative: {margin}")
        budget = self.remaining() - margin
        if cap is not None:
            budget = min(budget, cap)
        return Deadline(self.monotonic() + max(0.0, budget), self.monotonic)

    def check(self, what: str, need: float = 0.0) -> float:
        """The seconds left, or ``DeadlineExceeded`` when no more than ``need`` is left."""
        left = self.remaining()
        if left <= need:
            raise DeadlineExceeded(what, left)
        return left

    async def run(self, awaitable: Awaitable[T], what: str) -> T:
        """Await ``awaitable`` within the budget; cancel it and raise when the budget ends.

        The timeout is enforced by the event loop, whose clock is the process's monotonic
        clock — the same one the edge passes in as ``monotonic``.
        """
        try:
            left = self.check(what)
        except DeadlineExceeded:
            # Never leave a coroutine un-awaited: close it so no "never awaited" warning fires.
            close = getattr(awaitable, "close", None)
            if close is not None:
                close()
            raise
        scope = asyncio.timeout(left)
        try:
            async with scope:
                return await awaitable
        except TimeoutError as exc:
            # Only our own timeout becomes DeadlineExceeded; a TimeoutError raised inside the
            # awaited code for its own reasons passes through unchanged.
            if scope.expired():
                raise DeadlineExceeded(what, self.remaining()) from exc
            raise


# The deadline of the answer being worked on (a voice function sets it): a use case deep below
# can give an outside call what is left without every layer passing it along.
_CURRENT: ContextVar[Deadline | None] = ContextVar("frontdesk_deadline", default=None)


def current_deadline() -> Deadline | None:
    return _CURRENT.get()


@contextmanager
def deadline_scope(deadline: Deadline) -> Iterator[Deadline]:
    """Make ``deadline`` the current one for the code run inside the block."""
    token = _CURRENT.set(deadline)
    try:
        yield deadline
    finally:
        _CURRENT.reset(token)


async def answer_by(work: asyncio.Task[T], loop_time: float) -> T:
    """``work``'s result, or ``TimeoutError`` at ``loop_time`` (event-loop time) at the latest.

    Unlike ``asyncio.timeout``, this does not wait for the cancelled work to unwind: a database
    driver cancelling a query on a hung server first asks the server to cancel it (psycopg waits
    up to 5 s for that, then 5 s more), and an answer that must leave by a deadline cannot wait
    for that. The work is cancelled and left to finish its clean-up on its own.
    """
    loop = asyncio.get_running_loop()
    try:
        done, _ = await asyncio.wait({work}, timeout=max(0.0, loop_time - loop.time()))
    except asyncio.CancelledError:
        work.cancel()
        raise
    if work in done:
        return work.result()
    work.cancel()
    work.add_done_callback(_retrieve)
    raise TimeoutError(f"{work.get_name()} still running at its deadline")


def _retrieve(task: asyncio.Task[object]) -> None:
    """Mark an abandoned task's outcome as seen (no "exception never retrieved" at exit): it
    was answered for already, and the error its own code logged is all there is to know."""
    if not task.cancelled():
        task.exception()
