"""The mirror's jobs, and how a write asks for a refresh.

- ``calendar.mirror_refresh`` runs every 30 s over every branch on an outside calendar, each
  tenant on its own (one tenant's failure never stops another);
- ``calendar.mirror_refresh_branch`` refreshes one branch soon after ``mark_stale`` marked
  days of it (enqueued by ``request_refresh`` in the marking transaction).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from frontdesk.calendars.mirror.refresher import MirrorRefresher, measure, mirror_budget
from frontdesk.db.engine import DbSession
from frontdesk.jobs.queue import enqueue
from frontdesk.jobs.registry import DEFAULT_REGISTRY, JobContext
from frontdesk.observability.logging import get_logger

log = get_logger(__name__)

REFRESH_KIND = "calendar.mirror_refresh"
BRANCH_KIND = "calendar.mirror_refresh_branch"
RUN_EVERY = timedelta(seconds=30)

# On-demand refreshes of a branch are coalesced per bucket and start when it ends, so every
# mark is followed by a run that starts after it.
REQUEST_BUCKET_SECONDS = 10


async def request_refresh(
    session: DbSession, tenant_id: uuid.UUID, branch_id: uuid.UUID, now: datetime
) -> int | None:
    """Ask for a refresh of the branch's stale days, in the caller's transaction (call it with
    ``mark_stale``). Requests within one 10 s bucket become one job, run when the bucket ends."""
    bucket = int(now.timestamp()) // REQUEST_BUCKET_SECONDS
    return await enqueue(
        session,
        BRANCH_KIND,
        {"branch_id": str(branch_id)},
        run_after=datetime.fromtimestamp((bucket + 1) * REQUEST_BUCKET_SECONDS, UTC),
        dedupe_key=f"mirror:{branch_id}:{bucket}",
        tenant_id=tenant_id,
        max_attempts=3,
    )


def refresher_for(ctx: JobContext) -> MirrorRefresher | None:
    """The refresher of a job run, or None when the worker has no outside calendars."""
    calendars = ctx.calendars
    if calendars is None:
        log.warning("mirror_refresh_skipped", kind=ctx.kind, reason="no calendar providers")
        return None
    return MirrorRefresher(
        ctx.sessions,
        calendars.port,
        clock=ctx.clock,
        monotonic=calendars.guard.monotonic,
        budget=mirror_budget(calendars.guard.budget),
    )


@DEFAULT_REGISTRY.register(REFRESH_KIND, every=RUN_EVERY)
async def refresh_mirrors(ctx: JobContext, payload: dict[str, Any]) -> None:
    """Refresh every outside branch's due days. Idempotent: a second run finds them fresh."""
    refresher = refresher_for(ctx)
    if refresher is not None:
        runs = await refresher.refresh()
        measure(runs, ctx.clock())
        await refresher.cleanup()


@DEFAULT_REGISTRY.register(BRANCH_KIND)
async def refresh_branch(ctx: JobContext, payload: dict[str, Any]) -> None:
    """Refresh one branch's due days (stale ones first) after ``request_refresh``."""
    refresher = refresher_for(ctx)
    if refresher is not None:
        await refresher.refresh(uuid.UUID(str(payload["branch_id"])))
