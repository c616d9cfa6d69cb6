"""An ASGI client for the app, on each database (lifespan included)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from frontdesk.app import create_app
from frontdesk.settings import Settings


def settings_for(engine: AsyncEngine, **overrides: object) -> Settings:
    url = engine.url.render_as_string(hide_password=False)
    return Settings(database_url=url, embedded_worker=False, **overrides)  # type: ignore[arg-type]


async def client_for(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


@pytest.fixture
async def client(db: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    async for c in client_for(create_app(settings_for(db))):
        yield c
