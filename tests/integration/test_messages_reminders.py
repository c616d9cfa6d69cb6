"""Reminders: due at the right instant across the spring DST change, none twice with three
workers scanning at once, none after a cancellation or for a short-notice booking, and no SMS
at night (sent at 08:00 instead)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tests.booking_support import BART, ERIKA, TENANT, request
from tests.clock_support import FakeClock
from tests.messages_support import FakeSms, channels, smtp_server, text_of

from frontdesk.booking.service import BookingService
from frontdesk.db.repositories import customers as customer_rows
from frontdesk.db.tables import Tenant
from frontdesk.domain.model import AppointmentSource, ConsentChannel
from frontdesk.jobs.handlers import default_registry
from frontdesk.jobs.queue import enqueue
from frontdesk.jobs.schedule import Periodic
from frontdesk.jobs.worker import Worker
from frontdesk.messages.channels import Channels
from frontdesk.messages.reminders import SCAN_EVERY, SCAN_JOB

BERLIN = ZoneInfo("Europe/Berlin")
ERIKA_MAIL = replace(ERIKA, email="erika@example.org")


def berlin(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, month, day, hour, minute, tzinfo=BERLIN)


async def _reminder_hours(sessions: async_sessionmaker[AsyncSession], hours: int | None) -> None:
    async with sessions() as s:
        await s.execute(update(Tenant).where(Tenant.id == TENANT).values(reminder_hours=hours))
        await s.commit()


def _worker(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, chans: Channels
) -> Worker:
    return Worker(
        sessions,
        default_registry(),
        clock=clock,
        poll_interval=0.01,
        channels=chans,
        periodic=(Periodic(SCAN_JOB, SCAN_EVERY),),
    )


async def _tick(worker: Worker, clock: FakeClock, to: datetime) -> None:
    clock.now = to
    await worker.schedule_periodic()
    await worker.run_until_idle()


def _reminders(subjects: list[str]) -> int:
    return sum("Terminerinnerung" in s for s in subjects)


async def test_reminder_due_by_elapsed_hours_across_the_dst_change(
    booking: BookingService, sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    # 72 h before Tuesday 30 March 10:00 CEST is Saturday 27 March 09:00 CET (Berlin springs
    # forward on Sunday 28 March 2027): the wall clock says 09:00, not 10:00.
    clock.now = berlin(3, 20, 10)
    await _reminder_hours(sessions, 72)
    with smtp_server() as (inbox, port):
        worker = _worker(sessions, clock, channels(port))
        await booking.book(
            request(customer=ERIKA_MAIL, source=AppointmentSource.PHONE, start=berlin(3, 30, 10))
        )
        await worker.run_until_idle()
        subjects = lambda: [str(m["Subject"]) for m in inbox.messages]  # noqa: E731
        assert len(inbox.messages) == 1
        await _tick(worker, clock, berlin(3, 27, 8, 55))
        assert _reminders(subjects()) == 0
        await _tick(worker, clock, berlin(3, 27, 9, 0))
        assert _reminders(subjects()) == 1
        await _tick(worker, clock, berlin(3, 28, 9, 0))
        await _tick(worker, clock, berlin(3, 30, 9, 0))
        assert _reminders(subjects()) == 1
        body = text_of(inbox.messages[-1])
        assert "Dienstag, 30. März 2027 um 10 Uhr" in body


async def test_three_workers_scanning_at_once_send_one_reminder(
    booking: BookingService, sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    await booking.book(
        request(customer=ERIKA_MAIL, start=datetime(2026, 12, 4, 10, 0, tzinfo=BERLIN))
    )
    with smtp_server() as (inbox, port):
        workers = [_worker(sessions, clock, channels(port)) for _ in range(3)]
        await workers[0].run_until_idle()
        clock.now = datetime(2026, 12, 3, 10, 30, tzinfo=BERLIN)
        async with sessions() as s:
            for _ in range(3):
                await enqueue(s, SCAN_JOB, {})
            await s.commit()
        await asyncio.gather(*(w.run_until_idle() for w in workers))
        await asyncio.gather(*(w.run_until_idle() for w in workers))
        assert _reminders([str(m["Subject"]) for m in inbox.messages]) == 1


async def test_no_reminder_after_a_cancellation_or_when_booked_at_short_notice(
    booking: BookingService, sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    friday = datetime(2026, 12, 4, 10, 0, tzinfo=BERLIN)
    cancelled = await booking.book(request(customer=ERIKA_MAIL, start=friday))
    with smtp_server() as (inbox, port):
        worker = _worker(sessions, clock, channels(port))
        await booking.cancel(TENANT, cancelled.appointment.id)
        # Booked Thursday 12:00 for Friday 10:00: less than the 24 hours of the reminder.
        clock.now = datetime(2026, 12, 3, 12, 0, tzinfo=BERLIN)
        await booking.book(request(customer=ERIKA_MAIL, start=friday, service=BART))
        for hour in range(13, 24):
            await _tick(worker, clock, datetime(2026, 12, 3, hour, 0, tzinfo=BERLIN))
        for hour in range(10):
            await _tick(worker, clock, datetime(2026, 12, 4, hour, 0, tzinfo=BERLIN))
        assert _reminders([str(m["Subject"]) for m in inbox.messages]) == 0


async def test_no_sms_at_night_the_reminder_goes_at_eight(
    booking: BookingService, sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    # Reminder 13 h before Wednesday 10:00 is Tuesday 21:00: e-mail then, SMS at 08:00.
    await _reminder_hours(sessions, 13)
    clock.now = datetime(2026, 12, 1, 9, 0, tzinfo=BERLIN)
    start = datetime(2026, 12, 9, 10, 0, tzinfo=BERLIN)
    outcome = await booking.book(request(customer=ERIKA_MAIL, start=start))
    async with sessions() as s:
        await customer_rows.add_consent(
            s,
            TENANT,
            outcome.appointment.customer_id,
            channel=ConsentChannel.SMS,
            granted=True,
            source="test: asked on the phone",
            recorded_by="test",
        )
        await s.commit()
    sms = FakeSms()
    with smtp_server() as (inbox, port):
        worker = _worker(sessions, clock, channels(port, sms))
        await worker.run_until_idle()
        booked_sms = len(sms.sent)
        assert booked_sms == 1  # the confirmation (by day)
        await _tick(worker, clock, datetime(2026, 12, 8, 21, 0, tzinfo=BERLIN))
        assert _reminders([str(m["Subject"]) for m in inbox.messages]) == 1
        assert len(sms.sent) == booked_sms
        await _tick(worker, clock, datetime(2026, 12, 9, 7, 55, tzinfo=BERLIN))
        assert len(sms.sent) == booked_sms
        await _tick(worker, clock, datetime(2026, 12, 9, 8, 0, tzinfo=BERLIN))
        assert len(sms.sent) == booked_sms + 1
        assert "Erinnerung" in sms.sent[-1].text
        assert sms.sent[-1].to == "+4915112345678"
