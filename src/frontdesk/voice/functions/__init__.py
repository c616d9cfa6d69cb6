"""The five agent functions: one turn, one answer the agent can speak.

Each function (one module each) reads Retell's free-text or ISO arguments (``arguments``), asks
the booking use cases, and puts their result into words (``wording``): a ``Reply`` with a
``status``, a ``message`` of at most two sentences, and the data behind it (``slots`` with slot
ids, an ``appointment``, ``appointments``). Business outcomes are never errors: a missing or
unreadable argument is ``needs_clarification`` with the question to ask, and every function
answers within ``deadline`` seconds whatever a dependency does. The rules — what is free, why
not, what a cancellation costs, who may change what — are the use cases'.

Who the caller is comes from ``CallContext.caller`` (the caller ID), never from the arguments.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from frontdesk.booking.service import BookingService
from frontdesk.domain.errors import DomainError
from frontdesk.failures import classify, count, report
from frontdesk.observability.logging import get_logger
from frontdesk.resilience.deadline import Deadline, deadline_scope
from frontdesk.voice.functions.book_appointment import book_appointment
from frontdesk.voice.functions.cancel_appointment import cancel_appointment
from frontdesk.voice.functions.check_availability import check_availability
from frontdesk.voice.functions.context import Ask, CallContext, Reply, error
from frontdesk.voice.functions.find_appointments import find_appointments
from frontdesk.voice.functions.reschedule_appointment import reschedule_appointment
from frontdesk.voice.names import (
    BOOK_APPOINTMENT,
    CANCEL_APPOINTMENT,
    CHECK_AVAILABILITY,
    FIND_APPOINTMENTS,
    FUNCTION_NAMES,
    RESCHEDULE_APPOINTMENT,
)

__all__ = ["DEADLINE_S", "FUNCTION_NAMES", "CallContext", "Reply", "VoiceFunctions"]

log = get_logger(__name__)

DEADLINE_S = 2.5

Handler = Callable[[BookingService, Mapping[str, Any], CallContext], Awaitable[Reply]]
_HANDLERS: dict[str, Handler] = {
    CHECK_AVAILABILITY: check_availability,
    BOOK_APPOINTMENT: book_appointment,
    FIND_APPOINTMENTS: find_appointments,
    CANCEL_APPOINTMENT: cancel_appointment,
    RESCHEDULE_APPOINTMENT: reschedule_appointment,
}


class VoiceFunctions:
    """Runs the agent functions for one process under a deadline."""

    def __init__(self, booking: BookingService, deadline: float = DEADLINE_S) -> None:
        self._booking = booking
        self.deadline = deadline

    async def run(
        self,
        name: str,
        args: Mapping[str, Any],
        ctx: CallContext,
        deadline_at: float | None = None,
    ) -> Reply:
        """Answer one function call by ``deadline_at`` (loop time; default ``deadline`` from
        now); never raises for business reasons."""
        handler = _HANDLERS[name]
        if deadline_at is None:
            deadline_at = asyncio.get_running_loop().time() + self.deadline
        loop = asyncio.get_running_loop()
        try:
            with deadline_scope(Deadline(deadline_at, loop.time)):
                async with asyncio.timeout_at(deadline_at):
                    return await handler(self._booking, args, ctx)
        except Ask as asked:
            return asked.reply
        except TimeoutError as exc:
            # Expected under overload: a warning without traceback, counted as a timeout.
            count(classify(exc), "voice_function")
            log.warning("voice function timed out", function=name, deadline_s=self.deadline)
            return error(ctx, "timeout")
        except DomainError as exc:
            # A refusal the function did not word itself: the vocabulary's sentence for it.
            failure = classify(exc)
            report(failure, "voice_function", function=name)
            log.warning("voice function refused", function=name, code=exc.code)
            return error(ctx, failure.code)
        except Exception as exc:
            # Catch-all on purpose: Retell must never see a 5xx, so whatever failed gets the
            # short apology. The classifier keeps an outage (counted, warned about once per
            # 30 s, no traceback) apart from a bug (counted as kind=bug, logged with its
            # traceback every time).
            failure = classify(exc)
            report(failure, "voice_function", function=name)
            return error(ctx, failure.code)
