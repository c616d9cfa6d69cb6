"""The outbox job that finishes the booking saga: ``calendar.sync`` for one appointment.

Written in the transaction of every change of an appointment on an outside calendar (see
``booking.sync``); it runs ``synchronise`` until the provider matches the row. An outage is
retried with the worker's backoff (or when the provider's rate window reopens); a refusal
ends as ``conflict`` or ``sync_failed`` on the row, for the business to see.
"""

from __future__ import annotations

import time
import uuid
from datetime import timedelta
from typing import Any

from frontdesk.booking.sync import BACKGROUND_BUDGET_S, SYNC_JOB, Outcome, synchronise
from frontdesk.booking.unit_of_work import UnitOfWork
from frontdesk.calendars.errors import CalendarUnavailable
from frontdesk.jobs.errors import JobDeferred, PermanentJobError, TransientJobError
from frontdesk.jobs.registry import DEFAULT_REGISTRY, JobContext
from frontdesk.resilience.deadline import Deadline

# Refusals that happen before anything is sent to the provider (ADR 0011: breaker, budget, a
# 429 that blocks the key): the job waits without spending an attempt.
DECLINED = frozenset({"breaker_open", "rate_budget", "rate_limited"})
DEFER_MIN_S = 15.0
BUSY_RETRY = timedelta(seconds=5)
# One unit of work (and so one catalogue cache) per worker process and session factory.
_UNITS: dict[int, tuple[object, UnitOfWork]] = {}


def unit_of(ctx: JobContext) -> UnitOfWork:
    """The unit of work of this worker process and session factory (its caches kept)."""
    known = _UNITS.get(id(ctx.sessions))
    if known is not None and known[0] is ctx.sessions and known[1].calendars is ctx.calendars:
        return known[1]
    uow = UnitOfWork(ctx.sessions, clock=ctx.clock, calendars=ctx.calendars)
    _UNITS[id(ctx.sessions)] = (ctx.sessions, uow)
    return uow


@DEFAULT_REGISTRY.register(SYNC_JOB)
async def sync_appointment(ctx: JobContext, payload: dict[str, Any]) -> None:
    """Bring the provider in line with the appointment; idempotent (the row is the desired
    state, and creates look our id up first)."""
    if ctx.calendars is None:
        raise TransientJobError("this worker has no calendar providers")
    try:
        tenant_id = uuid.UUID(str(payload["tenant_id"]))
        appointment_id = uuid.UUID(str(payload["appointment_id"]))
    except (KeyError, ValueError) as exc:
        raise PermanentJobError(f"bad payload: {exc}") from exc
    deadline = Deadline.after(BACKGROUND_BUDGET_S, time.monotonic)
    result = await synchronise(unit_of(ctx), tenant_id, appointment_id, deadline=deadline)
    if result.outcome is Outcome.BUSY:
        # Another run is at the provider for this appointment; look again once it is done.
        raise JobDeferred("another sync run holds the appointment", retry_after=BUSY_RETRY)
    if result.outcome is Outcome.PENDING:
        error = result.error
        reason = error.reason if isinstance(error, CalendarUnavailable) else "unavailable"
        retry_in = error.retry_in if isinstance(error, CalendarUnavailable) else None
        if reason in DECLINED:
            # Nothing was sent: waiting for the breaker or the budget is not an attempt.
            wait = max(retry_in or 0.0, DEFER_MIN_S)
            raise JobDeferred(
                f"calendar declined now: {reason}", retry_after=timedelta(seconds=wait)
            )
        raise TransientJobError(
            f"calendar unavailable: {reason}",
            retry_after=timedelta(seconds=retry_in) if retry_in else None,
        )
