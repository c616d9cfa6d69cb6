"""Reminders: by default 24 hours before an appointment (per tenant: off or N hours, e-mail
and/or SMS), never for one booked less than that ahead, never after a cancellation, never twice.

A periodic scan (every few minutes, on whichever worker enqueues the period first) finds the
appointments whose reminder is due and claims each with a row keyed by the appointment and its
start (``reminder_claim``): the insert is ``ON CONFLICT DO NOTHING``, so however many workers
scan at once, one transaction wins and writes the reminder jobs with it; a moved appointment
has a new start and so its own reminder. The send re-reads the appointment: cancelled or moved
since means nothing is sent. SMS never between 21:00 and 08:00 at the branch (ADR 0024).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.db.repositories import messages as message_rows
from frontdesk.db.repositories.messages import ReminderCandidate
from frontdesk.domain.model import ACTIVE_STATUSES
from frontdesk.jobs.errors import PermanentJobError
from frontdesk.jobs.queue import enqueue
from frontdesk.jobs.registry import DEFAULT_REGISTRY, JobContext
from frontdesk.messages import customer, policy
from frontdesk.messages.deliver import load_facts
from frontdesk.messages.model import Channel, MessageKind
from frontdesk.observability.logging import get_logger
from frontdesk.observability.metrics import NOTIFICATIONS

log = get_logger(__name__)

SCAN_JOB = "messages.reminders"
REMINDER_JOB = "message.reminder"
SCAN_EVERY = timedelta(minutes=5)
SCAN_BATCH = 500


@DEFAULT_REGISTRY.register(SCAN_JOB, every=SCAN_EVERY)
async def scan(ctx: JobContext, payload: dict[str, Any]) -> None:
    """Claim every reminder due now and enqueue its sends (one transaction per scan)."""
    # In UTC: "N hours before" is elapsed time, and aware arithmetic in a zone is wall-clock
    # arithmetic (it would be an hour off across a DST change).
    now = ctx.clock().astimezone(UTC)
    async with ctx.sessions() as session:
        longest = await message_rows.longest_reminder_hours(session)
        if not longest:
            return
        horizon = now + timedelta(hours=longest)
        found = await message_rows.reminder_candidates(session, now, horizon, SCAN_BATCH)
        claimed = 0
        for candidate in found:
            due = candidate.starts_at - timedelta(hours=candidate.reminder_hours)
            if due > now:
                continue  # this tenant's own window has not begun
            won = await message_rows.claim_reminder(
                session, candidate.tenant_id, candidate.appointment_id, candidate.starts_at, now
            )
            if not won:
                continue
            claimed += 1
            if candidate.created_at > due:
                # Booked less than the reminder period ahead: the confirmation was enough.
                # The claim stays, so the appointment is not looked at again.
                continue
            await _enqueue_sends(session, candidate)
        await session.commit()
    if claimed:
        log.info("reminders claimed", count=claimed)


async def _enqueue_sends(session: AsyncSession, candidate: ReminderCandidate) -> None:
    base = {
        "tenant_id": str(candidate.tenant_id),
        "appointment_id": str(candidate.appointment_id),
        "starts_at": candidate.starts_at.isoformat(),
    }
    key = f"{candidate.appointment_id}:{candidate.starts_at.isoformat()}"
    await enqueue(
        session,
        REMINDER_JOB,
        {**base, "channel": Channel.EMAIL.value},
        tenant_id=candidate.tenant_id,
        dedupe_key=f"reminder:email:{key}",
    )
    await enqueue(
        session,
        REMINDER_JOB,
        {**base, "channel": Channel.SMS.value},
        tenant_id=candidate.tenant_id,
        dedupe_key=f"reminder:sms:{key}",
    )


@DEFAULT_REGISTRY.register(REMINDER_JOB)
async def remind(ctx: JobContext, payload: dict[str, Any]) -> None:
    try:
        tenant_id = uuid.UUID(payload["tenant_id"])
        appointment_id = uuid.UUID(payload["appointment_id"])
        starts_at = datetime.fromisoformat(payload["starts_at"])
        channel = Channel(payload["channel"])
    except (KeyError, ValueError) as exc:
        raise PermanentJobError(f"unreadable reminder payload: {exc}") from exc
    facts = await load_facts(ctx, tenant_id, appointment_id)
    kind = MessageKind.REMINDER.value
    if facts is None or facts.erased or facts.reminders_opted_out:
        NOTIFICATIONS.labels(channel.value, kind, "skipped").inc()
        return
    if facts.status not in ACTIVE_STATUSES or facts.starts_at != starts_at:
        # Cancelled or moved since it was claimed: this reminder is for a time that is gone.
        NOTIFICATIONS.labels(channel.value, kind, "skipped").inc()
        return
    wanted = facts.reminder_email if channel is Channel.EMAIL else facts.reminder_sms
    if not wanted or facts.reminder_hours is None:
        NOTIFICATIONS.labels(channel.value, kind, "skipped").inc()
        return
    if channel is Channel.SMS:
        now = ctx.clock()
        at = policy.sms_send_time(now, starts_at, ZoneInfo(facts.timezone))
        if at is None:
            NOTIFICATIONS.labels(channel.value, kind, "skipped").inc()
            log.info(
                "reminder sms skipped: quiet hours until too late", appointment=str(appointment_id)
            )
            return
        if at > now:
            # Night at the branch: the same reminder again at 08:00 (a new job, same key base).
            async with ctx.sessions() as session:
                await enqueue(
                    session,
                    REMINDER_JOB,
                    payload,
                    run_after=at,
                    tenant_id=tenant_id,
                    dedupe_key=f"reminder:sms-morning:{appointment_id}:{starts_at.isoformat()}",
                )
                await session.commit()
            return
    await customer.send(
        ctx, facts, MessageKind.REMINDER, 0, starts_at, facts.ends_at, channels={channel}
    )
