"""The business hears too: e-mail to the logins that opted in (``notify_by_email``) on phone
bookings, on cancellations, and when a calendar sync needs a person's decision (a conflict)."""

from __future__ import annotations

import hashlib
from datetime import UTC, timedelta
from functools import partial
from typing import Any

from frontdesk.db.repositories import messages as message_rows
from frontdesk.db.repositories.messages import MessageFacts
from frontdesk.jobs.registry import DEFAULT_REGISTRY, JobContext
from frontdesk.messages import render
from frontdesk.messages.deliver import (
    appointment_of,
    channels_of,
    load_facts,
    once,
    sender_of,
    skipped,
)
from frontdesk.messages.model import Channel
from frontdesk.messages.outbox import STAFF_MESSAGE_JOB, read_job
from frontdesk.messages.ports import Email

CONFLICT_SCAN_JOB = "messages.sync_conflicts"
CONFLICT_SCAN_EVERY = timedelta(minutes=5)
CONFLICT_BATCH = 200


@DEFAULT_REGISTRY.register(STAFF_MESSAGE_JOB)
async def staff_message(ctx: JobContext, payload: dict[str, Any]) -> None:
    job = read_job(payload)
    facts = await load_facts(ctx, job.tenant_id, job.appointment_id)
    if facts is None:
        return
    await notify(ctx, facts, job.kind, f"staff:{job.appointment_id}:{job.sequence}")


@DEFAULT_REGISTRY.register(CONFLICT_SCAN_JOB, every=CONFLICT_SCAN_EVERY)
async def sync_conflicts(ctx: JobContext, payload: dict[str, Any]) -> None:
    """Tell the business once per appointment and start that its sync is in conflict."""
    now = ctx.clock().astimezone(UTC)
    async with ctx.sessions() as session:
        found = await message_rows.in_conflict(session, now, CONFLICT_BATCH)
    for tenant_id, appointment_id, starts_at in found:
        facts = await load_facts(ctx, tenant_id, appointment_id)
        if facts is not None:
            key = f"conflict:{appointment_id}:{starts_at.astimezone(UTC):%Y%m%dT%H%MZ}"
            await notify(ctx, facts, "conflict", key)


async def notify(ctx: JobContext, facts: MessageFacts, kind: str, key: str) -> None:
    """E-mail ``kind`` (``booked``, ``cancelled``, ``conflict``) to each opted-in login once."""
    async with ctx.sessions() as session:
        recipients = await message_rows.staff_recipients(session, facts.tenant_id)
    available = channels_of(ctx)
    sender = sender_of(facts, available)
    metric_kind = f"staff_{kind}"
    if available.mail is None or sender is None:
        skipped(Channel.EMAIL, metric_kind, "no SMTP server or sender configured", key)
        return
    mail = available.mail
    appointment = appointment_of(facts, facts.starts_at, facts.ends_at)
    texts = render.staff_email(appointment, kind, _admin_url(ctx, facts, kind))
    for to in recipients:
        # One delivery per recipient; the address only as a hash in the key (no personal data).
        who = hashlib.sha256(to.lower().encode()).hexdigest()[:16]
        email = Email(
            sender=sender,
            sender_name="frontdesk",
            to=to,
            subject=texts.subject,
            text=texts.body,
            message_id=f"<{key.replace(':', '.')}.{who}@frontdesk>",
        )
        await once(
            ctx,
            tenant_id=facts.tenant_id,
            appointment_id=facts.appointment_id,
            key=f"{key}:{who}",
            channel=Channel.EMAIL,
            kind=metric_kind,
            send=partial(mail.send, email),
        )


def _admin_url(ctx: JobContext, facts: MessageFacts, kind: str) -> str:
    base = ctx.settings.base_url.rstrip("/")
    if kind == "conflict":
        return f"{base}/admin/sync"
    day = facts.starts_at.astimezone(appointment_of(facts, facts.starts_at, facts.ends_at).zone)
    return f"{base}/admin/schedule?date={day:%Y-%m-%d}"
