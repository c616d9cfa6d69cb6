"""The emulator's own API under ``/_emulator`` — development only, no authentication.

Faults, state, the request log, bookings made "on Cal.com's own page" (same checks and
webhooks as the API, no key), reset, and waiting for pending webhook deliveries.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from frontdesk.calendars.calcom.emulator import inputs, render
from frontdesk.calendars.calcom.emulator.api_bookings import to_new_booking
from frontdesk.calendars.calcom.emulator.context import Context
from frontdesk.calendars.calcom.emulator.faults import Faults


def admin_router(ctx: Context) -> APIRouter:
    router = APIRouter(prefix="/_emulator")
    state = ctx.state

    @router.get("/faults")
    async def get_faults() -> dict[str, Any]:
        return state.dice.faults.model_dump()

    @router.put("/faults")
    async def put_faults(request: Request) -> dict[str, Any]:
        """Replace all faults (omitted fields are off) and re-seed the generator."""
        faults = inputs.body(await request.body(), Faults)
        state.set_faults(faults)
        return faults.model_dump()

    @router.get("/state")
    async def get_state() -> dict[str, Any]:
        snapshot = state.snapshot()
        snapshot["bookings"] = [
            {**render.booking(state.catalogue, b), "source": b.source} for b in state.booking_list()
        ]
        snapshot["requests"] = _requests(ctx, None)
        return snapshot

    @router.get("/requests")
    async def get_requests(path: str | None = None) -> list[dict[str, Any]]:
        return _requests(ctx, path)

    @router.post("/bookings")
    async def page_booking(request: Request) -> JSONResponse:
        body = inputs.body(await request.body(), inputs.PageBookingIn)
        booking = ctx.desk.create(to_new_booking(body), source="page")
        return JSONResponse(render.booking(state.catalogue, booking), 201)

    @router.post("/bookings/{uid}/cancel")
    async def page_cancel(request: Request, uid: str) -> JSONResponse:
        body = inputs.body(await request.body(), inputs.CancelIn)
        # On Cal.com's page the attendee cancels through the link in their e-mail.
        attendee = ctx.desk.get(uid).attendee.email
        booking = ctx.desk.cancel(uid, body.cancellation_reason, cancelled_by=attendee)
        return JSONResponse(render.booking(state.catalogue, booking))

    @router.post("/bookings/{uid}/reschedule")
    async def page_reschedule(request: Request, uid: str) -> JSONResponse:
        body = inputs.body(await request.body(), inputs.RescheduleIn)
        booking = ctx.desk.reschedule(
            uid,
            inputs.instant(body.start, "start"),
            reason=body.rescheduling_reason,
            host_subset=body.rr_host_subset_ids,
            source="page",
        )
        return JSONResponse(render.booking(state.catalogue, booking), 201)

    @router.post("/webhooks/drain")
    async def drain() -> dict[str, int]:
        await ctx.dispatcher.drain()
        return {"deliveries": len(state.deliveries)}

    @router.post("/reset")
    async def reset() -> dict[str, str]:
        await ctx.dispatcher.drain()
        state.reset()
        return {"status": "reset"}

    return router


def _requests(ctx: Context, prefix: str | None) -> list[dict[str, Any]]:
    return [
        {
            "method": r.method,
            "path": r.path,
            "query": r.query,
            "calApiVersion": r.api_version,
            "status": r.status,
            "at": r.at.isoformat(),
            "tracker": r.tracker,
            "body": r.body,
        }
        for r in ctx.state.requests
        if prefix is None or r.path.startswith(prefix)
    ]
