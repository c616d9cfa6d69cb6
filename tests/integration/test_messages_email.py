"""Customer e-mail through a real SMTP server on 127.0.0.1: a phone booking's confirmation with
an .ics that calendars take, a move with SEQUENCE+1 and the same UID, a cancel with
METHOD:CANCEL; exactly one message per change; STARTTLS when the server offers it."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tests.booking_support import ERIKA, TENANT, request
from tests.clock_support import FakeClock, at
from tests.messages_support import (
    MAIL_FROM,
    calendar_of,
    channels,
    event_of,
    self_signed,
    smtp_server,
    text_of,
)

from frontdesk.booking import manage_link
from frontdesk.booking.service import BookingService
from frontdesk.domain.model import AppointmentSource
from frontdesk.jobs.handlers import default_registry
from frontdesk.jobs.worker import Worker
from frontdesk.messages.channels import Channels
from frontdesk.settings import get_settings

BERLIN = ZoneInfo("Europe/Berlin")
ERIKA_MAIL = replace(ERIKA, email="erika@example.org")


def _worker(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, chans: Channels
) -> Worker:
    return Worker(sessions, default_registry(), clock=clock, poll_interval=0.01, channels=chans)


def _link_start(body: str) -> datetime | None:
    """The start the body's manage link stands for (verified with the page's own key)."""
    found = re.search(r"https?://\S+/m/(\S+)", body)
    assert found is not None
    check = manage_link.verify(manage_link.link_key(get_settings()), found.group(1), at(1, 0))
    return None if check.ref is None else check.ref.starts_at


async def test_book_move_cancel_each_send_one_invitation_update(
    booking: BookingService, sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    with smtp_server() as (inbox, port):
        worker = _worker(sessions, clock, channels(port))
        booked = await booking.book(
            request(customer=ERIKA_MAIL, source=AppointmentSource.PHONE, start=at(8, 10))
        )
        appointment = booked.appointment.id
        await worker.run_until_idle()
        assert len(inbox.messages) == 1
        first = inbox.messages[0]
        assert inbox.envelopes[0].rcpt_tos == ["erika@example.org"]
        assert calendar_of(first)["METHOD"] == "REQUEST"
        event = event_of(first)
        start = event.decoded("DTSTART")
        assert isinstance(start, datetime)
        assert start == at(8, 10)
        assert str(start.tzinfo) == "Europe/Berlin"
        assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
        assert calendar_of(first).walk("VTIMEZONE")[0]["TZID"] == "Europe/Berlin"
        assert int(event["SEQUENCE"]) == 0
        assert str(event["ORGANIZER"]) == f"mailto:{MAIL_FROM}"
        assert str(event["ATTENDEE"]) == "mailto:erika@example.org"
        body = text_of(first)
        assert "Dienstag, 8. Dezember" in body
        assert "08.12." in body
        assert "10 Uhr" in body
        assert "Salon Sonnenschein" in first["Subject"]
        assert "Sonnenallee 12, 12045 Berlin" in body
        assert "Herrenhaarschnitt bei " in body  # service and staff
        assert "+49" not in body  # no phone number in the message
        assert _link_start(body) == at(8, 10)  # the manage link, for this start

        await booking.reschedule(TENANT, appointment, at(9, 15))
        await worker.run_until_idle()
        assert len(inbox.messages) == 2
        moved = event_of(inbox.messages[1])
        assert moved["UID"] == event["UID"]
        assert int(moved["SEQUENCE"]) == 1
        assert moved.decoded("DTSTART") == at(9, 15)
        assert calendar_of(inbox.messages[1])["METHOD"] == "REQUEST"
        assert _link_start(text_of(inbox.messages[1])) == at(9, 15)  # the new start's link

        await booking.cancel(TENANT, appointment)
        await worker.run_until_idle()
        assert len(inbox.messages) == 3
        cancel_cal = calendar_of(inbox.messages[2])
        assert cancel_cal["METHOD"] == "CANCEL"
        cancelled = event_of(inbox.messages[2])
        assert cancelled["UID"] == event["UID"]
        assert int(cancelled["SEQUENCE"]) == 2
        assert cancelled["STATUS"] == "CANCELLED"
        assert "/m/" not in text_of(inbox.messages[2])  # nothing left to manage

        # Nothing is sent twice: the jobs are done, and rerunning finds nothing.
        await worker.run_until_idle()
        assert len(inbox.messages) == 3
        assert len({m["Message-ID"] for m in inbox.messages}) == 3


async def test_a_customer_without_e_mail_gets_none_and_the_job_succeeds(
    booking: BookingService, sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    with smtp_server() as (inbox, port):
        await booking.book(request(source=AppointmentSource.PHONE))
        assert await _worker(sessions, clock, channels(port)).run_until_idle() >= 2
        assert inbox.messages == []


async def test_starttls_is_used_when_the_server_offers_it(
    booking: BookingService,
    sessions: async_sessionmaker[AsyncSession],
    clock: FakeClock,
    tmp_path: Path,
) -> None:
    server_tls, client_tls = self_signed(tmp_path)
    with smtp_server(server_tls) as (inbox, port):
        await booking.book(request(customer=ERIKA_MAIL, source=AppointmentSource.PHONE))
        await _worker(sessions, clock, channels(port, client_tls=client_tls)).run_until_idle()
        assert inbox.tls == [True]
