"""Fixtures for use-case tests: the demo business and a booking service on a fixed clock."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from frontdesk.booking.service import BookingService
from frontdesk.db.seed import DemoCredentials, seed_demo

BERLIN = ZoneInfo("Europe/Berlin")
# Tuesday 1 December 2026, 08:00 in Berlin: the salon opens at 09:00.
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=BERLIN)
DEMO_KEY = "fd_test_demo_key"


def at(day: int, hour: int, minute: int = 0, month: int = 12) -> datetime:
    """A Berlin wall-clock time in 2026."""
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN)


@pytest.fixture
async def demo(sessions: async_sessionmaker[AsyncSession]) -> DemoCredentials:
    async with sessions() as session:
        return await seed_demo(session, api_key=DEMO_KEY, password="demo-password")


@pytest.fixture
def booking(sessions: async_sessionmaker[AsyncSession], demo: DemoCredentials) -> BookingService:
    return BookingService(sessions, clock=lambda: NOW)
