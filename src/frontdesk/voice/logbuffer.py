"""Write-behind for the call log: function records wait a moment and go in together.

Every agent function adds a ``call_function`` row (and, for bookings and cancellations, a link
and the call's outcome). Written one by one, that was a transaction of its own per request —
about a third of a function's database work. Here the records of all calls collect for at most
``interval`` seconds and are written in one transaction (ADR 0008). The answer to the agent
never waits for this; the log reaches the database well within a second.

What is given up: records not yet written when the process is killed outright (at most
``interval`` seconds' worth). A normal shutdown (``close``) writes everything first. A batch that
fails while the database still answers holds a record the database refuses — for whatever
reason: a constraint, a value out of range, text the driver cannot encode — so it is halved and
each half written again until the bad record stands alone and is dropped; the others are
written. A batch that cannot be written because the database is down or slow is dropped, logged
and counted (``frontdesk_call_log_dropped_total``; the warning at most every 30 s, ADR 0016) —
never retried forever, never grown without bound.

The writer task is started by whichever request queues the first record, but runs in a context
of its own: its log lines do not carry that request's id.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars

from frontdesk.booking.call_log import CallLog, FunctionEntry
from frontdesk.failures import classify, report
from frontdesk.observability.logging import get_logger
from frontdesk.observability.metrics import CALL_LOG_DROPPED

log = get_logger(__name__)

FLUSH_INTERVAL_S = 0.25
MAX_BATCH = 500
# Beyond this many waiting records (the database is down), new ones are dropped and counted.
MAX_PENDING = 20_000
WRITE_TIMEOUT_S = 5.0


class CallLogBuffer:
    """Collects ``FunctionEntry`` records and writes them in batches from one background task."""

    def __init__(self, calls: CallLog, interval: float = FLUSH_INTERVAL_S) -> None:
        self._calls = calls
        self._interval = interval
        self._pending: list[FunctionEntry] = []
        self._wakeup = asyncio.Event()
        self._writing = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None

    def add(self, entry: FunctionEntry) -> None:
        """Queue one record; never blocks and never raises."""
        if len(self._pending) >= MAX_PENDING:
            CALL_LOG_DROPPED.inc()
            log.error("call log backlog full; record dropped", function=entry.record.name)
            return
        self._pending.append(entry)
        self._wakeup.set()
        if self._task is None or self._task.done():
            # A fresh context: the task outlives the request that happens to start it.
            self._task = asyncio.create_task(
                self._run(), name="call-log-writer", context=contextvars.Context()
            )

    async def flush(self) -> None:
        """Write everything queued so far (shutdown, tests)."""
        async with self._writing:
            while self._pending:
                batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
                await self._write(batch)

    async def close(self) -> None:
        """Stop the background writer after writing what is queued."""
        # Under the lock: a batch being written finishes first (cancelling it mid-write would
        # lose it); the writer is then asleep or waiting for the lock, and can be stopped.
        async with self._writing:
            if self._task is not None:
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
                self._task = None
        await self.flush()

    async def _run(self) -> None:
        while True:
            await self._wakeup.wait()
            # Let the records of the next moment join this batch.
            await asyncio.sleep(self._interval)
            self._wakeup.clear()
            await self.flush()

    async def _write(self, batch: list[FunctionEntry]) -> None:
        try:
            async with asyncio.timeout(WRITE_TIMEOUT_S):
                await self._calls.record_functions(batch)
        except Exception as exc:
            # Catch-all on purpose: the writer serves every call and must outlive any batch.
            # What failed decides what happens; the classifier decides how it is reported.
            refused = self._calls.refuses(exc) or await self._calls.reachable()
            if refused and len(batch) > 1:
                # The database answers, so something in this batch is what it refuses: halve
                # until that record stands alone, and keep the rest.
                half = len(batch) // 2
                await self._write(batch[:half])
                await self._write(batch[half:])
                return
            # A record the database refuses (a bug in what we write), the database down or
            # too slow (an outage: said at most every 30 s without a traceback, since during
            # one a traceback per batch costs the event loop more than the answers), or a
            # bug of our own: the records are lost, counted, and reported as what failed.
            CALL_LOG_DROPPED.inc(len(batch))
            failure = classify(exc)
            report(failure, "call_log", records=len(batch), functions=_names(batch))


def _names(batch: list[FunctionEntry]) -> list[str]:
    return sorted({entry.record.name for entry in batch})
