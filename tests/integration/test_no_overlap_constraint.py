"""The database itself refuses two overlapping active appointments of one staff member."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from tests.factories import World, appointment, make_world

from frontdesk.db.errors import is_overlap_violation
from frontdesk.db.tables import Appointment
from frontdesk.domain.model import AppointmentStatus

TEN = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
H = timedelta(hours=1)


@pytest.fixture
async def world(session: AsyncSession) -> World:
    return await make_world(session)


async def _insert(sessions: async_sessionmaker[AsyncSession], row: Appointment) -> None:
    async with sessions() as s:
        s.add(row)
        await s.commit()


async def _count(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as s:
        return (await s.execute(select(func.count()).select_from(Appointment))).scalar_one()


async def test_overlapping_insert_is_rejected_by_the_database(
    sessions: async_sessionmaker[AsyncSession], world: World
) -> None:
    await _insert(sessions, appointment(world, TEN, TEN + H))
    with pytest.raises(IntegrityError) as caught:
        await _insert(sessions, appointment(world, TEN + H / 2, TEN + 2 * H))
    assert is_overlap_violation(caught.value)
    assert await _count(sessions) == 1


async def test_contained_and_identical_intervals_are_rejected(
    sessions: async_sessionmaker[AsyncSession], world: World
) -> None:
    await _insert(sessions, appointment(world, TEN, TEN + 2 * H))
    for start, end in [(TEN, TEN + 2 * H), (TEN + H / 4, TEN + H / 2), (TEN - H, TEN + 3 * H)]:
        with pytest.raises(IntegrityError) as caught:
            await _insert(sessions, appointment(world, start, end))
        assert is_overlap_violation(caught.value)
    assert await _count(sessions) == 1


async def test_back_to_back_appointments_are_accepted(
    sessions: async_sessionmaker[AsyncSession], world: World
) -> None:
    await _insert(sessions, appointment(world, TEN, TEN + H))
    await _insert(sessions, appointment(world, TEN + H, TEN + 2 * H))
    await _insert(sessions, appointment(world, TEN - H, TEN))
    assert await _count(sessions) == 3


async def test_other_staff_may_overlap(
    sessions: async_sessionmaker[AsyncSession], world: World
) -> None:
    await _insert(sessions, appointment(world, TEN, TEN + H, staff=0))
    await _insert(sessions, appointment(world, TEN, TEN + H, staff=1))
    assert await _count(sessions) == 2


async def test_cancelled_appointment_does_not_block(
    sessions: async_sessionmaker[AsyncSession], world: World
) -> None:
    await _insert(sessions, appointment(world, TEN, TEN + H, status=AppointmentStatus.CANCELLED))
    await _insert(sessions, appointment(world, TEN, TEN + H))
    assert await _count(sessions) == 2


async def test_update_into_an_overlap_is_rejected(
    sessions: async_sessionmaker[AsyncSession], world: World
) -> None:
    first = appointment(world, TEN, TEN + H)
    second = appointment(world, TEN + 2 * H, TEN + 3 * H)
    await _insert(sessions, first)
    await _insert(sessions, second)
    async with sessions() as s:
        with pytest.raises(IntegrityError) as caught:
            await s.execute(
                update(Appointment)
                .where(Appointment.id == second.id)
                .values(starts_at=TEN + H / 2, ends_at=TEN + H + H / 2)
            )
        assert is_overlap_violation(caught.value)
        await s.rollback()
    async with sessions() as s:
        moved = await s.get(Appointment, second.id)
        assert moved is not None
        assert moved.starts_at == TEN + 2 * H


async def test_moving_to_another_staffs_busy_time_is_rejected(
    sessions: async_sessionmaker[AsyncSession], world: World
) -> None:
    busy = appointment(world, TEN, TEN + H, staff=0)
    other = appointment(world, TEN, TEN + H, staff=1)
    await _insert(sessions, busy)
    await _insert(sessions, other)
    async with sessions() as s:
        with pytest.raises(IntegrityError) as caught:
            await s.execute(
                update(Appointment)
                .where(Appointment.id == other.id)
                .values(staff_id=world.staff_ids[0])
            )
        assert is_overlap_violation(caught.value)


async def test_reactivating_a_cancelled_appointment_into_an_overlap_is_rejected(
    sessions: async_sessionmaker[AsyncSession], world: World
) -> None:
    cancelled = appointment(world, TEN, TEN + H, status=AppointmentStatus.CANCELLED)
    await _insert(sessions, cancelled)
    await _insert(sessions, appointment(world, TEN, TEN + H))
    async with sessions() as s:
        with pytest.raises(IntegrityError) as caught:
            await s.execute(
                update(Appointment)
                .where(Appointment.id == cancelled.id)
                .values(status=AppointmentStatus.CONFIRMED)
            )
        assert is_overlap_violation(caught.value)


async def test_moving_an_appointment_within_its_own_time_is_allowed(
    sessions: async_sessionmaker[AsyncSession], world: World
) -> None:
    row = appointment(world, TEN, TEN + H)
    await _insert(sessions, row)
    async with sessions() as s:
        await s.execute(
            update(Appointment)
            .where(Appointment.id == row.id)
            .values(starts_at=TEN + H / 4, ends_at=TEN + H + H / 4)
        )
        await s.commit()
    assert await _count(sessions) == 1


async def test_core_insert_without_the_orm_is_guarded_too(
    sessions: async_sessionmaker[AsyncSession], world: World
) -> None:
    """The guard lives in the database: an INSERT that bypasses the ORM is refused the same way."""
    await _insert(sessions, appointment(world, TEN, TEN + H))
    async with sessions() as s:
        with pytest.raises(IntegrityError) as caught:
            await s.execute(
                insert(Appointment.__table__).values(
                    id=uuid.uuid4(),
                    tenant_id=world.tenant_id,
                    branch_id=world.branch_id,
                    staff_id=world.staff_ids[0],
                    service_id=world.service_id,
                    customer_id=world.customer_id,
                    starts_at=TEN + H / 2,
                    ends_at=TEN + H,
                    status="confirmed",
                    source="api",
                    sync_state="local",
                    version=1,
                    created_at=TEN,
                    updated_at=TEN,
                )
            )
        assert is_overlap_violation(caught.value)


# PostgreSQL only: SQLite has one writer, so two inserts never run at once there.
@pytest.mark.parametrize(
    "engine", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
async def test_a_deadlock_in_the_overlap_check_is_recognised_as_an_overlap(
    sessions: async_sessionmaker[AsyncSession], world: World, db: AsyncEngine
) -> None:
    """Two transactions that each hold a row the other's new row overlaps deadlock inside the
    exclusion check (PostgreSQL checks after inserting); seen under load in bench/voice.py. The
    loser's error means "another booking holds this time", like the exclusion violation."""
    assert db.dialect.name == "postgresql"
    async with sessions() as first, sessions() as second:
        first.add(appointment(world, TEN, TEN + H))
        await first.flush()
        second.add(appointment(world, TEN + 2 * H, TEN + 3 * H))
        await second.flush()
        first.add(appointment(world, TEN + 2 * H, TEN + 3 * H))
        waiting = asyncio.create_task(first.flush())  # waits for the second transaction
        await asyncio.sleep(0.2)
        second.add(appointment(world, TEN, TEN + H))
        crossing = asyncio.create_task(second.flush())  # waits for the first: a deadlock
        results = await asyncio.gather(waiting, crossing, return_exceptions=True)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert len(errors) >= 1, results
    assert all(isinstance(e, OperationalError) for e in errors), errors
    assert all(is_overlap_violation(e) for e in errors), [str(e) for e in errors]
