"""What happens to every ``/v2`` request before its route: the throttler (Cal.com's global
guard runs before routing and auth, so even refused requests count), then the injected faults
(latency, hang, 5xx); afterwards the rate-limit headers and the request log."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request, Response

from frontdesk.calendars.calcom.emulator.context import Context
from frontdesk.calendars.calcom.emulator.errors import SERVER_ERROR, THROTTLED, error_response
from frontdesk.calendars.calcom.emulator.model import LoggedRequest
from frontdesk.calendars.calcom.emulator.ratelimit import Verdict, tracker_of

Sleep = Callable[[float], Awaitable[None]]
Next = Callable[[Request], Awaitable[Response]]
ADMIN_PREFIX = "/_emulator"


class Gate:
    def __init__(self, ctx: Context, sleep: Sleep = asyncio.sleep) -> None:
        self._ctx = ctx
        self._sleep = sleep

    async def __call__(self, request: Request, call_next: Next) -> Response:
        if request.url.path.startswith(ADMIN_PREFIX):
            return await call_next(request)
        state = self._ctx.state
        now = self._ctx.clock()
        tracker = tracker_of(
            request.headers.get("authorization"), request.client.host if request.client else None
        )
        verdict = state.throttler.hit(tracker, now)
        if verdict.allowed and state.dice.take_burst():
            verdict = Verdict(False, verdict.limit, 0, verdict.reset_seconds)
        raw = await request.body()
        if not verdict.allowed:
            response: Response = error_response(429, THROTTLED, _where(request), now)
        else:
            response = await self._faulty(request) or await call_next(request)
        response.headers.update(verdict.headers())
        state.log(
            LoggedRequest(
                method=request.method,
                path=request.url.path,
                query=request.url.query,
                api_version=request.headers.get("cal-api-version"),
                status=response.status_code,
                at=now,
                tracker=tracker,
                body=_json_or_none(raw),
            )
        )
        return response

    async def _faulty(self, request: Request) -> Response | None:
        """A fault's answer, or None to let the route answer."""
        dice = self._ctx.state.dice
        faults = dice.faults
        latency = dice.latency()
        if latency:
            await self._sleep(latency)
        if dice.hit(faults.timeout_rate):
            # Long enough for any sane client to give up; if it does, this task is cancelled.
            await self._sleep(faults.hang_seconds)
            return error_response(504, "Gateway Timeout", _where(request), self._ctx.clock())
        if dice.hit(faults.error_rate):
            return error_response(
                faults.error_status, SERVER_ERROR, _where(request), self._ctx.clock()
            )
        return None


def _where(request: Request) -> str:
    # Cal.com's filters report request.url: the path with its query string.
    query = request.url.query
    return f"{request.url.path}?{query}" if query else request.url.path


def _json_or_none(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw[:500].decode(errors="replace")
