"""``reschedule_appointment``: move one of the caller's appointments to a slot or a new time."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from frontdesk.booking.service import BookingService
from frontdesk.domain.errors import (
    AlreadyCancelled,
    AppointmentNotFound,
    NotChangeable,
    SlotUnavailable,
)
from frontdesk.domain.model import AppointmentStatus
from frontdesk.voice.functions import arguments, wording
from frontdesk.voice.functions.arguments import arg
from frontdesk.voice.functions.context import CallContext, Reply, ask
from frontdesk.voice.functions.find_appointments import pick_appointment
from frontdesk.voice.replies import say


async def reschedule_appointment(
    booking: BookingService, args: Mapping[str, Any], ctx: CallContext
) -> Reply:
    view = await pick_appointment(booking, ctx, arg(args, "appointment_id"), arg(args, "old_date"))
    lang = ctx.language
    if view.status is AppointmentStatus.CANCELLED:
        return wording.appointment_reply(ctx, "already_cancelled", view)
    service = ctx.catalog.services.get(view.service_id)
    if service is None:
        return Reply("not_changeable", say("not_changeable", lang), {})
    new_args = {"service": service.name, **args}
    target = arguments.target(ctx, new_args, "slot_id", "new_date", "new_time", fixed=service)
    if target.service.id != service.id:
        raise ask(say("other_service_slot", lang), "slot_id")
    if target.start == view.start:
        # A repeat of a move that already happened: nothing to change.
        return wording.appointment_reply(ctx, "rescheduled", view)
    try:
        moved = await booking.reschedule(
            ctx.tenant_id, view.id, target.start, staff_id=target.staff_id
        )
    except SlotUnavailable as exc:
        return wording.refused(ctx, service, target.start, exc, target.staff_id is not None)
    except AlreadyCancelled:
        return wording.appointment_reply(ctx, "already_cancelled", view)
    except (NotChangeable, AppointmentNotFound):
        return Reply("not_changeable", say("not_changeable", lang), {})
    return wording.appointment_reply(ctx, "rescheduled", moved, ((moved.id, "rescheduled"),))
