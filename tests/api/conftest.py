"""An ASGI client for the app, on each database (lifespan included)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from tests.app_support import DEMO_KEY, client_for, settings_for
from tests.clock_support import NOW, FakeClock
from tests.factories import make_world

from frontdesk.app import create_app
from frontdesk.db.engine import create_session_factory
from frontdesk.db.repositories import tenants
from frontdesk.db.seed import seed_demo


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
