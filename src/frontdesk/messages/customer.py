"""The customer's message about a change or a reminder: e-mail with the .ics, and SMS when the
customer agreed to SMS on a mobile number (job ``message.customer``; reminders reuse ``send``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from frontdesk.db.repositories.messages import MessageFacts
from frontdesk.jobs.errors import PermanentJobError
from frontdesk.jobs.registry import DEFAULT_REGISTRY, JobContext
from frontdesk.messages import ics, links, render
from frontdesk.messages.deliver import (
    appointment_of,
    channels_of,
    load_facts,
    once,
    sender_of,
    skipped,
    sms_target,
)
from frontdesk.messages.model import Channel, MessageKind, Notice
from frontdesk.messages.outbox import CUSTOMER_MESSAGE_JOB, read_job
from frontdesk.messages.ports import Attachment, Email, Sms


@DEFAULT_REGISTRY.register(CUSTOMER_MESSAGE_JOB)
async def customer_message(ctx: JobContext, payload: dict[str, Any]) -> None:
    job = read_job(payload)
    try:
        kind = MessageKind(job.kind)
    except ValueError as exc:
        raise PermanentJobError(f"unreadable message payload: {exc}") from exc
    sequence = job.sequence
    facts = await load_facts(ctx, job.tenant_id, job.appointment_id)
    if facts is None or facts.erased:
        return  # gone, or erased on request: nobody to write to
    starts_at = _time(payload, "starts_at", facts.starts_at)
    ends_at = _time(payload, "ends_at", facts.ends_at)
    await send(
        ctx, facts, kind, sequence, starts_at, ends_at, channels={Channel.EMAIL, Channel.SMS}
    )


async def send(
    ctx: JobContext,
    facts: MessageFacts,
    kind: MessageKind,
    sequence: int,
    starts_at: datetime,
    ends_at: datetime,
    *,
    channels: set[Channel],
) -> None:
    """Send ``kind`` on each of ``channels`` the customer can be reached on, once each."""
    appointment = appointment_of(facts, starts_at, ends_at)
    manage = None
    if kind is not MessageKind.CANCELLED:
        manage = links.manage_url_for(
            ctx.settings, facts.tenant_id, facts.appointment_id, starts_at
        )
    unsubscribe = None
    if kind is MessageKind.REMINDER:
        unsubscribe = links.unsubscribe_url(ctx.settings, facts.tenant_id, facts.customer_id)
    notice = Notice(kind, sequence, appointment, manage, unsubscribe)
    if Channel.EMAIL in channels:
        await _email(ctx, facts, notice)
    if Channel.SMS in channels:
        await _sms(ctx, facts, notice)


async def _email(ctx: JobContext, facts: MessageFacts, notice: Notice) -> None:
    available = channels_of(ctx)
    sender = sender_of(facts, available)
    kind = notice.kind.value
    if available.mail is None or sender is None:
        skipped(Channel.EMAIL, kind, "no SMTP server or sender configured", notice.key)
        return
    if not facts.customer_email:
        skipped(Channel.EMAIL, kind, "no e-mail address", notice.key)
        return
    mail, to = available.mail, facts.customer_email
    texts = render.customer_email(notice)
    calendar = None
    if notice.kind is not MessageKind.REMINDER:
        # A reminder changes nothing in the calendar; every change carries the iTIP update.
        method = ics.method_for(notice.kind)
        content = ics.invitation(notice, sender, to, ctx.clock())
        calendar = Attachment(
            "termin.ics", content, f"text/calendar; method={method}; charset=UTF-8"
        )
    email = Email(
        sender=sender,
        sender_name=facts.business,
        to=to,
        subject=texts.subject,
        text=texts.body,
        message_id=f"<{notice.key.replace(':', '.')}@frontdesk>",
        calendar=calendar,
        unsubscribe_url=notice.unsubscribe_url,
    )
    await once(
        ctx,
        tenant_id=facts.tenant_id,
        appointment_id=facts.appointment_id,
        key=notice.key,
        channel=Channel.EMAIL,
        kind=kind,
        send=lambda: mail.send(email),
    )


async def _sms(ctx: JobContext, facts: MessageFacts, notice: Notice) -> None:
    available = channels_of(ctx)
    kind = notice.kind.value
    if available.sms is None or available.sms_from is None:
        skipped(Channel.SMS, kind, "no SMS provider configured", notice.key)
        return
    number = await sms_target(ctx, facts)
    if number is None:
        skipped(Channel.SMS, kind, "no mobile number with SMS consent", notice.key)
        return
    sms_port = available.sms
    sms = Sms(to=number, text=render.customer_sms(notice), sender=available.sms_from)
    await once(
        ctx,
        tenant_id=facts.tenant_id,
        appointment_id=facts.appointment_id,
        key=notice.key,
        channel=Channel.SMS,
        kind=kind,
        send=lambda: sms_port.send(sms),
    )


def _time(payload: dict[str, Any], name: str, default: datetime) -> datetime:
    raw = payload.get(name)
    return default if raw is None else datetime.fromisoformat(raw)
