"""``create_emulator_app``: a FastAPI app that answers like Cal.com's API v2 for the subset
frontdesk uses (docs/calcom-emulator.md)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from frontdesk.calendars.calcom.emulator.admin import admin_router
from frontdesk.calendars.calcom.emulator.api_account import account_router
from frontdesk.calendars.calcom.emulator.api_bookings import bookings_router
from frontdesk.calendars.calcom.emulator.context import Context
from frontdesk.calendars.calcom.emulator.desk import Desk
from frontdesk.calendars.calcom.emulator.errors import CalcomError, error_response
from frontdesk.calendars.calcom.emulator.gate import Gate, Sleep
from frontdesk.calendars.calcom.emulator.state import EmulatorState
from frontdesk.calendars.calcom.emulator.webhooks import Dispatcher
from frontdesk.domain.clock import Clock, system_clock


def create_emulator_app(
    state: EmulatorState,
    *,
    clock: Clock = system_clock,
    webhook_http: httpx.AsyncClient | None = None,
    webhook_delivery: bool = True,
    webhook_timeout: float = 5.0,
    sleep: Sleep = asyncio.sleep,
) -> FastAPI:
    """The emulator over ``state``. ``clock`` is its "now" (slots, notice, rate windows,
    timestamps); ``webhook_http`` sends deliveries (tests pass one with a mock transport);
    ``sleep`` serves injected latency, hangs and webhook reordering."""
    dispatcher = Dispatcher(
        state,
        clock,
        webhook_http,
        enabled=webhook_delivery,
        timeout=webhook_timeout,
        sleep=sleep,
    )
    ctx = Context(
        state=state, clock=clock, desk=Desk(state, clock, dispatcher), dispatcher=dispatcher
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await dispatcher.aclose()

    app = FastAPI(
        title="Cal.com API v2 emulator (frontdesk, development only)",
        lifespan=lifespan,
        docs_url="/_emulator/docs",
        openapi_url="/_emulator/openapi.json",
        redoc_url=None,
    )
    app.state.emulator = ctx
    app.include_router(account_router(ctx))
    app.include_router(bookings_router(ctx))
    app.include_router(admin_router(ctx))
    app.middleware("http")(Gate(ctx, sleep))
    _add_error_handlers(app, ctx)
    return app


def _add_error_handlers(app: FastAPI, ctx: Context) -> None:
    def where(request: Request) -> str:
        query = request.url.query
        return f"{request.url.path}?{query}" if query else request.url.path

    @app.exception_handler(CalcomError)
    async def calcom_error(request: Request, exc: CalcomError) -> JSONResponse:
        return error_response(
            exc.status, exc.message, where(request), ctx.clock(), details=exc.details
        )

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        # Nest's router miss reads "Cannot GET /path"; the emulator answers the same way.
        message = (
            f"Cannot {request.method} {request.url.path}"
            if exc.status_code == 404
            else str(exc.detail)
        )
        return error_response(exc.status_code, message, where(request), ctx.clock())

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [f"{'.'.join(map(str, e['loc']))} - {e['msg']}" for e in exc.errors()]
        return error_response(
            400, ", ".join(errors), where(request), ctx.clock(), details={"errors": errors}
        )
