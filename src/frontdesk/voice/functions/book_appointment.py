"""``book_appointment``: book a slot id or an exact day and time for the caller."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC
from typing import Any

from frontdesk.booking.book import BookingRequest
from frontdesk.booking.customers import CustomerInput
from frontdesk.booking.service import BookingService
from frontdesk.booking.views import BookingOutcome
from frontdesk.domain.errors import InvalidEmail, InvalidRequest, SlotUnavailable
from frontdesk.domain.model import ACTIVE_STATUSES, AppointmentSource, SyncState
from frontdesk.voice.functions import arguments, wording
from frontdesk.voice.functions.arguments import Target, arg, truthy
from frontdesk.voice.functions.context import Ask, CallContext, Reply, ask
from frontdesk.voice.replies import say


async def book_appointment(
    booking: BookingService, args: Mapping[str, Any], ctx: CallContext
) -> Reply:
    target = arguments.target(ctx, args, "slot_id", "date", "time")
    key = _idempotency_key(ctx, target)
    outcome = await _book(booking, ctx, args, target, key)
    if outcome.replayed and outcome.appointment.status not in ACTIVE_STATUSES:
        # The same slot was booked and cancelled earlier in this call: a new booking.
        again = f"{key}:{outcome.appointment.id.hex[:8]}"
        outcome = await _book(booking, ctx, args, target, again)
    view = outcome.appointment
    if outcome.duplicate and not outcome.replayed:
        return wording.appointment_reply(ctx, "duplicate", view)
    # On an outside calendar that could not be written just now the booking is noted and a
    # job finishes it: the caller hears exactly that.
    wording_key = "booked_pending" if view.sync_state is SyncState.PENDING_SYNC else None
    links = ((view.id, "booked"),)
    return wording.appointment_reply(ctx, "booked", view, links, key=wording_key)


async def _book(
    booking: BookingService,
    ctx: CallContext,
    args: Mapping[str, Any],
    target: Target,
    key: str,
) -> BookingOutcome:
    """Book for the caller (their customer record by caller ID, else a new one by name).

    A repeat of the same request in the same call (``key``) comes back ``replayed``; a
    refusal becomes the answer to give (``Ask``).
    """
    request = BookingRequest(
        tenant_id=ctx.tenant_id,
        service_id=target.service.id,
        start=target.start,
        customer=CustomerInput(
            name=arg(args, "customer_name") or "",
            phone=ctx.caller.phone,
            email=arg(args, "email"),
            for_someone_else_by_name=True,
        ),
        source=AppointmentSource.PHONE,
        staff_id=target.staff_id,
        notes=arg(args, "notes"),
        idempotency_key=key,
        call_id=ctx.call_id,
        sms_consent=truthy(args.get("sms_consent")),
    )
    try:
        return await booking.book(request)
    except SlotUnavailable as exc:
        pinned = target.staff_id is not None
        raise Ask(wording.refused(ctx, target.service, target.start, exc, pinned)) from None
    except InvalidEmail:
        raise ask(say("ask_email", ctx.language), "email") from None
    except InvalidRequest:
        # The one thing a phone booking can lack: a new caller's name (or one no rule allows).
        raise ask(say("ask_name", ctx.language), "customer_name") from None


def _idempotency_key(ctx: CallContext, target: Target) -> str:
    """Same call, same service, same start: the same booking however often it is asked."""
    start = target.start.astimezone(UTC).strftime("%Y%m%dT%H%MZ")
    return f"retell:{ctx.retell_call_id}:{target.service.id}:{start}"[:255]
