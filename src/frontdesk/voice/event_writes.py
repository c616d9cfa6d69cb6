"""Writing Retell's call events behind the webhook's answer.

A call event is answered once written, or after ``EVENT_ANSWER_S`` with its write still going
on: the write is only given up at ``EVENT_WRITE_S``. Retell waits 10 s for a 2xx and then
retries, but a 204 ends the retries, so a write cancelled at the answer would lose the event —
a transcript gone because the database took a second longer once (ADR 0016, amendment).
"""

from __future__ import annotations

import asyncio

from frontdesk.booking.call_log import CallLog, CallNotOurs, CallRow
from frontdesk.booking.outage import DatabaseOutage
from frontdesk.failures import classify, report
from frontdesk.observability.logging import get_logger
from frontdesk.resilience.deadline import answer_by

log = get_logger(__name__)

EVENT_ANSWER_S = 1.0
EVENT_WRITE_S = 9.0


class EventWrites:
    """The call events of a process being written, each bounded by ``EVENT_WRITE_S``."""

    def __init__(self, calls: CallLog, outage: DatabaseOutage) -> None:
        self._calls = calls
        self._outage = outage
        # Held until done: the event loop keeps only weak references to tasks.
        self._running: set[asyncio.Task[None]] = set()

    async def write(self, values: CallRow, event: str, call_id: object) -> None:
        """Start the write and return when it is done or ``EVENT_ANSWER_S`` has passed."""
        work = asyncio.create_task(self._write(values, event, call_id), name="voice-event")
        self._running.add(work)
        work.add_done_callback(self._running.discard)
        await asyncio.wait({work}, timeout=EVENT_ANSWER_S)

    async def drain(self) -> None:
        """Wait for the writes still going on (the app's shutdown)."""
        if self._running:
            await asyncio.wait(set(self._running))

    async def _write(self, values: CallRow, event: str, call_id: object) -> None:
        # Failures are reported here: the webhook may have been answered already.
        loop = asyncio.get_running_loop()
        work = asyncio.create_task(self._calls.record_event(values), name="voice-event-write")
        try:
            await answer_by(work, loop.time() + EVENT_WRITE_S)
        except CallNotOurs:
            log.warning("retell event for another tenant's call", call_id=call_id)
        except Exception as exc:
            # Catch-all on purpose: an event that cannot be written is answered all the same
            # (a 5xx makes Retell send it again into the same failure); classified (ADR 0018).
            failure = classify(exc)
            report(failure, "voice_event", webhook=event)
            if failure.dependency == "database":
                self._outage.failed()
        else:
            self._outage.succeeded()
