"""The built-in job handlers, and the list of modules that register the others.

Workers call ``default_registry()``, which imports every module in ``HANDLER_MODULES`` (each
registers its handlers on ``DEFAULT_REGISTRY`` when imported) and returns the registry. Adding a
handler elsewhere: decorate it with ``@DEFAULT_REGISTRY.register("kind")`` and add its module here.
"""

from __future__ import annotations

import importlib
from datetime import timedelta
from typing import Any

from frontdesk.db.repositories import jobs as job_rows
from frontdesk.jobs.registry import DEFAULT_REGISTRY, HandlerRegistry, JobContext
from frontdesk.observability.logging import get_logger

log = get_logger(__name__)

# Modules whose import registers handlers on DEFAULT_REGISTRY (besides this one).
HANDLER_MODULES: tuple[str, ...] = (
    "frontdesk.booking.events",
    "frontdesk.booking.sync_job",
    "frontdesk.booking.calendar_inbox_job",
    "frontdesk.booking.reconcile_job",
    "frontdesk.booking.retention",
    "frontdesk.calendars.mirror",
    "frontdesk.messages.customer",
    "frontdesk.messages.reminders",
    "frontdesk.messages.staff",
)

SUCCEEDED_JOBS_KEPT_FOR = timedelta(days=7)


@DEFAULT_REGISTRY.register("maintenance.purge", every=timedelta(hours=1))
async def purge(ctx: JobContext, payload: dict[str, Any]) -> None:
    """Delete succeeded jobs finished over 7 days ago and expired ``Idempotency-Key`` records.

    Idempotent: a second run deletes what is left past the same cut-offs (usually nothing).
    Dead jobs are kept until an operator retries or removes them.
    """
    now = ctx.clock()
    async with ctx.sessions() as session:
        jobs = await job_rows.purge_succeeded(session, now - SUCCEEDED_JOBS_KEPT_FOR)
        records = await job_rows.purge_expired_idempotency(session, now)
        await session.commit()
    log.info("purged", succeeded_jobs=jobs, idempotency_records=records)


def default_registry() -> HandlerRegistry:
    """The registry with every built-in and module-provided handler registered."""
    for module in HANDLER_MODULES:
        importlib.import_module(module)
    return DEFAULT_REGISTRY
