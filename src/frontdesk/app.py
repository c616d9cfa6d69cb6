"""The FastAPI application factory and its lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from frontdesk.api import health
from frontdesk.observability.logging import configure_logging, get_logger
from frontdesk.observability.requests import RequestContextMiddleware
from frontdesk.resources import open_resources
from frontdesk.settings import Settings, get_settings

log = get_logger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; resources are opened in the lifespan, never at import time."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_resources(settings) as resources:
            app.state.resources = resources
            log.info("started", database=resources.engine.url.render_as_string(hide_password=True))
            yield
            log.info("stopping")

    app = FastAPI(
        title="frontdesk",
        version="0.1.0",
        summary="Booking backend for AI phone receptionists",
        lifespan=lifespan,
    )
    app.add_middleware(RequestContextMiddleware)
    app.include_router(health.router)
    return app


def create_app_from_env() -> FastAPI:
    """Entry point for ``uvicorn --factory``: settings and logging from the environment."""
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    return create_app(settings)
