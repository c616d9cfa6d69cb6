"""``/v2/me``, teams, memberships, team event types, slots and team event-type webhooks."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from frontdesk.calendars.calcom.emulator import inputs, render
from frontdesk.calendars.calcom.emulator.context import Context
from frontdesk.calendars.calcom.emulator.errors import CalcomError
from frontdesk.calendars.calcom.emulator.model import EventType, Webhook
from frontdesk.calendars.calcom.emulator.slots import by_day, free_slots

MAX_TAKE = 250


def ok(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse({"status": "success", "data": data}, status)


def page_args(request: Request, default: int = MAX_TAKE) -> tuple[int, int]:
    try:
        take = int(request.query_params.get("take", default))
        skip = int(request.query_params.get("skip", 0))
    except ValueError as exc:
        raise CalcomError(400, "take and skip must be integers") from exc
    if not 1 <= take <= MAX_TAKE or skip < 0:
        raise CalcomError(400, f"take must be between 1 and {MAX_TAKE}, skip not negative")
    return take, skip


def account_router(ctx: Context) -> APIRouter:
    router = APIRouter()
    catalogue = ctx.state.catalogue

    @router.get("/v2/me")
    async def me(request: Request) -> JSONResponse:
        ctx.check(request)
        return ok(render.me(catalogue.owner))

    @router.get("/v2/teams")
    async def teams(request: Request) -> JSONResponse:
        ctx.check(request)
        return ok([render.team(t) for t in catalogue.teams])

    @router.get("/v2/teams/{team_id}/memberships")
    async def memberships(request: Request, team_id: int) -> JSONResponse:
        ctx.check(request)
        ctx.team_or_403(team_id)
        take, skip = page_args(request)
        members = catalogue.members[team_id][skip : skip + take]
        return ok([render.membership(team_id, m) for m in members])

    @router.get("/v2/teams/{team_id}/event-types")
    async def event_types(request: Request, team_id: int) -> JSONResponse:
        # The team event-type controller serves every version (the document declares none).
        ctx.check(request)
        ctx.team_or_403(team_id)
        slug = request.query_params.get("eventSlug")
        found = [
            render.event_type(catalogue, e)
            for e in catalogue.event_types
            if e.team_id == team_id and (slug is None or e.slug == slug)
        ]
        return ok(found)

    @router.get("/v2/slots")
    async def slots(request: Request) -> JSONResponse:
        ctx.check(request, family="slots", auth=False)
        return ok(_slots(ctx, request))

    hooks = "/v2/teams/{team_id}/event-types/{event_type_id}/webhooks"

    @router.get(hooks)
    async def list_webhooks(request: Request, team_id: int, event_type_id: int) -> JSONResponse:
        kind = _team_event_type(ctx, request, team_id, event_type_id)
        take, skip = page_args(request)
        found = [w for w in ctx.state.webhooks.values() if w.event_type_id == kind.id]
        return ok([render.webhook(w) for w in found[skip : skip + take]])

    @router.post(hooks)
    async def create_webhook(request: Request, team_id: int, event_type_id: int) -> JSONResponse:
        kind = _team_event_type(ctx, request, team_id, event_type_id)
        body = inputs.body(await request.body(), inputs.WebhookIn)
        for hook in ctx.state.webhooks.values():
            if hook.event_type_id == kind.id and hook.subscriber_url == body.subscriber_url:
                # Prisma's unique (eventTypeId, subscriberUrl) surfaces as P2002: 409.
                raise CalcomError(409, "Webhook with this subscriber URL already exists")
        hook = Webhook(
            id=ctx.state.new_webhook_id(),
            event_type_id=kind.id,
            subscriber_url=body.subscriber_url,
            triggers=tuple(body.triggers),
            active=body.active,
            secret=body.secret,
            payload_template=body.payload_template,
        )
        ctx.state.webhooks[hook.id] = hook
        return ok(render.webhook(hook), 201)

    @router.delete(hooks + "/{webhook_id}")
    async def delete_webhook(
        request: Request, team_id: int, event_type_id: int, webhook_id: int
    ) -> JSONResponse:
        kind = _team_event_type(ctx, request, team_id, event_type_id)
        hook = ctx.state.webhooks.get(webhook_id)
        if hook is None or hook.event_type_id != kind.id:
            raise CalcomError(404, f"Webhook with id {webhook_id} not found")
        del ctx.state.webhooks[webhook_id]
        return ok(render.webhook(hook))

    return router


def _team_event_type(ctx: Context, request: Request, team_id: int, event_type_id: int) -> EventType:
    ctx.check(request)
    ctx.team_or_403(team_id)
    kind = ctx.state.catalogue.event_type(event_type_id)
    if kind is None or kind.team_id != team_id:
        raise CalcomError(404, f"Event type with id {event_type_id} not found")
    return kind


def _slots(ctx: Context, request: Request) -> dict[str, list[dict[str, str]]]:
    query = request.query_params
    if not query.get("eventTypeId", "").isdigit():
        raise CalcomError(
            400, "eventTypeId, or eventTypeSlug with username or teamSlug, is required"
        )
    kind = ctx.state.catalogue.event_type(int(query["eventTypeId"]))
    if kind is None:
        raise CalcomError(404, f"Event type with id={query['eventTypeId']} not found")
    duration = query.get("duration")
    if duration is not None and duration != str(kind.length):
        # Only multi-duration event types take another length; the seed has none.
        raise CalcomError(400, f"Invalid duration {duration} for event type {kind.id}")
    lo = inputs.instant(query.get("start"), "start")
    hi = inputs.instant(query.get("end"), "end", end_of_day=True)
    if hi < lo:
        raise CalcomError(400, "end must be after start")
    found = free_slots(
        kind,
        ctx.state.catalogue.schedules,
        ctx.state.bookings.values(),
        lo,
        hi,
        now=ctx.clock(),
        host_ids=inputs.integers(query.get("rrHostSubsetIds"), "rrHostSubsetIds") or None,
        ignore_uid=query.get("bookingUidToReschedule"),
    )
    days = by_day(found, kind.length, _zone(query.get("timeZone")))
    if query.get("format", "time") == "range":
        return days
    return {day: [{"start": s["start"]} for s in items] for day, items in days.items()}


def _zone(name: str | None) -> str:
    if not name:
        return "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise CalcomError(400, "timeZone must be a valid IANA time zone") from exc
    return name
