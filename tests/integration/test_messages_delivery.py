"""Delivery of customer and business messages: SMS with consent, retried on transient failures
without a second e-mail, dead when retrying cannot help; the business's opt-in e-mail; the
signed unsubscribe link through the app."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from tests.app_support import client_for, settings_for
from tests.booking_support import ERIKA, TENANT, request
from tests.clock_support import NOW, FakeClock
from tests.log_support import LogCapture
from tests.messages_support import FakeSms, channels, smtp_server, text_of

from frontdesk.app import create_app
from frontdesk.booking.service import BookingService
from frontdesk.db.repositories import customers as customer_rows
from frontdesk.db.tables import Customer, Job, MessageDelivery, User
from frontdesk.domain.model import AppointmentSource, ConsentChannel, JobState
from frontdesk.jobs.handlers import default_registry
from frontdesk.jobs.worker import Worker
from frontdesk.messages import deliver, links
from frontdesk.messages.channels import Channels
from frontdesk.messages.ports import DeliveryFailed

ERIKA_MAIL = replace(ERIKA, email="erika@example.org")


def _worker(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, chans: Channels
) -> Worker:
    return Worker(sessions, default_registry(), clock=clock, poll_interval=0.01, channels=chans)


async def _consent(sessions: async_sessionmaker[AsyncSession], customer_id: object) -> None:
    async with sessions() as s:
        await customer_rows.add_consent(
            s,
            TENANT,
            customer_id,  # type: ignore[arg-type]
            channel=ConsentChannel.SMS,
            granted=True,
            source="phone call: agreed when asked",
            recorded_by="voice",
        )
        await s.commit()


async def _message_jobs(sessions: async_sessionmaker[AsyncSession]) -> list[Job]:
    async with sessions() as s:
        rows = await s.execute(select(Job).where(Job.kind == "message.customer"))
        return list(rows.scalars())


async def test_no_sms_without_consent_one_with_it(
    booking: BookingService, sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    sms = FakeSms()
    first = await booking.book(request(source=AppointmentSource.PHONE))
    await _worker(sessions, clock, channels(None, sms)).run_until_idle()
    assert sms.sent == []
    await _consent(sessions, first.appointment.customer_id)
    await booking.cancel(TENANT, first.appointment.id)
    await _worker(sessions, clock, channels(None, sms)).run_until_idle()
    assert [m.to for m in sms.sent] == ["+4915112345678"]
    assert "abgesagt" in sms.sent[0].text
    assert sms.sent[0].sender == "Sonnensch"


async def test_a_transient_sms_failure_retries_without_a_second_e_mail(
    booking: BookingService, sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    booked = await booking.book(request(customer=ERIKA_MAIL, source=AppointmentSource.PHONE))
    await _consent(sessions, booked.appointment.customer_id)
    sms = FakeSms(failures=[DeliveryFailed("Twilio 503", transient=True)])
    with smtp_server() as (inbox, port):
        worker = _worker(sessions, clock, channels(port, sms))
        await worker.run_until_idle()
        assert len(inbox.messages) == 1
        assert sms.sent == []
        [job] = await _message_jobs(sessions)
        assert job.state is JobState.QUEUED
        assert job.attempts == 1
        clock.now = job.run_after
        await worker.run_until_idle()
        assert len(inbox.messages) == 1  # the e-mail is not sent again
        assert len(sms.sent) == 1
    async with sessions() as s:
        kinds = (await s.execute(select(MessageDelivery.channel))).scalars().all()
    assert sorted(kinds) == ["email", "sms"]


async def test_a_permanent_refusal_is_a_dead_job_for_a_person(
    booking: BookingService, sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    booked = await booking.book(request(source=AppointmentSource.PHONE))
    await _consent(sessions, booked.appointment.customer_id)
    sms = FakeSms(failures=[DeliveryFailed("Twilio 400 code 21610", transient=False)])
    await _worker(sessions, clock, channels(None, sms)).run_until_idle()
    [job] = await _message_jobs(sessions)
    assert job.state is JobState.DEAD
    assert "21610" in (job.last_error or "")


async def test_the_business_hears_of_phone_bookings_when_it_opted_in(
    booking: BookingService, sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    async with sessions() as s:
        await s.execute(update(User).where(User.tenant_id == TENANT).values(notify_by_email=True))
        owners = sorted(
            (await s.execute(select(User.email).where(User.tenant_id == TENANT))).scalars()
        )
        await s.commit()
    with smtp_server() as (inbox, port):
        await booking.book(request(source=AppointmentSource.PHONE))
        await booking.book(request(source=AppointmentSource.ADMIN, start=NOW.replace(hour=11)))
        await _worker(sessions, clock, channels(port)).run_until_idle()
        to = sorted(rcpt for env in inbox.envelopes for rcpt in env.rcpt_tos)
        assert owners
        assert to == owners  # the phone booking only, once per opted-in login
        assert "Neuer Termin per Telefon" in str(inbox.messages[0]["Subject"])
        assert "/admin/schedule?date=" in text_of(inbox.messages[0])


async def test_the_signed_unsubscribe_link_opts_out_of_reminders(
    db: AsyncEngine, booking: BookingService, sessions: async_sessionmaker[AsyncSession]
) -> None:
    settings = settings_for(db, link_key="test-link-key")
    booked = await booking.book(request())
    customer = booked.appointment.customer_id
    url = links.unsubscribe_url(settings, TENANT, customer)
    assert url is not None
    path = url.removeprefix(settings.base_url)
    async for client in client_for(create_app(settings, clock=lambda: NOW)):
        page = await client.get(path)
        assert page.status_code == 200
        assert "Erinnerungen abbestellen" in page.text
        assert await _opted_out(sessions, customer) is False  # a GET changes nothing
        tampered = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
        refused = await client.post(tampered)
        assert refused.status_code == 404
        assert await _opted_out(sessions, customer) is False
        done = await client.post(path, content=b"List-Unsubscribe=One-Click")
        assert done.status_code == 200
        assert "keine Terminerinnerungen mehr" in done.text
        assert await _opted_out(sessions, customer) is True


async def _opted_out(sessions: async_sessionmaker[AsyncSession], customer: object) -> bool:
    async with sessions() as s:
        row = (await s.execute(select(Customer).where(Customer.id == customer))).scalar_one()
        return row.reminders_opted_out_at is not None


async def test_sends_are_logged_without_body_address_or_number(
    booking: BookingService,
    sessions: async_sessionmaker[AsyncSession],
    clock: FakeClock,
    logs_of: LogCapture,
) -> None:
    booked = await booking.book(request(customer=ERIKA_MAIL, source=AppointmentSource.PHONE))
    await _consent(sessions, booked.appointment.customer_id)
    sms = FakeSms()
    with smtp_server() as (inbox, port), logs_of(deliver) as logs:
        await _worker(sessions, clock, channels(port, sms)).run_until_idle()
    sent = [entry for entry in logs if entry["event"] == "message sent"]
    assert sorted(entry["channel"] for entry in sent) == ["email", "sms"]
    assert len(inbox.messages) == 1
    logged = repr(logs)
    for secret in ("erika@example.org", "+4915112345678", "Herrenhaarschnitt", "Mustermann"):
        assert secret not in logged
