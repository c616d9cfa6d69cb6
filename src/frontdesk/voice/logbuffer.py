"""Write-behind for the call log: function records wait a moment and go in together.

Every agent function adds a ``call_function`` row (and, for bookings and cancellations, a link
and the call's outcome). Written one by one, that was a transaction of its own per request —
about a third of a function's database work. Here the records of all calls collect for at most
``interval`` seconds and are written in one transaction (ADR 0008). The answer to the agent
never waits for this; the log reaches the database well within a second.

What is given up: records not yet written when the process is killed outright (at most
``interval`` seconds' worth). A normal shutdown (``close``) writes everything first. A batch the
database refuses is retried record by record, so one bad record cannot take others with it; a
batch that cannot be written because the database is down or slow is dropped, logged once and
counted (``frontdesk_call_log_dropped_total``) — never retried forever, never grown without
bound.
"""

from __future__ import annotations

import asyncio
import contextlib

from frontdesk.db.errors import is_refused_row
from frontdesk.observability.logging import get_logger
from frontdesk.observability.metrics import CALL_LOG_DROPPED
from frontdesk.voice.calls import CallLog, FunctionEntry

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
            self._task = asyncio.create_task(self._run(), name="call-log-writer")

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
            if not is_refused_row(exc):
                # The database is down or too slow: these records are lost, the next batch may
                # fare better. Logged once per batch, not per record.
                self._drop(batch, "could not write call log batch")
            elif len(batch) > 1:
                # A record the database refuses (its call was deleted, say): find it, keep the
                # rest.
                for entry in batch:
                    await self._write([entry])
            else:
                self._drop(batch, "call log record refused")

    def _drop(self, batch: list[FunctionEntry], message: str) -> None:
        CALL_LOG_DROPPED.inc(len(batch))
        log.exception(message, records=len(batch), functions=sorted({e.record.name for e in batch}))
