"""Fixtures for use-case tests: the demo business and a booking service on a fixed clock."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tests.app_support import DEMO_KEY
from tests.clock_support import FakeClock

from frontdesk.booking.service import BookingService
from frontdesk.db.seed import DemoCredentials, seed_demo


@pytest.fixture
async def demo(sessions: async_sessionmaker[AsyncSession]) -> DemoCredentials:
    async with sessions() as session:
        return await seed_demo(session, api_key=DEMO_KEY, password="demo-password")


@pytest.fixture
def booking(
    sessions: async_sessionmaker[AsyncSession], demo: DemoCredentials, clock: FakeClock
) -> BookingService:
    return BookingService(sessions, clock=clock)
