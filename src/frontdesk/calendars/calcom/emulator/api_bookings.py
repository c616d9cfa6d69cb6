"""``/v2/bookings`` (cal-api-version 2024-08-13): create, get, list, cancel, reschedule."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from frontdesk.calendars.calcom.emulator import inputs, render
from frontdesk.calendars.calcom.emulator.api_account import ok, page_args
from frontdesk.calendars.calcom.emulator.context import Context
from frontdesk.calendars.calcom.emulator.desk import NewBooking
from frontdesk.calendars.calcom.emulator.errors import SERVER_ERROR, CalcomError
from frontdesk.calendars.calcom.emulator.model import Attendee, Booking

DEFAULT_TAKE = 100


def to_new_booking(body: inputs.CreateIn) -> NewBooking:
    attendee = body.attendee
    return NewBooking(
        event_type_id=body.event_type_id,
        start=inputs.instant(body.start, "start"),
        attendee=Attendee(
            name=attendee.name,
            time_zone=attendee.time_zone,
            # Cal.com passes a missing e-mail on as "" (calcom.md §1.3).
            email=attendee.email or "",
            phone_number=attendee.phone_number,
            language=attendee.language,
        ),
        metadata=body.metadata,
        host_subset=tuple(body.rr_host_subset_ids),
    )


def bookings_router(ctx: Context) -> APIRouter:
    router = APIRouter()
    catalogue = ctx.state.catalogue

    def applied_but_failed() -> None:
        """The change is made (and its webhooks sent); the answer is lost as a 500."""
        dice = ctx.state.dice
        if dice.hit(dice.faults.applied_error_rate):
            raise CalcomError(500, SERVER_ERROR)

    @router.post("/v2/bookings")
    async def create(request: Request) -> JSONResponse:
        ctx.check(request, family="bookings", auth=False)
        body = inputs.body(await request.body(), inputs.CreateIn)
        booking = ctx.desk.create(to_new_booking(body))
        applied_but_failed()
        return ok(render.booking(catalogue, booking), 201)

    @router.get("/v2/bookings")
    async def list_bookings(request: Request) -> JSONResponse:
        ctx.check(request, family="bookings", auth=True)
        take, skip = page_args(request, DEFAULT_TAKE)
        found = _filtered(ctx, request)
        page = found[skip : skip + take]
        return JSONResponse(
            {
                "status": "success",
                "data": [render.booking(catalogue, b) for b in page],
                "pagination": render.pagination(len(found), skip, take, len(page)),
            }
        )

    @router.get("/v2/bookings/{uid}")
    async def get(request: Request, uid: str) -> JSONResponse:
        ctx.check(request, family="bookings", auth=False)
        return ok(render.booking(catalogue, ctx.desk.get(uid)))

    @router.post("/v2/bookings/{uid}/cancel")
    async def cancel(request: Request, uid: str) -> JSONResponse:
        ctx.check(request, family="bookings", auth=False)
        body = inputs.body(await request.body(), inputs.CancelIn)
        # cancelledBy is the authenticated user's e-mail; an anonymous cancel leaves it empty.
        by = catalogue.owner.email if request.headers.get("authorization") else None
        booking = ctx.desk.cancel(uid, body.cancellation_reason, cancelled_by=by)
        applied_but_failed()
        return ok(render.booking(catalogue, booking))

    @router.post("/v2/bookings/{uid}/reschedule")
    async def reschedule(request: Request, uid: str) -> JSONResponse:
        ctx.check(request, family="bookings", auth=False)
        body = inputs.body(await request.body(), inputs.RescheduleIn)
        booking = ctx.desk.reschedule(
            uid,
            inputs.instant(body.start, "start"),
            reason=body.rescheduling_reason,
            host_subset=body.rr_host_subset_ids,
        )
        applied_but_failed()
        return ok(render.booking(catalogue, booking), 201)

    return router


def _filtered(ctx: Context, request: Request) -> list[Booking]:
    """The key's bookings narrowed by the filters Cal.com documents. Without ``teamId`` or
    ``eventTypeId`` only bookings the key's user hosts are seen — for a team owner who is no
    host, none: that is why frontdesk lists with ``teamId``."""
    query = request.query_params
    catalogue = ctx.state.catalogue
    team_id = query.get("teamId")
    event_type_id = query.get("eventTypeId")
    after = _optional_instant(query.get("afterStart"), "afterStart")
    before = _optional_instant(query.get("beforeEnd"), "beforeEnd")
    statuses = {s for s in query.get("status", "").split(",") if s}
    now = ctx.clock()
    found = []
    for booking in ctx.state.booking_list():
        kind = catalogue.event_type(booking.event_type_id)
        if team_id is not None and (kind is None or str(kind.team_id) != team_id):
            continue
        if event_type_id is not None and str(booking.event_type_id) != event_type_id:
            continue
        if team_id is None and event_type_id is None and booking.host_id != catalogue.owner.user_id:
            continue
        if after is not None and booking.start < after:
            continue
        if before is not None and booking.end > before:
            continue
        if statuses and _status_of(booking, now) not in statuses:
            continue
        found.append(booking)
    if query.get("sortStart") == "desc":
        found.reverse()
    return found


def _status_of(booking: Booking, now: datetime) -> str:
    if booking.status == "cancelled":
        return "cancelled"
    return "upcoming" if booking.end >= now else "past"


def _optional_instant(text: str | None, name: str) -> datetime | None:
    return inputs.instant(text, name) if text else None
