"""The outbox job that processes one stored Cal.com webhook: ``calendar.inbox``.

Written with the inbox row in the webhook's own transaction (``booking.calendar_inbox``), so an
answered webhook is processed at least once; ``calendar_events.process`` is a merge of facts,
so running it twice (a crash after the commit, a second worker) changes nothing more.
"""

from __future__ import annotations

import uuid
from typing import Any

from frontdesk.booking import calendar_events
from frontdesk.booking.calendar_inbox import INBOX_JOB
from frontdesk.booking.sync_job import unit_of
from frontdesk.db.errors import WriteRefused
from frontdesk.jobs.errors import PermanentJobError, TransientJobError
from frontdesk.jobs.registry import DEFAULT_REGISTRY, JobContext


@DEFAULT_REGISTRY.register(INBOX_JOB)
async def process_webhook(ctx: JobContext, payload: dict[str, Any]) -> None:
    try:
        inbox_id = uuid.UUID(str(payload["inbox_id"]))
    except (KeyError, ValueError) as exc:
        raise PermanentJobError(f"bad payload: {exc}") from exc
    try:
        await calendar_events.process(unit_of(ctx), inbox_id)
    except WriteRefused as refused:
        # Another writer changed the same rows meanwhile; the next run merges afresh.
        raise TransientJobError(f"changed meanwhile ({refused.kind})") from refused
