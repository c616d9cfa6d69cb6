"""``check_availability``: is a time free, or which times are free in a period."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from frontdesk.booking.catalog import ServiceInfo
from frontdesk.booking.service import BookingService
from frontdesk.booking.views import PeriodCheck, TimeCheck
from frontdesk.language.when import When
from frontdesk.voice import replies
from frontdesk.voice.functions import arguments, wording
from frontdesk.voice.functions.arguments import arg
from frontdesk.voice.functions.context import CallContext, Reply
from frontdesk.voice.replies import say


async def check_availability(
    booking: BookingService, args: Mapping[str, Any], ctx: CallContext
) -> Reply:
    service = arguments.service(ctx, arg(args, "service"))
    staff = arguments.staff(ctx, arg(args, "staff"), service)
    staff_id = staff.id if staff is not None else None
    when = arguments.read_when(ctx, arg(args, "date"), arg(args, "time"))
    if when.time is not None:
        start = datetime.combine(when.date or ctx.today, when.time, ctx.catalog.tz)
        check = await booking.check_start(ctx.tenant_id, service.id, start, staff_id)
        return _time_reply(ctx, service, check, staff is not None)
    first = max(when.date or ctx.today, ctx.today)
    last = when.latest_date or first
    if when.asap and when.latest_date is None:
        last = first + timedelta(days=wording.SEARCH_DAYS - 1)
    period = await booking.find_in_period(
        ctx.tenant_id, service.id, first, last, when.earliest, when.latest, staff_id
    )
    return _period_reply(ctx, service, period, first, last, when, staff is not None)


def _time_reply(ctx: CallContext, service: ServiceInfo, check: TimeCheck, pinned: bool) -> Reply:
    """One exact start: free, or why not and what instead."""
    lang = ctx.language
    local = check.requested.astimezone(ctx.catalog.tz)
    requested = local.isoformat()
    if check.slot is not None:
        message = say(
            "available", lang, when=wording.when_of(ctx, local), staff=check.slot.staff_name
        )
        return wording.slots_reply(ctx, "available", message, requested, [check.slot], pinned)
    if check.reason == "beyond_horizon":
        last = replies.day_text(check.last_day or ctx.today, ctx.today, lang)
        message = say("beyond_horizon", lang, last=last)
        return Reply("no_availability", message, {"requested": requested, "slots": []})
    if not check.options:
        if check.reason == "calendar_unknown":
            return wording.calendar_unknown(ctx, wording.when_of(ctx, local), requested)
        return wording.nothing_free(ctx, service, requested)
    if check.reason == "closed":
        return wording.closed_reply(
            ctx, local.date(), check.holiday, check.options, requested, pinned
        )
    return wording.instead_reply(ctx, check.reason or "taken", local, check.options, pinned)


def _period_reply(
    ctx: CallContext,
    service: ServiceInfo,
    period: PeriodCheck,
    first: date,
    last: date,
    when: When,
    pinned: bool,
) -> Reply:
    """A day, a range of days, a part of the day, or "as soon as possible"."""
    lang = ctx.language
    requested = _requested_range(first, last, when)
    if period.inside:
        options = wording.options_of(ctx, period.options, first if first == last else None)
        message = say("options", lang, service=service.name, options=options)
        return wording.slots_reply(ctx, "options", message, requested, period.options, pinned)
    if period.unknown:
        spoken = replies.day_text(first, ctx.today, lang)
        return wording.calendar_unknown(ctx, spoken, requested)
    if not period.options:
        return wording.nothing_free(ctx, service, requested)
    if period.closed:
        return wording.closed_reply(ctx, first, period.holiday, period.options, requested, pinned)
    spoken = replies.day_text(first, ctx.today, lang)
    if first != last:
        spoken = f"{spoken} – {replies.day_text(last, ctx.today, lang)}"
    options = wording.options_of(ctx, period.options)
    message = say("window_full", lang, when=spoken, service=service.name, options=options)
    return wording.slots_reply(ctx, "unavailable", message, requested, period.options, pinned)


def _requested_range(first: date, last: date, when: When) -> str:
    """ISO 8601 for what was understood: a day, a day with a window, or an interval of days."""
    if first == last and (when.earliest or when.latest):
        lo = (when.earliest or time(0)).isoformat("minutes")
        hi = (when.latest or time(23, 59)).isoformat("minutes")
        return f"{first.isoformat()}T{lo}/{hi}"
    if first == last:
        return first.isoformat()
    return f"{first.isoformat()}/{last.isoformat()}"
