"""Booking events travel through the outbox to the audit trail, exactly once."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tests.booking_support import TENANT, request
from tests.clock_support import NOW

from frontdesk.booking.service import BookingService
from frontdesk.db.tables import AuditLog, Job
from frontdesk.domain.model import JobState
from frontdesk.jobs.handlers import default_registry
from frontdesk.jobs.worker import Worker


async def _audit(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[str, str | None]]:
    async with sessions() as s:
        rows = (await s.execute(select(AuditLog).order_by(AuditLog.created_at))).scalars()
        return [(row.action, row.entity_id) for row in rows]


async def test_book_move_cancel_are_audited_once(
    booking: BookingService, sessions: async_sessionmaker[AsyncSession]
) -> None:
    view = (await booking.book(request())).appointment
    from tests.clock_support import at

    await booking.reschedule(TENANT, view.id, at(1, 15))
    await booking.cancel(TENANT, view.id)
    worker = Worker(sessions, default_registry(), clock=lambda: NOW, poll_interval=0.01)
    # Three events, and the customer's message about each (ADR 0024).
    assert await worker.run_until_idle() == 6
    entries = await _audit(sessions)
    assert sorted(action for action, _ in entries) == [
        "appointment_booked",
        "appointment_cancelled",
        "appointment_rescheduled",
    ]
    assert {entity for _, entity in entries} == {str(view.id)}
    async with sessions() as s:
        states = set((await s.execute(select(Job.state))).scalars())
    assert states == {JobState.SUCCEEDED}


async def test_a_redelivered_event_adds_no_second_entry(
    booking: BookingService, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await booking.book(request())
    worker = Worker(sessions, default_registry(), clock=lambda: NOW, poll_interval=0.01)
    await worker.run_until_idle()
    # Simulate a crash after the handler committed but before the job was marked done.
    async with sessions() as s:
        job = (
            await s.execute(select(Job).where(Job.kind == "event.appointment_booked"))
        ).scalar_one()
        job.state = JobState.QUEUED
        await s.commit()
    await worker.run_until_idle()
    assert len(await _audit(sessions)) == 1


async def test_the_audit_trail_names_who_asked(
    booking: BookingService, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """A change made through a customer's manage link is audited as theirs (ADR 0026); the
    channels that name nobody stay "booking"."""
    from tests.clock_support import at

    view = (await booking.book(request())).appointment
    await booking.reschedule(TENANT, view.id, at(1, 15), actor="customer:link")
    await booking.cancel(TENANT, view.id, actor="customer:link")
    worker = Worker(sessions, default_registry(), clock=lambda: NOW, poll_interval=0.01)
    # Three events, and the customer's message about each (ADR 0024).
    assert await worker.run_until_idle() == 6
    async with sessions() as s:
        rows = (await s.execute(select(AuditLog.action, AuditLog.actor))).all()
    actors = dict(rows)
    assert actors == {
        "appointment_booked": "booking",
        "appointment_rescheduled": "customer:link",
        "appointment_cancelled": "customer:link",
    }
