"""The long-lived resources of a process (engine, sessions, Redis), opened and closed together."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from frontdesk.calendars.providers import CalendarProviders
from frontdesk.db.engine import create_engine, create_session_factory
from frontdesk.db.health import ping
from frontdesk.domain.clock import Clock
from frontdesk.settings import Settings


@dataclass(frozen=True, slots=True)
class Resources:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    redis: Redis | None
    clock: Clock
    # Outside calendars (HTTP pool, breaker, rate budget) of this process.
    calendars: CalendarProviders

    async def ping_database(self) -> None:
        """Round-trip one trivial query; raises when the database cannot be reached."""
        await ping(self.engine)


@asynccontextmanager
async def open_resources(settings: Settings, clock: Clock) -> AsyncIterator[Resources]:
    """Open the engine (and Redis when configured) for the lifetime of the block; ``clock`` is
    the process's one clock (its sessions carry it)."""
    engine = create_engine(settings.database_url, pool_size=settings.db_pool_size)
    redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
    calendars = CalendarProviders(settings, clock=clock, redis=redis)
    sessions = create_session_factory(engine, clock)
    try:
        yield Resources(settings, engine, sessions, redis, clock, calendars)
    finally:
        await calendars.aclose()
        if redis is not None:
            await redis.aclose()
        await engine.dispose()
