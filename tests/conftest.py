"""Shared fixtures: the same tests run against SQLite and PostgreSQL, and against real Redis.

PostgreSQL and Redis are the local servers (127.0.0.1). Outside CI a missing server skips the
tests that need it, with the reason; with ``CI=true`` it fails them instead, so CI can never pass
by skipping.
"""

from __future__ import annotations

import os
import select
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import redis.asyncio as aioredis
import structlog
from argon2 import PasswordHasher
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from tests.clock_support import FakeClock
from tests.log_support import LogCapture
from tests.services_support import (
    DIALECTS,
    REDIS_URL,
    create_database_url,
    drop_database_url,
    unavailable,
)

from frontdesk import security
from frontdesk.db.engine import create_engine, create_session_factory
from frontdesk.db.migrate import upgrade_engine
from frontdesk.db.tables import Base


def _sleep_by_select(seconds: float) -> None:
    select.select([], [], [], seconds)


# Under libfaketime with FAKETIME_DONT_FAKE_MONOTONIC=1 (how `make test-any-date` and the issue's
# check shift the clock), Python's time.sleep — clock_nanosleep on an absolute CLOCK_MONOTONIC
# deadline — fails with EINVAL (libfaketime 0.9.10 shifts that absolute time too); a relative
# select() timeout is untouched. The suite's own sleeps, subprocess.wait(timeout) and the fake
# servers' start-up loops all go through time.sleep, so it is replaced for the test process.
if "faketime" in os.environ.get("LD_PRELOAD", ""):
    time.sleep = _sleep_by_select

# argon2 at its smallest cost for the whole suite: the demo seed hashes a password for nearly every
# test and the web tests sign in often; at the production parameters (64 MiB, three passes, four
# lanes) hashing took a fifth of the suite's CPU. Same code path; servers the tests start as
# subprocesses keep the production parameters.
security._ARGON2 = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

# The voice path sheds new calls while its event loop runs late (ADR 0013). The suite shares two
# busy cores among test processes and servers, where a loop falls 100 ms behind for reasons that
# are not a flood of calls; so the rule is off for every app and server the tests start (the
# environment reaches subprocesses too), and tests/api/test_voice_overload.py switches it on.
os.environ.setdefault("FRONTDESK_VOICE_MAX_LOOP_LAG_MS", "0")


@pytest.fixture
def fresh_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of the dialect given by indirect parametrisation (default SQLite)."""
    dialect = getattr(request, "param", "sqlite")
    url = create_database_url(dialect, tmp_path)
    yield url
    drop_database_url(url)


@pytest.fixture(scope="session", params=DIALECTS)
async def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[AsyncEngine]:
    """A migrated database per dialect, shared by the whole run."""
    url = create_database_url(request.param, tmp_path_factory.mktemp("db"))
    db_engine = create_engine(url, pool_size=20)
    await upgrade_engine(db_engine)
    yield db_engine
    await db_engine.dispose()
    drop_database_url(url)


@pytest.fixture
async def db(engine: AsyncEngine) -> AsyncIterator[AsyncEngine]:
    """The shared database, emptied after the test (use cases commit, so no rollback trick)."""
    yield engine
    async with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            await conn.execute(delete(table))


@pytest.fixture
def clock() -> FakeClock:
    """The test's one clock (tests/clock_support.py): sessions, use cases and workers share it."""
    return FakeClock()


@pytest.fixture
def sessions(db: AsyncEngine, clock: FakeClock) -> async_sessionmaker[AsyncSession]:
    return create_session_factory(db, clock)


@pytest.fixture
async def session(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with sessions() as db_session:
        yield db_session


@pytest.fixture
async def redis_client() -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except (aioredis.ConnectionError, OSError) as exc:
        await client.aclose()
        unavailable(f"Redis at {REDIS_URL} not reachable: {exc}")
    await client.flushdb()
    yield client
    await client.flushdb()
    await client.aclose()


@pytest.fixture
def logs_of(monkeypatch: pytest.MonkeyPatch) -> LogCapture:
    """``with logs_of(module, ...) as logs``: the structlog events those modules log in the block.

    The modules' ``log`` is swapped for a fresh logger inside ``capture_logs``: the process's
    loggers are cached on first use (``cache_logger_on_first_use``), so once any earlier test
    logged through them, ``capture_logs`` alone would see nothing and a test would pass vacuously.
    """

    @contextmanager
    def capture(*modules: ModuleType) -> Iterator[list[dict[str, Any]]]:
        with structlog.testing.capture_logs() as logs:
            for module in modules:
                monkeypatch.setattr(module, "log", structlog.get_logger(module.__name__))
            yield logs

    return capture
