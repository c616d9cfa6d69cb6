"""Async engine and session factory for SQLite (embedded) and PostgreSQL.

SQLite needs two adjustments to be a correct system of record:

* Its Python driver opens transactions lazily and never takes the write lock up front, so two
  bookings could both read "free" and then race. We switch the driver's own transaction handling
  off and issue ``BEGIN IMMEDIATE`` ourselves, which takes the single writer lock at the start of
  every transaction (SQLAlchemy's documented recipe for aiosqlite). A connection that only reads
  can ask for a plain ``BEGIN`` with the ``sqlite_read_only`` execution option.
* Foreign keys are off by default and the default busy timeout is zero; WAL lets readers proceed
  while one writer works.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session

from frontdesk.domain.clock import Clock

SQLITE_BUSY_TIMEOUT_MS = 15_000
READ_ONLY = {"sqlite_read_only": True}
# PostgreSQL reads run in autocommit: no BEGIN and ROLLBACK round trips around them. Under READ
# COMMITTED (the default) every statement sees its own snapshot anyway, so nothing is lost.
# Single-statement upserts use it too: one statement is atomic on its own.
_PG_AUTOCOMMIT = {"isolation_level": "AUTOCOMMIT"}


# Bounded waits for a database that is down or hung (ADR 0016): a new connection gives up after
# 2 s (libpq's and psycopg's minimum; the default is 130 s) and a checkout waits at most
# ``pool_timeout`` for a free connection (SQLAlchemy's default is 30 s). Both are below the
# voice deadline of 2.5 s, so a dead database is an error the caller hears as an apology, and
# REST as a 503, instead of a hang.
PG_CONNECT_TIMEOUT_S = 2
POOL_TIMEOUT_S = 2.0


def create_engine(
    url: str, *, pool_size: int = 10, pool_timeout: float = POOL_TIMEOUT_S, echo: bool = False
) -> AsyncEngine:
    """Build the process's engine for ``url`` with the dialect-specific settings above."""
    if url.startswith("sqlite"):
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": 15})
        _configure_sqlite(engine)
        return engine
    # No ``pool_pre_ping``: it costs a round trip on every checkout, and a voice request checks
    # out several times. A connection the server dropped fails one statement instead; SQLAlchemy
    # then invalidates the whole pool, so the next checkouts reconnect (ADR 0008).
    return create_async_engine(
        url,
        echo=echo,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_timeout=pool_timeout,
        connect_args={"connect_timeout": PG_CONNECT_TIMEOUT_S},
    )


def _configure_sqlite(engine: AsyncEngine) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Disable pysqlite's implicit BEGIN so ours below is the only one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        read_only = connection.get_execution_options().get("sqlite_read_only", False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


_CLOCK = "frontdesk.clock"


def create_session_factory(engine: AsyncEngine, clock: Clock) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit (use cases commit explicitly).

    Each session carries the process's ``clock``: repositories and the outbox stamp rows with it
    (``session_clock``), so no row's time comes from the wall clock or a database default.
    """
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False, info={_CLOCK: clock})


def session_clock(session: AsyncSession | Session) -> Clock:
    """The clock the session was made with (``create_session_factory``)."""
    try:
        clock: Clock = session.info[_CLOCK]
    except KeyError:
        raise RuntimeError("session made without a clock: use create_session_factory") from None
    return clock


# Columns the ORM stamps with the session's clock when a row is added (and, for ``updated_at``,
# changed). They have neither a Python nor a database default: a row written without its time
# fails on NOT NULL instead of quietly taking the database server's clock.
_STAMPED_ON_INSERT = ("created_at", "updated_at", "received_at")


@event.listens_for(Session, "before_flush")
def _stamp_rows(session: Session, _context: Any, _instances: Any) -> None:
    if not session.new and not session.dirty:
        return
    now = session_clock(session)()
    for row in session.new:
        for name in _STAMPED_ON_INSERT:
            if hasattr(row, name) and getattr(row, name) is None:
                setattr(row, name, now)
    for row in session.dirty:
        if hasattr(row, "updated_at") and session.is_modified(row, include_collections=False):
            row.updated_at = now


@asynccontextmanager
async def one_statement(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session for one writing statement that is its own unit (an idempotent upsert): on
    PostgreSQL in autocommit, without BEGIN and COMMIT round trips; on SQLite a normal
    transaction, committed at the end of the block."""
    async with sessions() as session:
        if session.get_bind().dialect.name == "postgresql":
            await session.connection(execution_options=_PG_AUTOCOMMIT)
            yield session
        else:
            yield session
            await session.commit()


@asynccontextmanager
async def reading(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session for queries only: on SQLite a plain ``BEGIN`` (never the writer lock), on
    PostgreSQL autocommit (no transaction round trips). Nothing written in it is kept."""
    async with sessions() as session:
        dialect = session.get_bind().dialect.name
        await session.connection(
            execution_options=_PG_AUTOCOMMIT if dialect == "postgresql" else READ_ONLY
        )
        yield session


# What the layers above hold without speaking SQLAlchemy: an open session (a handle passed to
# repositories and committed through the unit of work) and the factory that opens them.
DbSession = AsyncSession
SessionFactory = async_sessionmaker[AsyncSession]
