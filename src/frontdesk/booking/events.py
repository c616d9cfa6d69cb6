"""Handlers of the booking domain events the outbox delivers.

With the built-in calendar the one consumer is the audit trail: every booking, move and
cancellation becomes an audit entry, written after the fact so the booking transaction stays
small. Calendar sync with external providers subscribes to the same events.
"""

from __future__ import annotations

import uuid
from typing import Any

from frontdesk.db.engine import DbSession
from frontdesk.db.repositories import audit
from frontdesk.domain.events import EVENT_KINDS
from frontdesk.jobs.registry import DEFAULT_REGISTRY, JobContext

# Audit entry ids derive from the job id, so a re-delivered event adds no second entry.
_AUDIT_NAMESPACE = uuid.UUID("0b8f2a94-1d7c-4c1e-9e0e-54b7b5f1a7c3")


async def audit_event(ctx: JobContext, payload: dict[str, Any]) -> None:
    """Record the event in the audit log.

    Transactional: the entry is written in the worker's transaction that also marks the job
    done. Still idempotent: the entry's id is derived from the job id and inserted with ON
    CONFLICT DO NOTHING.
    """
    session = ctx.session
    if session is None:
        async with ctx.sessions() as own:
            await _record(own, ctx, payload)
            await own.commit()
    else:
        await _record(session, ctx, payload)


async def _record(session: DbSession, ctx: JobContext, payload: dict[str, Any]) -> None:
    await audit.record_once(
        session,
        entry_id=uuid.uuid5(_AUDIT_NAMESPACE, f"job:{ctx.job_id}"),
        tenant_id=uuid.UUID(payload["tenant_id"]),
        actor=payload.get("actor") or "booking",
        action=ctx.kind.removeprefix("event."),
        entity_type="appointment",
        entity_id=payload["appointment_id"],
        data=payload,
        at=ctx.clock(),
    )


for _kind in EVENT_KINDS:
    DEFAULT_REGISTRY.add(_kind, audit_event, transactional=True)
