"""Fixtures for use-case tests: the demo business and a booking service on a fixed clock."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tests.clock_support import BERLIN, NOW, FakeClock

from frontdesk.booking.service import BookingService
from frontdesk.db.seed import DemoCredentials, seed_demo

__all__ = ["BERLIN", "DEMO_KEY", "NOW", "at"]
DEMO_KEY = "fd_test_demo_key"


def at(day: int, hour: int, minute: int = 0, month: int = 12) -> datetime:
    """A Berlin wall-clock time in the week of the suite's ``NOW`` (December 2026)."""
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN)


@pytest.fixture
async def demo(sessions: async_sessionmaker[AsyncSession]) -> DemoCredentials:
    async with sessions() as session:
        return await seed_demo(session, api_key=DEMO_KEY, password="demo-password")


@pytest.fixture
def booking(
    sessions: async_sessionmaker[AsyncSession], demo: DemoCredentials, clock: FakeClock
) -> BookingService:
    return BookingService(sessions, clock=clock)
