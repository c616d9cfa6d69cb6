"""An ASGI client for the app, on each database (lifespan included)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine
from tests.clock_support import FakeClock
from tests.factories import make_world
from tests.integration.conftest import DEMO_KEY, NOW

from frontdesk.app import create_app
from frontdesk.db.engine import create_session_factory
from frontdesk.db.repositories import tenants
from frontdesk.db.seed import seed_demo
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


@pytest.fixture
async def demo_client(db: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    """The demo salon seeded, the clock pinned at NOW, and the demo API key sent."""
    async with create_session_factory(db, FakeClock())() as session:
        await seed_demo(session, api_key=DEMO_KEY, password="demo-password")
    app = create_app(settings_for(db), clock=lambda: NOW)
    async for c in client_for(app):
        c.headers["Authorization"] = f"Bearer {DEMO_KEY}"
        yield c


@pytest.fixture
async def other_tenant_key(db: AsyncEngine) -> str:
    """An API key of a second tenant with its own service."""
    async with create_session_factory(db, FakeClock())() as session:
        await make_world(session, slug="other")
        tenant = await tenants.get_by_slug(session, "other")
        assert tenant is not None
        await tenants.add_api_key(session, tenant.id, "other", "fd_other_tenant_key")
        await session.commit()
    return "fd_other_tenant_key"
