"""``find_appointments``: the caller's upcoming appointments, and which one they mean."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from frontdesk.booking.service import BookingService
from frontdesk.booking.views import AppointmentView
from frontdesk.voice import replies
from frontdesk.voice.functions import arguments, wording
from frontdesk.voice.functions.context import Ask, CallContext, Reply, clarify
from frontdesk.voice.replies import say

MAX_LISTED = 3


async def find_appointments(
    booking: BookingService, args: Mapping[str, Any], ctx: CallContext
) -> Reply:
    views = await booking.visible_to(ctx.phone_caller)
    lang = ctx.language
    if not views:
        key = "none_anonymous" if ctx.caller.anonymous else "none"
        return Reply("none", say(key, lang), {"appointments": []})
    listed = views[:MAX_LISTED]
    spoken = [wording.spoken_appointment(ctx, v) for v in listed]
    if len(views) == 1:
        message = say("found_one", lang, list=spoken[0])
    else:
        message = say("found_many", lang, count=len(views), list=replies.join_and(spoken, lang))
    data = {"appointments": [wording.appointment_data(ctx, v) for v in listed]}
    return Reply("found", message, data)


async def pick_appointment(
    booking: BookingService, ctx: CallContext, appointment_id: str | None, day_text: str | None
) -> AppointmentView:
    """The one appointment the caller means and may change (the use case decides which they
    may), or a question back."""
    lang = ctx.language
    not_found = Reply(
        "not_found", say("not_found_anonymous" if ctx.caller.anonymous else "not_found", lang)
    )
    if appointment_id:
        try:
            wanted = uuid.UUID(appointment_id)
        except ValueError:
            raise Ask(not_found) from None
        view = await booking.changeable_by(ctx.phone_caller, wanted)
        if view is None:
            raise Ask(not_found)
        return view
    views = await booking.visible_to(ctx.phone_caller)
    if day_text:
        when = arguments.read_when(ctx, day_text, None)
        tz = ctx.catalog.tz
        if when.date is not None:
            views = [v for v in views if v.start.astimezone(tz).date() == when.date]
        if when.time is not None:
            views = [v for v in views if v.start.astimezone(tz).time() == when.time]
        if len(views) == 1:
            return views[0]
    if not views:
        raise Ask(not_found)
    listed = views[:MAX_LISTED]
    spoken = replies.join_or([wording.spoken_appointment(ctx, v) for v in listed], lang)
    reply = clarify(say("ask_which_appointment", lang, list=spoken), "appointment_id")
    reply.data["appointments"] = [wording.appointment_data(ctx, v) for v in listed]
    raise Ask(reply)
