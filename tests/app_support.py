"""The app under test: its settings on a test database, an ASGI client with the lifespan run,
and the demo tenant's API key the fixtures seed."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from frontdesk.settings import Settings

DEMO_KEY = "fd_test_demo_key"


def settings_for(engine: AsyncEngine, **overrides: object) -> Settings:
    url = engine.url.render_as_string(hide_password=False)
    return Settings(database_url=url, embedded_worker=False, **overrides)  # type: ignore[arg-type]


async def client_for(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client
