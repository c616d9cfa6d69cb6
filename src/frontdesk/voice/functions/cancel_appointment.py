"""``cancel_appointment``: cancel one of the caller's appointments, a fee only once agreed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from frontdesk.booking.service import BookingService
from frontdesk.domain.errors import (
    AlreadyCancelled,
    AppointmentNotFound,
    FeeNotAccepted,
    NotChangeable,
    TooLateToCancel,
)
from frontdesk.domain.model import AppointmentStatus
from frontdesk.voice import replies
from frontdesk.voice.functions import wording
from frontdesk.voice.functions.arguments import arg, truthy
from frontdesk.voice.functions.context import CallContext, Reply
from frontdesk.voice.functions.find_appointments import pick_appointment
from frontdesk.voice.replies import say


async def cancel_appointment(
    booking: BookingService, args: Mapping[str, Any], ctx: CallContext
) -> Reply:
    view = await pick_appointment(booking, ctx, arg(args, "appointment_id"), arg(args, "date"))
    lang = ctx.language
    if view.status is AppointmentStatus.CANCELLED:
        return wording.appointment_reply(ctx, "already_cancelled", view)
    try:
        outcome = await booking.cancel(
            ctx.tenant_id,
            view.id,
            reason=arg(args, "reason") or "am Telefon abgesagt",
            accept_fee=truthy(args.get("accept_fee")),
        )
    except FeeNotAccepted as exc:
        fee = replies.price_text(exc.fee_cents, lang)
        data = {"fee_cents": exc.fee_cents, "appointment": wording.appointment_data(ctx, view)}
        return Reply("fee_applies", say("fee_applies", lang, fee=fee), data)
    except TooLateToCancel:
        return Reply("too_late", say("too_late", lang), {})
    except AlreadyCancelled:
        return wording.appointment_reply(ctx, "already_cancelled", view)
    except (NotChangeable, AppointmentNotFound):
        return Reply("not_changeable", say("not_changeable", lang), {})
    cancelled = outcome.appointment
    when = wording.when_of(ctx, cancelled.start)
    service = wording.service_name(ctx, cancelled.service_id)
    if outcome.fee_cents:
        fee = replies.price_text(outcome.fee_cents, lang)
        message = say("cancelled_fee", lang, when=when, service=service, fee=fee)
    else:
        message = say("cancelled", lang, when=when, service=service)
    data = {
        "fee_cents": outcome.fee_cents,
        "appointment": wording.appointment_data(ctx, cancelled),
    }
    return Reply("cancelled", message, data, links=((cancelled.id, "cancelled"),))
