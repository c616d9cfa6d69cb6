"""Phone calls handled by the voice agent: tenant-scoped reads and the call log's upserts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, case, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.db.engine import session_clock
from frontdesk.db.repositories.keyset import page_of
from frontdesk.db.tables import Appointment, Call, CallAppointment, CallFunction
from frontdesk.db.upsert import insert_on_conflict
from frontdesk.domain.model import ACTIVE_STATUSES
from frontdesk.domain.paging import Cursor, Page


async def page(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    *,
    after: Cursor | None,
    limit: int,
) -> Page[Call]:
    """Newest first, ordered by (created_at, id) descending."""
    stmt = select(Call).where(Call.tenant_id == tenant_id)
    key = (Call.created_at, Call.id)
    return await page_of(session, stmt, key, after=after, limit=limit, newest_first=True)


# -- the call log written by the voice endpoints -----------------------------------------------

# Once a call is over, an early event arriving late must not make it "ongoing" again.
_FINAL_STATUSES = ("ended", "error", "not_connected")
# What was said in a call, and who called: never written again once deleted (ADR 0020).
_CONTENT = frozenset({"transcript", "summary", "sentiment", "analysis", "from_number"})


async def find_by_retell_id(
    session: AsyncSession, retell_call_id: str
) -> tuple[uuid.UUID, uuid.UUID] | None:
    """``(id, tenant_id)`` of the call with this Retell id."""
    stmt = select(Call.id, Call.tenant_id).where(Call.retell_call_id == retell_call_id)
    row = (await session.execute(stmt)).one_or_none()
    return (row[0], row[1]) if row else None


def _new_call(session: AsyncSession, values: dict[str, Any]) -> dict[str, Any]:
    """A call row to insert: ``values`` with the defaults and the session clock's stamps."""
    now = session_clock(session)()
    return {"analysis": {}, "created_at": now, "updated_at": now, **values}


async def insert_if_absent(
    session: AsyncSession, values: dict[str, Any]
) -> tuple[uuid.UUID, uuid.UUID] | None:
    """Create the call row (``values`` include its ``id``) unless one with this
    ``retell_call_id`` exists (then change nothing).

    ``(id, tenant_id)`` of the new row, or ``None`` when the row existed already.
    """
    table = Call.__table__
    stmt = (
        insert_on_conflict(session, table)
        .values(_new_call(session, values))
        .on_conflict_do_nothing(index_elements=["retell_call_id"])
        .returning(table.c.id, table.c.tenant_id)
    )
    # On the connection: the ORM's bulk INSERT path does not hand the RETURNING row back.
    connection = await session.connection()
    created = (await connection.execute(stmt)).one_or_none()
    return (created[0], created[1]) if created else None


async def insert_all_absent(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """``insert_if_absent`` for many calls in one statement (rows of the same shape)."""
    if rows:
        stmt = (
            insert_on_conflict(session, Call.__table__)
            .values([_new_call(session, row) for row in rows])
            .on_conflict_do_nothing(index_elements=["retell_call_id"])
        )
        await session.execute(stmt)


async def upsert_event(session: AsyncSession, values: dict[str, Any]) -> None:
    """Insert the call or merge ``values`` into it, whatever order the events arrive in.

    Only the keys present in ``values`` are written, so a field known from a later event is
    never overwritten with null by an earlier one; ``call_status`` never leaves a final state.
    """
    row = _new_call(session, values)
    stmt = insert_on_conflict(session, Call).values(row)
    changes: dict[str, Any] = {
        key: stmt.excluded[key]
        for key in values
        if key not in ("id", "retell_call_id", "tenant_id")
    }
    if "call_status" in changes:
        changes["call_status"] = case(
            (Call.call_status.in_(_FINAL_STATUSES), Call.call_status),
            else_=stmt.excluded.call_status,
        )
    for key in _CONTENT.intersection(changes):
        # Deleted (retention, erasure): a late event must not bring what was said back.
        column = Call.__table__.c[key]
        changes[key] = case((Call.content_deleted_at.is_not(None), column), else_=changes[key])
    changes["updated_at"] = row["updated_at"]
    stmt = stmt.on_conflict_do_update(index_elements=["retell_call_id"], set_=changes)
    await session.execute(stmt)


async def add_functions(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """``call_function`` rows in one multi-row INSERT (the call log is written in batches)."""
    if rows:
        # The Core table (not the entity): a plain executemany, no ORM bookkeeping per row.
        table = cast(Table, CallFunction.__table__)
        await session.execute(insert(table), [{"id": uuid.uuid4(), **row} for row in rows])


async def link_appointments(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Record which appointments calls booked/moved/cancelled; repeats change nothing.

    Each row has ``tenant_id``, ``call_id``, ``appointment_id`` and ``action``.
    """
    if rows:
        stmt = (
            insert_on_conflict(session, CallAppointment)
            .values([{"created_at": session_clock(session)(), **row} for row in rows])
            .on_conflict_do_nothing(index_elements=["call_id", "appointment_id", "action"])
        )
        await session.execute(stmt)


async def set_outcomes_and_customers(
    session: AsyncSession, changes: Sequence[tuple[uuid.UUID, str | None, uuid.UUID | None]]
) -> None:
    """Per ``(call_id, outcome, customer_id)``: set the outcome when given, and the customer
    only where none is known yet. One statement executed for all calls of a batch."""
    if not changes:
        return
    table = cast(Table, Call.__table__)
    stmt = (
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values(
            outcome=func.coalesce(
                bindparam("b_outcome", type_=table.c.outcome.type), table.c.outcome
            ),
            customer_id=func.coalesce(
                table.c.customer_id, bindparam("b_customer", type_=table.c.customer_id.type)
            ),
            updated_at=session_clock(session)(),
        )
    )
    params = [{"b_id": c, "b_outcome": o, "b_customer": k} for c, o, k in changes]
    await session.execute(stmt, params)


async def appointments_of_call(
    session: AsyncSession, tenant_id: uuid.UUID, call_id: uuid.UUID, after: datetime
) -> Sequence[Appointment]:
    """Active appointments booked in this call that start after ``after``, soonest first."""
    stmt = (
        select(Appointment)
        .where(
            Appointment.tenant_id == tenant_id,
            Appointment.call_id == call_id,
            Appointment.status.in_(ACTIVE_STATUSES),
            Appointment.starts_at >= after,
        )
        .order_by(Appointment.starts_at, Appointment.id)
    )
    return (await session.execute(stmt)).scalars().all()
