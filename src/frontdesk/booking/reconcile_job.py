"""The periodic reconciliation (ADR 0017): the next two days every 15 minutes, where a lost
webhook hurts soonest, and the whole booking horizon once a day. Each run is one listing per
branch (a few paged requests) plus the fixes, well inside Cal.com's rate budget.

A branch whose Cal.com could not be read is recorded in ``reconciliation_run`` with its error
and not retried here: the next period runs anyway.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from frontdesk.booking.reconcile import Window, reconcile
from frontdesk.booking.sync_job import unit_of
from frontdesk.jobs.errors import PermanentJobError
from frontdesk.jobs.registry import DEFAULT_REGISTRY, JobContext
from frontdesk.observability.logging import get_logger

log = get_logger(__name__)

SOON_KIND = "calendar.reconcile"
SOON_DAYS = 2
HORIZON_KIND = "calendar.reconcile_horizon"
# The longest booking horizon a service has by default (60 days) and today.
HORIZON_DAYS = 61


@DEFAULT_REGISTRY.register(SOON_KIND, every=timedelta(minutes=15), payload={"days": SOON_DAYS})
async def reconcile_soon(ctx: JobContext, payload: dict[str, Any]) -> None:
    """Reconcile every branch on Cal.com for ``payload["days"]`` days from today."""
    await _run(ctx, payload)


@DEFAULT_REGISTRY.register(HORIZON_KIND, every=timedelta(days=1), payload={"days": HORIZON_DAYS})
async def reconcile_horizon(ctx: JobContext, payload: dict[str, Any]) -> None:
    """The same over the whole horizon, once a day."""
    await _run(ctx, payload)


async def _run(ctx: JobContext, payload: dict[str, Any]) -> None:
    if ctx.calendars is None:
        # As the mirror's refresh: a worker without providers skips (the next period runs on
        # one that has them), rather than pile up retries of a periodic run.
        log.warning("reconciliation_skipped", kind=ctx.kind, reason="no calendar providers")
        return
    days = payload.get("days")
    if not isinstance(days, int) or not 0 < days <= 366:
        raise PermanentJobError(f"bad payload: days={days!r}")
    await reconcile(unit_of(ctx), Window(days=days))
