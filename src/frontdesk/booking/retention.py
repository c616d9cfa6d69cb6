"""The retention period of call transcripts (ADR 0020): what was said in a call is deleted
once the tenant's period (``tenant.transcript_retention_days``, 90 days by default) has
passed since the call; the call's facts (when, how long, outcome, the appointments, the
functions' names and latencies) stay.

A periodic job runs it every hour by the injected clock; each tenant's expired calls are
cleared in batches of their own transaction, so a large backlog (a period shortened, a long
outage) never holds one long transaction. Idempotent: a cleared call is not selected again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from frontdesk.booking.sync_job import unit_of
from frontdesk.booking.unit_of_work import UnitOfWork
from frontdesk.db.repositories import audit, call_records
from frontdesk.domain.errors import InvalidRequest, NotFound
from frontdesk.jobs.registry import DEFAULT_REGISTRY, JobContext
from frontdesk.observability.logging import get_logger

log = get_logger(__name__)

RETENTION_KIND = "calls.transcript_retention"
BATCH = 500
MIN_DAYS = 1
MAX_DAYS = 3650


@dataclass(frozen=True, slots=True)
class RetentionRun:
    tenants: int
    calls_cleared: int


async def enforce_transcript_retention(uow: UnitOfWork, batch: int = BATCH) -> RetentionRun:
    """Clear the content of every tenant's calls older than its retention period."""
    now = uow.clock()
    async with uow.reading() as session:
        settings = await call_records.retention_settings(session)
    cleared = 0
    for tenant_id, days in settings:
        # A setting outside the allowed range (edited in the database) is held to it.
        before = now - timedelta(days=min(max(days, MIN_DAYS), MAX_DAYS))
        while True:
            async with uow.writing() as session:
                ids = await call_records.expired(session, tenant_id, before, batch)
                cleared += await call_records.delete_content(
                    session, tenant_id, ids, caller_number=False
                )
                await uow.commit(session)
            if len(ids) < batch:
                break
    return RetentionRun(len(settings), cleared)


async def set_transcript_retention(
    uow: UnitOfWork, tenant_id: uuid.UUID, days: int, actor: str
) -> int:
    """The tenant's retention period in days (``InvalidRequest`` outside 1-3650); audited.
    Shortening it deletes older transcripts at the job's next run."""
    if not MIN_DAYS <= days <= MAX_DAYS:
        raise InvalidRequest(f"the retention period must be {MIN_DAYS}-{MAX_DAYS} days")
    async with uow.writing() as session:
        if not await call_records.set_retention(session, tenant_id, days):
            raise NotFound(f"no tenant {tenant_id}")
        await audit.record_once(
            session,
            entry_id=uuid.uuid4(),
            tenant_id=tenant_id,
            actor=actor,
            action="transcript_retention_changed",
            entity_type="tenant",
            entity_id=str(tenant_id),
            data={"days": days},
            at=uow.clock(),
        )
        await uow.commit(session)
    return days


@DEFAULT_REGISTRY.register(RETENTION_KIND, every=timedelta(hours=1))
async def transcript_retention(ctx: JobContext, payload: dict[str, Any]) -> None:
    """The hourly run (the period's deletions are at most an hour late)."""
    run = await enforce_transcript_retention(unit_of(ctx))
    log.info("transcript_retention", tenants=run.tenants, calls_cleared=run.calls_cleared)
