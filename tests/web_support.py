"""The web app under test: the demo seeded with known passwords, a movable clock, and helpers
to read CSRF tokens from pages and to sign in."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine
from tests.app_support import DEMO_KEY, client_for, settings_for
from tests.clock_support import FakeClock
from tests.factories import make_world

from frontdesk import demo
from frontdesk.app import create_app
from frontdesk.db.engine import create_session_factory
from frontdesk.db.seed import seed_demo
from frontdesk.db.tables import User
from frontdesk.domain.model import UserRole
from frontdesk.security import hash_password

PASSWORD = "demo-password"
OWNER = demo.OWNER_EMAIL
STAFF = demo.STAFF_LOGIN_EMAIL
OTHER_OWNER = "owner@other.example"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class WebApp:
    client: httpx.AsyncClient
    clock: FakeClock

    async def csrf_of(self, path: str) -> str:
        page = await self.client.get(path)
        found = _CSRF.search(page.text)
        assert found, f"no CSRF token on {path}"
        return found.group(1)

    async def sign_in(
        self, email: str = OWNER, password: str = PASSWORD, next_path: str = ""
    ) -> httpx.Response:
        token = await self.csrf_of("/admin/login")
        return await self.client.post(
            "/admin/login",
            data={"csrf_token": token, "email": email, "password": password, "next": next_path},
        )


async def seed_web(engine: AsyncEngine) -> None:
    """The demo salon, and a second tenant with its own owner login."""
    async with create_session_factory(engine, FakeClock())() as session:
        await seed_demo(session, api_key=DEMO_KEY, password=PASSWORD)
        world = await make_world(session, slug="other")
        session.add(
            User(
                tenant_id=world.tenant_id,
                email=OTHER_OWNER,
                name="Other",
                password_hash=hash_password(PASSWORD),
                role=UserRole.OWNER,
            )
        )
        await session.commit()


async def web_app(engine: AsyncEngine, **settings: object) -> AsyncIterator[WebApp]:
    await seed_web(engine)
    clock = FakeClock()
    app = create_app(settings_for(engine, **settings), clock=clock)
    async for client in client_for(app):
        yield WebApp(client, clock)
