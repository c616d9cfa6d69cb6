"""``reading()``: read-only sessions without transaction round trips, and no leftovers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from frontdesk.db.engine import reading


async def test_reads_run_outside_a_transaction_on_postgresql_and_leave_none_behind(
    db: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    commands: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        commands.append(" ".join(statement.split()).upper())

    event.listen(db.sync_engine, "before_cursor_execute", seen)
    try:
        async with reading(sessions) as session:
            assert (await session.execute(text("SELECT 1"))).scalar_one() == 1
            raw = (await session.connection()).sync_connection
            assert raw is not None
            autocommit = getattr(raw.connection.dbapi_connection, "autocommit", None)
        while_reading = list(commands)
        async with sessions() as session:
            await session.execute(text("SELECT 1"))
            raw = (await session.connection()).sync_connection
            assert raw is not None
            after = getattr(raw.connection.dbapi_connection, "autocommit", None)
    finally:
        event.remove(db.sync_engine, "before_cursor_execute", seen)
    if db.dialect.name == "postgresql":
        assert autocommit is True
        assert after is False  # the pooled connection is back to transactions
    else:
        # SQLite: a deferred BEGIN (issued by the engine's begin hook), never BEGIN IMMEDIATE.
        assert while_reading == ["BEGIN", "SELECT 1"]
