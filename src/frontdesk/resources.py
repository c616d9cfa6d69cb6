"""The long-lived resources of a process (engine, sessions, Redis), opened and closed together."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from frontdesk.calendars.providers import CalendarProviders
from frontdesk.db.engine import create_engine, create_session_factory
from frontdesk.db.health import ping
from frontdesk.domain.clock import Clock
from frontdesk.observability.tracing import instrument_engine, instrument_http_client
from frontdesk.settings import Settings

# Redis holds only shared breaker and budget state (ADR 0016): a call to it must fail fast so
# the in-process fallback answers instead. redis-py's defaults are no socket timeouts and three
# retries with exponential backoff (seconds per command against a dead server); one immediate
# retry on a connection error still renews a pooled connection that a restarted server closed,
# and none on a timeout (a hung server would cost the timeout twice).
REDIS_SOCKET_TIMEOUT_S = 0.25


def connect_redis(url: str) -> Redis:
    """The process's Redis client, with timeouts and retries fit for an optional store."""
    return Redis.from_url(
        url,
        socket_connect_timeout=REDIS_SOCKET_TIMEOUT_S,
        socket_timeout=REDIS_SOCKET_TIMEOUT_S,
        retry=Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)),
    )


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
    engine = create_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        pool_timeout=settings.db_pool_timeout,
    )
    redis = connect_redis(settings.redis_url) if settings.redis_url else None
    calendars = CalendarProviders(settings, clock=clock, redis=redis)
    sessions = create_session_factory(engine, clock)
    # SQL statements and calendar provider requests as spans, when the process traces.
    instrument_engine(engine)
    instrument_http_client(calendars.http)
    try:
        yield Resources(settings, engine, sessions, redis, clock, calendars)
    finally:
        await calendars.aclose()
        if redis is not None:
            await redis.aclose()
        await engine.dispose()
