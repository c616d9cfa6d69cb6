"""The FastAPI application factory and its lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI

from frontdesk.access.model import SessionPolicy
from frontdesk.access.throttle import LoginThrottle
from frontdesk.access.web_access import WebAccess
from frontdesk.api import health
from frontdesk.api.calcom_webhook import router as calcom_webhook_router
from frontdesk.api.errors import ErrorBoundary, install_problem_handlers
from frontdesk.api.limits import BodyLimitMiddleware
from frontdesk.api.methods import OptionsMiddleware
from frontdesk.api.rest.router import router as rest_router
from frontdesk.api.unsubscribe import router as unsubscribe_router
from frontdesk.api.voice import router as voice_router
from frontdesk.api.web import install_web_handlers
from frontdesk.api.web import router as web_router
from frontdesk.api.web.errors import failure_page
from frontdesk.api.web.manage_page import failure_page as manage_failure_page
from frontdesk.api.web.manage_page import router as manage_router
from frontdesk.booking.calendar_inbox import CalendarInbox
from frontdesk.booking.call_log import CallLog
from frontdesk.booking.catalog import CatalogCache
from frontdesk.booking.directory import Directory
from frontdesk.booking.idempotency import IdempotencyStore
from frontdesk.booking.outage import DatabaseOutage
from frontdesk.booking.queries import Queries
from frontdesk.booking.schedule import Schedule
from frontdesk.booking.service import BookingService
from frontdesk.domain.clock import Clock, system_clock
from frontdesk.jobs.embedded import embedded_worker
from frontdesk.observability.logging import configure_logging, get_logger
from frontdesk.observability.requests import RequestContextMiddleware
from frontdesk.observability.tracing import (
    NO_FASTAPI_TELEMETRY,
    configure_tracing,
    instrument_app,
)
from frontdesk.resources import Resources, open_resources
from frontdesk.settings import Settings, get_settings
from frontdesk.voice.gateway import VoiceGateway

log = get_logger(__name__)


def create_app(settings: Settings | None = None, clock: Clock = system_clock) -> FastAPI:
    """Build the app; resources are opened in the lifespan, never at import time.

    ``clock`` is the process's one clock (the edge where it is made): use cases, the job worker,
    the voice layer and every session see it. Tests pin it; production uses the wall clock.
    """
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_resources(settings, clock) as resources:
            app.state.resources = resources
            _attach_services(app, resources)
            log.info("started", database=resources.engine.url.render_as_string(hide_password=True))
            try:
                async with embedded_worker(resources), app.state.voice.loop_lag.running():
                    yield
            finally:
                # Queued call-log records are written before the engine closes.
                await app.state.voice.close()
            log.info("stopping")

    app = FastAPI(
        title="frontdesk",
        version="0.1.0",
        summary="Booking backend for AI phone receptionists",
        lifespan=lifespan,
        # FastAPI's own OpenTelemetry support stays off: tracing is set up in one place,
        # observability/tracing.py (ADR 0023); its logs signal would export exception messages,
        # and FASTAPI_OTEL_AUTO_CONFIGURE would add exporters of its own.
        telemetry=NO_FASTAPI_TELEMETRY,
    )
    # Added first, so innermost: what no exception handler took becomes problem JSON inside
    # the request context (its log lines carry the request id), ADR 0018.
    app.add_middleware(ErrorBoundary, pages={"/admin": failure_page, "/m": manage_failure_page})
    # Added last, so outermost: refusals of oversized bodies get a request id and a log line too.
    app.add_middleware(OptionsMiddleware)
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(RequestContextMiddleware)
    install_problem_handlers(app)
    install_web_handlers(app)
    app.include_router(health.router)
    app.include_router(rest_router)
    app.include_router(voice_router)
    app.include_router(calcom_webhook_router)
    app.include_router(web_router)
    app.include_router(unsubscribe_router)
    # The customer's manage page: public, the signed link is its key (ADR 0026).
    app.include_router(manage_router)
    # Outside every middleware above when the process traces (ADR 0023); nothing otherwise.
    instrument_app(app)
    return app


def _attach_services(app: FastAPI, resources: Resources) -> None:
    """The use-case objects routers reach through ``api.deps`` (one set per process)."""
    catalogs = CatalogCache()
    clock = resources.clock
    app.state.booking = BookingService(
        resources.sessions, catalogs, clock=clock, calendars=resources.calendars
    )
    app.state.queries = Queries(resources.sessions, resources.settings.secret_key)
    app.state.idempotency = IdempotencyStore(resources.sessions, clock=clock)
    # One view per process of whether the database is down: the voice path and the number
    # lookups then answer without waiting for it (ADR 0016).
    app.state.directory = Directory(
        resources.sessions, outage=DatabaseOutage(), secret_key=resources.settings.secret_key
    )
    app.state.calendar_inbox = CalendarInbox(resources.sessions, clock)
    fallback_key = resources.settings.retell_api_key
    app.state.voice = VoiceGateway(
        app.state.booking,
        app.state.directory,
        CallLog(resources.sessions),
        fallback_key.get_secret_value() if fallback_key is not None else None,
        clock,
    )
    app.state.voice.max_in_flight = resources.settings.voice_max_in_flight
    max_lag_ms = resources.settings.voice_max_loop_lag_ms
    app.state.voice.max_loop_lag = max_lag_ms / 1000 if max_lag_ms else None
    _attach_web(app, resources)


def _attach_web(app: FastAPI, resources: Resources) -> None:
    """The web app's use cases: sign-in and sessions (ADR 0019) and the schedule."""
    settings = resources.settings
    app.state.web_access = WebAccess(
        resources.sessions,
        resources.clock,
        LoginThrottle(resources.clock, resources.redis),
        SessionPolicy(
            idle=timedelta(minutes=settings.web_session_idle_minutes),
            absolute=timedelta(hours=settings.web_session_hours),
        ),
    )
    app.state.schedule = Schedule(resources.sessions, resources.clock)


def create_app_from_env() -> FastAPI:
    """Entry point for ``uvicorn --factory``: settings, logging and tracing from the environment
    (in each of uvicorn's worker processes: the exporter's thread is per process)."""
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    configure_tracing("frontdesk")
    return create_app(settings)
