"""Putting use-case results into the agent's words: slots, appointments, refusals.

Nothing here decides anything: why a time is not free and what to offer instead come from the
booking use cases; this module picks the sentence for it and the data the agent may use next.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from frontdesk.booking.catalog import ServiceInfo
from frontdesk.booking.views import AppointmentView, SlotView
from frontdesk.domain.errors import SlotUnavailable
from frontdesk.voice import replies, slots
from frontdesk.voice.functions.context import CallContext, Reply
from frontdesk.voice.replies import say

SEARCH_DAYS = 14
# The one mapping of a reason a time is not free (``domain.errors.UNAVAILABLE``) to a sentence.
REASON_SENTENCES = {
    "slot_taken": "slot_taken",
    "taken": "taken",
    "in_past": "past",
    "too_soon": "too_soon",
    "outside_hours": "outside_hours",
    "beyond_horizon": "too_far",
    "staff_cannot_perform": "outside_hours",
    "calendar_unknown": "calendar_unknown",
}


def when_of(ctx: CallContext, start: datetime) -> str:
    return replies.when_text(start.astimezone(ctx.catalog.tz), ctx.today, ctx.language)


def options_of(ctx: CallContext, offered: Sequence[SlotView], context: date | None = None) -> str:
    starts = [s.start for s in offered]
    return replies.options_text(starts, ctx.catalog.tz, ctx.today, ctx.language, context)


def slots_reply(
    ctx: CallContext,
    status: str,
    message: str,
    requested: str,
    offered: Sequence[SlotView],
    pinned: bool,
) -> Reply:
    data = [slot_data(ctx, s, pinned) for s in offered]
    return Reply(status, message, {"requested": requested, "slots": data})


def slot_data(ctx: CallContext, slot: SlotView, pinned: bool) -> dict[str, Any]:
    ref = slots.SlotRef(slot.service_id, slot.staff_id, slot.start, staff_pinned=pinned)
    tz = ctx.catalog.tz
    return {
        "slot_id": slots.issue(ctx.slot_secret, ctx.tenant_id, ref),
        "start": slot.start.astimezone(tz).isoformat(),
        "end": slot.end.astimezone(tz).isoformat(),
        "staff": slot.staff_name,
        "service": slot.service_name,
        "spoken": when_of(ctx, slot.start),
    }


def nothing_free(ctx: CallContext, service: ServiceInfo, requested: str) -> Reply:
    message = say("no_availability", ctx.language, service=service.name, days=SEARCH_DAYS)
    return Reply("no_availability", message, {"requested": requested, "slots": []})


def calendar_unknown(ctx: CallContext, when: str, requested: str) -> Reply:
    """The business's outside calendar has not been read for what was asked: the truth, and a
    call-back offered — never "nothing free", which would be a guess."""
    message = say("calendar_unknown", ctx.language, when=when)
    return Reply(
        "unavailable", message, {"requested": requested, "slots": [], "reason": "calendar_unknown"}
    )


def closed_reply(
    ctx: CallContext,
    day: date,
    holiday: str | None,
    offered: Sequence[SlotView],
    requested: str,
    pinned: bool,
) -> Reply:
    """The branch is closed that day: say so (a holiday by name), offer the next open days."""
    lang = ctx.language
    spoken_day = replies.day_text(day, ctx.today, lang)
    options = options_of(ctx, offered)
    if holiday is None:
        message = say("closed", lang, day=spoken_day, options=options)
        extra: dict[str, Any] = {"closed": True}
    else:
        message = say("holiday", lang, day=spoken_day, holiday=holiday, options=options)
        extra = {"closed": True, "holiday": holiday}
    reply = slots_reply(ctx, "unavailable", message, requested, offered, pinned)
    reply.data.update(extra)
    return reply


def instead_reply(
    ctx: CallContext, reason: str, start: datetime, offered: Sequence[SlotView], pinned: bool
) -> Reply:
    """The start is not free (``reason``): why, and the options near it."""
    local = start.astimezone(ctx.catalog.tz)
    key = REASON_SENTENCES.get(reason, "taken")
    options = options_of(ctx, offered, local.date())
    message = say(key, ctx.language, when=when_of(ctx, local), options=options)
    return slots_reply(ctx, "unavailable", message, local.isoformat(), offered, pinned)


def refused(
    ctx: CallContext, service: ServiceInfo, start: datetime, exc: SlotUnavailable, pinned: bool
) -> Reply:
    """A refused booking or move: taken (with alternatives) or not bookable at all."""
    local = start.astimezone(ctx.catalog.tz)
    offered = [
        SlotView(a.start, a.end, a.staff_id, staff_name(ctx, a.staff_id), service.id, service.name)
        for a in exc.alternatives[:3]
    ]
    status = "slot_taken" if exc.code == "slot_taken" else "unavailable"
    if not offered:
        key = "calendar_unknown" if exc.code == "calendar_unknown" else "slot_taken_none"
        message = say(key, ctx.language, when=when_of(ctx, local))
        return Reply(
            status, message, {"requested": local.isoformat(), "slots": [], "reason": exc.code}
        )
    if exc.holiday:
        reply = closed_reply(ctx, local.date(), exc.holiday, offered, local.isoformat(), pinned)
        reply.data.pop("closed")
    else:
        reply = instead_reply(ctx, exc.code, local, offered, pinned)
    return Reply(status, reply.message, {**reply.data, "reason": exc.code})


def appointment_reply(
    ctx: CallContext,
    status: str,
    view: AppointmentView,
    links: tuple[tuple[uuid.UUID, str], ...] = (),
    key: str | None = None,
) -> Reply:
    message = say(
        key or status,
        ctx.language,
        when=when_of(ctx, view.start),
        service=service_name(ctx, view.service_id),
        staff=staff_name(ctx, view.staff_id),
    )
    data = {"appointment": appointment_data(ctx, view)}
    return Reply(status, message, data, links=links, customer_id=view.customer_id)


def appointment_data(ctx: CallContext, view: AppointmentView) -> dict[str, Any]:
    return {
        "id": str(view.id),
        "start": view.start.astimezone(ctx.catalog.tz).isoformat(),
        "service": service_name(ctx, view.service_id),
        "staff": staff_name(ctx, view.staff_id),
        "spoken": when_of(ctx, view.start),
    }


def spoken_appointment(ctx: CallContext, view: AppointmentView) -> str:
    return f"{service_name(ctx, view.service_id)} {when_of(ctx, view.start)}"


def service_name(ctx: CallContext, service_id: uuid.UUID) -> str:
    service = ctx.catalog.services.get(service_id)
    return service.name if service is not None else ""


def staff_name(ctx: CallContext, staff_id: uuid.UUID) -> str:
    member = ctx.catalog.staff.get(staff_id)
    return member.name if member is not None else ""
