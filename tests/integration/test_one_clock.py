"""Rows are stamped by the session's clock (ADR 0009), never by the wall or database clock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tests.clock_support import FakeClock
from tests.factories import make_world

from frontdesk.db.engine import create_engine
from frontdesk.db.migrate import upgrade_engine
from frontdesk.db.tables import Customer, Job
from frontdesk.jobs.queue import enqueue

Sessions = async_sessionmaker[AsyncSession]


async def test_orm_rows_are_stamped_on_insert_and_update_by_the_session_clock(
    sessions: Sessions, clock: FakeClock
) -> None:
    created = clock()
    async with sessions() as session:
        world = await make_world(session)
    clock.advance(timedelta(days=40))
    async with sessions() as session:
        customer = await session.get(Customer, world.customer_id)
        assert customer is not None
        assert (customer.created_at, customer.updated_at) == (created, created)
        customer.name = "Erika Musterfrau"
        await session.commit()
    async with sessions() as session:
        customer = await session.get(Customer, world.customer_id)
        assert customer is not None
        assert (customer.created_at, customer.updated_at) == (created, clock())


async def test_a_job_enqueued_without_a_time_is_due_at_the_session_clocks_now(
    sessions: Sessions, clock: FakeClock
) -> None:
    clock.advance(timedelta(days=400))  # far from any real date the suite might run on
    async with sessions() as session:
        job_id = await enqueue(session, "test.noop", {})
        await session.commit()
        job = (await session.execute(select(Job).where(Job.id == job_id))).scalar_one()
    assert (job.run_after, job.created_at) == (clock(), clock())


async def test_a_row_written_without_its_time_fails_instead_of_taking_another_clock(
    sessions: Sessions,
) -> None:
    """No Python default fills a business time in: the ORM sends NULL and NOT NULL refuses it."""
    async with sessions() as session:
        session.add(Job(kind="test.noop", payload={}))
        with pytest.raises(IntegrityError):
            await session.flush()


@pytest.mark.postgres
@pytest.mark.parametrize("fresh_database_url", ["postgresql"], indirect=True)
async def test_postgresql_has_no_time_defaults(fresh_database_url: str) -> None:
    """Migration 0003: a Core insert that forgot its time cannot take the server's clock.
    (SQLite keeps its old defaults, ADR 0009; the ORM test above covers both dialects.)"""
    engine = create_engine(fresh_database_url)
    try:
        await upgrade_engine(engine)
        async with engine.connect() as conn:
            rows = await conn.execute(
                text(
                    "SELECT table_name, column_name FROM information_schema.columns"
                    " WHERE table_schema = 'public' AND column_default ILIKE '%now()%'"
                )
            )
            assert rows.all() == []
    finally:
        await engine.dispose()
