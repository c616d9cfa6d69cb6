"""The availability search's appointment read stays an index lookup however long the history."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from tests.clock_support import at

from frontdesk import demo as demo_ids
from frontdesk.db.repositories import appointments
from frontdesk.db.seed import DemoCredentials


async def test_busy_reads_are_index_lookups(
    db: AsyncEngine, sessions: async_sessionmaker[AsyncSession], demo: DemoCredentials
) -> None:
    """PostgreSQL: ``starts_at < hi`` on the btree would read every earlier appointment of the
    staff member; the GiST index of the no-overlap constraint finds the overlapping ones
    directly. SQLite (no range index; embedded databases stay small): the staff/start btree."""
    seen: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters))

    staff = [demo_ids.demo_id("staff", "anna")]
    async with sessions() as session:
        event.listen(db.sync_engine, "before_cursor_execute", capture)
        try:
            await appointments.busy_spans(session, staff, at(2, 0), at(2, 0) + timedelta(days=1))
        finally:
            event.remove(db.sync_engine, "before_cursor_execute", capture)
        [(statement, parameters)] = [(q, p) for q, p in seen if "FROM appointment" in q]
        connection = await session.connection()
        if db.dialect.name == "sqlite":
            plan = await connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            details = " ".join(str(row[-1]) for row in plan.all())
            assert "ix_appointment_staff_id_starts_at" in details, details
            return
        # Tiny test tables make a sequential scan cheapest; forbid it to see the index choice.
        await connection.execute(text("SET LOCAL enable_seqscan = off"))
        plan = await connection.exec_driver_sql("EXPLAIN " + statement, parameters)
        lines = [row[0] for row in plan.all()]
    # The time range is part of the index condition, not a filter over the staff's history.
    conditions = [line for line in lines if "Index Cond" in line and "tstzrange" in line]
    assert conditions, "\n".join(lines)
    assert not any("Filter" in line and "starts_at" in line for line in lines), "\n".join(lines)
