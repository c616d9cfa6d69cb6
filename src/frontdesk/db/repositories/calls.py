"""Phone calls handled by the voice agent: tenant-scoped reads and the call log's upserts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, insert, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.db.tables import Appointment, Call, CallAppointment, CallFunction
from frontdesk.db.upsert import insert_on_conflict
from frontdesk.domain.model import AppointmentStatus


async def page(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    *,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> Sequence[Call]:
    """Newest first, ordered by (created_at, id) descending."""
    stmt = select(Call).where(Call.tenant_id == tenant_id)
    if after is not None:
        stmt = stmt.where(tuple_(Call.created_at, Call.id) < tuple_(*after))
    stmt = stmt.order_by(Call.created_at.desc(), Call.id.desc()).limit(limit)
    return (await session.execute(stmt)).scalars().all()


# -- the call log written by the voice endpoints -----------------------------------------------

# Once a call is over, an early event arriving late must not make it "ongoing" again.
_FINAL_STATUSES = ("ended", "error", "not_connected")


async def find_by_retell_id(
    session: AsyncSession, retell_call_id: str
) -> tuple[uuid.UUID, uuid.UUID] | None:
    """``(id, tenant_id)`` of the call with this Retell id."""
    stmt = select(Call.id, Call.tenant_id).where(Call.retell_call_id == retell_call_id)
    row = (await session.execute(stmt)).one_or_none()
    return (row[0], row[1]) if row else None


async def insert_if_absent(
    session: AsyncSession, values: dict[str, Any]
) -> tuple[uuid.UUID, uuid.UUID] | None:
    """Create the call row unless one with this ``retell_call_id`` exists (then change nothing).

    ``(id, tenant_id)`` of the new row, or ``None`` when the row existed already.
    """
    row = {"id": uuid.uuid4(), "analysis": {}, **values}
    table = Call.__table__
    stmt = (
        insert_on_conflict(session, table)
        .values(row)
        .on_conflict_do_nothing(index_elements=["retell_call_id"])
        .returning(table.c.id, table.c.tenant_id)
    )
    # On the connection: the ORM's bulk INSERT path does not hand the RETURNING row back.
    connection = await session.connection()
    created = (await connection.execute(stmt)).one_or_none()
    return (created[0], created[1]) if created else None


async def upsert_event(session: AsyncSession, values: dict[str, Any]) -> None:
    """Insert the call or merge ``values`` into it, whatever order the events arrive in.

    Only the keys present in ``values`` are written, so a field known from a later event is
    never overwritten with null by an earlier one; ``call_status`` never leaves a final state.
    """
    row = {"id": uuid.uuid4(), "analysis": {}, **values}
    stmt = insert_on_conflict(session, Call).values(row)
    changes: dict[str, Any] = {
        key: stmt.excluded[key] for key in values if key not in ("retell_call_id", "tenant_id")
    }
    if "call_status" in changes:
        changes["call_status"] = case(
            (Call.call_status.in_(_FINAL_STATUSES), Call.call_status),
            else_=stmt.excluded.call_status,
        )
    changes["updated_at"] = func.now()
    stmt = stmt.on_conflict_do_update(index_elements=["retell_call_id"], set_=changes)
    await session.execute(stmt)


async def fill_customer(session: AsyncSession, call_id: uuid.UUID, customer_id: uuid.UUID) -> None:
    """Remember who called once we know (a booking created the customer)."""
    await session.execute(
        update(Call)
        .where(Call.id == call_id, Call.customer_id.is_(None))
        .values(customer_id=customer_id)
    )


async def set_outcome(session: AsyncSession, call_id: uuid.UUID, outcome: str) -> None:
    await session.execute(update(Call).where(Call.id == call_id).values(outcome=outcome))


async def set_outcome_and_customer(
    session: AsyncSession, call_id: uuid.UUID, outcome: str | None, customer_id: uuid.UUID | None
) -> None:
    """``set_outcome`` and ``fill_customer`` in one UPDATE (either may be ``None``: unchanged)."""
    changes: dict[str, Any] = {}
    if outcome is not None:
        changes["outcome"] = outcome
    if customer_id is not None:
        changes["customer_id"] = func.coalesce(Call.customer_id, customer_id)
    if changes:
        await session.execute(update(Call).where(Call.id == call_id).values(**changes))


async def add_function(session: AsyncSession, values: dict[str, Any]) -> None:
    """One ``call_function`` row; a Core INSERT, because the log is on every request's path."""
    await session.execute(insert(CallFunction).values(id=uuid.uuid4(), **values))


async def link_appointment(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    call_id: uuid.UUID,
    appointment_id: uuid.UUID,
    action: str,
) -> None:
    """Record that the call booked/moved/cancelled the appointment; repeats change nothing."""
    stmt = (
        insert_on_conflict(session, CallAppointment)
        .values(tenant_id=tenant_id, call_id=call_id, appointment_id=appointment_id, action=action)
        .on_conflict_do_nothing(index_elements=["call_id", "appointment_id", "action"])
    )
    await session.execute(stmt)


async def appointments_of_call(
    session: AsyncSession, tenant_id: uuid.UUID, call_id: uuid.UUID, after: datetime
) -> Sequence[Appointment]:
    """Active appointments booked in this call that start after ``after``, soonest first."""
    stmt = (
        select(Appointment)
        .where(
            Appointment.tenant_id == tenant_id,
            Appointment.call_id == call_id,
            Appointment.status.in_([AppointmentStatus.CONFIRMED, AppointmentStatus.PENDING]),
            Appointment.starts_at >= after,
        )
        .order_by(Appointment.starts_at, Appointment.id)
    )
    return (await session.execute(stmt)).scalars().all()


async def functions_of_call(session: AsyncSession, call_id: uuid.UUID) -> Sequence[CallFunction]:
    stmt = (
        select(CallFunction)
        .where(CallFunction.call_id == call_id)
        .order_by(CallFunction.created_at, CallFunction.id)
    )
    return (await session.execute(stmt)).scalars().all()


async def links_of_call(session: AsyncSession, call_id: uuid.UUID) -> Sequence[CallAppointment]:
    stmt = select(CallAppointment).where(CallAppointment.call_id == call_id)
    return (await session.execute(stmt)).scalars().all()
