"""Sending one message on each channel it may take, once.

At-least-once jobs meet channels that cannot take a message back: after each channel accepts,
a delivery row (key and channel, never the body) is committed at once, and a retried job skips
the channels it finds there. A crash between the provider's acceptance and that commit can still
repeat one message; the e-mail then carries the same Message-ID and the same .ics SEQUENCE,
which mail and calendar clients treat as the same message (ADR 0024).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime

from frontdesk.db.repositories import messages as message_rows
from frontdesk.db.repositories.messages import MessageFacts
from frontdesk.jobs.errors import PermanentJobError, TransientJobError
from frontdesk.jobs.registry import JobContext
from frontdesk.messages import policy
from frontdesk.messages.channels import Channels, channels_from_settings
from frontdesk.messages.model import Appointment, Channel
from frontdesk.messages.ports import DeliveryFailed
from frontdesk.observability.logging import get_logger
from frontdesk.observability.metrics import NOTIFICATIONS
from frontdesk.settings import Settings

log = get_logger(__name__)


# The channels built from each settings object a worker runs with (one per process in practice);
# Settings is not hashable, so it is keyed by identity and kept alive with its channels.
_BUILT: dict[int, tuple[Settings, Channels]] = {}


def _process_channels(settings: Settings) -> Channels:
    built = _BUILT.get(id(settings))
    if built is None or built[0] is not settings:
        built = (settings, channels_from_settings(settings))
        _BUILT[id(settings)] = built
    return built[1]


def channels_of(ctx: JobContext) -> Channels:
    """The channels the worker was given, else those the settings configure (one per process)."""
    return ctx.channels if ctx.channels is not None else _process_channels(ctx.settings)


def appointment_of(facts: MessageFacts, starts_at: datetime, ends_at: datetime) -> Appointment:
    return Appointment(
        appointment_id=facts.appointment_id,
        tenant_id=facts.tenant_id,
        business=facts.business,
        branch=facts.branch,
        address=facts.address,
        service=facts.service,
        staff=facts.staff,
        starts_at=starts_at,
        ends_at=ends_at,
        timezone=facts.timezone,
        locale=facts.locale,
        customer_name=facts.customer_name,
    )


async def load_facts(
    ctx: JobContext, tenant_id: uuid.UUID, appointment_id: uuid.UUID
) -> MessageFacts | None:
    async with ctx.sessions() as session:
        return await message_rows.facts(session, tenant_id, appointment_id)


async def sms_target(ctx: JobContext, facts: MessageFacts) -> str | None:
    async with ctx.sessions() as session:
        consented = await message_rows.sms_consented(session, facts.tenant_id, facts.customer_id)
    return policy.sms_number(facts.customer_phone, facts.phone_region, consented)


def sender_of(facts: MessageFacts, channels: Channels) -> str | None:
    return facts.mail_from or channels.mail_from


async def once(
    ctx: JobContext,
    *,
    tenant_id: uuid.UUID,
    appointment_id: uuid.UUID | None,
    key: str,
    channel: Channel,
    kind: str,
    send: Callable[[], Awaitable[str]],
) -> None:
    """Run ``send`` unless this message already went out on ``channel``; record it after."""
    async with ctx.sessions() as session:
        if await message_rows.delivered(session, key, channel.value):
            NOTIFICATIONS.labels(channel.value, kind, "skipped").inc()
            return
    try:
        reference = await send()
    except DeliveryFailed as failed:
        outcome = "failed" if failed.transient else "refused"
        NOTIFICATIONS.labels(channel.value, kind, outcome).inc()
        log.warning(
            "message not sent",
            channel=channel.value,
            kind=kind,
            message_key=key,
            reason=str(failed),
            transient=failed.transient,
        )
        if failed.transient:
            raise TransientJobError(f"{channel.value}: {failed}") from failed
        raise PermanentJobError(f"{channel.value}: {failed}") from failed
    async with ctx.sessions() as session:
        await message_rows.record_delivery(
            session,
            tenant_id=tenant_id,
            appointment_id=appointment_id,
            message_key=key,
            channel=channel.value,
            kind=kind,
            provider_ref=reference,
            sent_at=ctx.clock(),
        )
        await session.commit()
    NOTIFICATIONS.labels(channel.value, kind, "sent").inc()
    # Who and what, never the text or the address (ADR 0024).
    log.info("message sent", channel=channel.value, kind=kind, message_key=key)


def skipped(channel: Channel, kind: str, why: str, key: str) -> None:
    NOTIFICATIONS.labels(channel.value, kind, "skipped").inc()
    log.info("message skipped", channel=channel.value, kind=kind, message_key=key, why=why)
