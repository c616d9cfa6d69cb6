"""Manage links on an outside calendar (Cal.com mode), through the use cases: the link of a
confirmation still works after the saga marked the booking synced (a version bump that is not
a change for the customer); a move and a cancellation through the link reach the calendar by the
same outbox jobs as any other change; the superseded link then reports itself replaced."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tests.booking_support import JONAS, TENANT, request
from tests.calendar_support import FakeCalendar, FakeProviders, every, link_demo, mirror_day
from tests.calendar_support import run_sync_jobs as run_jobs
from tests.clock_support import FakeClock, at

from frontdesk import demo
from frontdesk.booking.manage import Gone, LinkGone, cancel_by_link, move_by_link, open_link
from frontdesk.booking.manage_link import LinkRef
from frontdesk.booking.service import BookingService
from frontdesk.db.seed import DemoCredentials
from frontdesk.domain.model import AppointmentStatus, SyncState

ANNA = demo.demo_id("staff", "anna")


@pytest.fixture
async def booking(
    sessions: async_sessionmaker[AsyncSession], demo: DemoCredentials, clock: FakeClock
) -> BookingService:
    await link_demo(sessions)
    fetched = clock() - timedelta(minutes=3)
    day = at(2, 9).date()
    await mirror_day(
        sessions, "herrenhaarschnitt", "jonas", day, every(at(2, 10), at(2, 11, 30)),
        minutes=30, fetched_at=fetched,
    )  # fmt: skip
    await mirror_day(
        sessions, "herrenhaarschnitt", "anna", day, every(at(2, 10), at(2, 10, 30)),
        minutes=30, fetched_at=fetched,
    )  # fmt: skip
    calendar = FakeCalendar()
    return BookingService(sessions, clock=clock, calendars=FakeProviders(calendar))


def _calendar(booking: BookingService) -> FakeCalendar:
    providers = booking.uow.calendars
    assert isinstance(providers, FakeProviders)
    return providers.calendar


async def test_move_and_cancel_through_the_link_reach_the_calendar(
    booking: BookingService, sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    calendar = _calendar(booking)
    view = (await booking.book(request(start=at(2, 10), staff_id=ANNA))).appointment
    assert view.sync_state is SyncState.SYNCED
    assert view.version > 1  # the saga's bookkeeping bumped it
    link = LinkRef(TENANT, view.id, view.start)
    shown = await open_link(booking.uow, link)  # still the confirmation's link
    assert shown.start == at(2, 10)

    moved = await move_by_link(booking.uow, link, at(2, 11), JONAS)
    assert set(await run_jobs(sessions, clock, FakeProviders(calendar))) == {"ok"}
    assert calendar.calls[-1] == "reschedule"
    [held] = calendar.active()
    assert held.start == at(2, 11)
    with pytest.raises(LinkGone) as caught:
        await open_link(booking.uow, link)
    assert caught.value.why is Gone.REPLACED

    await cancel_by_link(booking.uow, moved.ref)
    assert (await booking.get(TENANT, view.id)).status is AppointmentStatus.CANCELLED
    assert set(await run_jobs(sessions, clock, FakeProviders(calendar))) == {"ok"}
    assert "cancel" in calendar.calls
    assert calendar.active() == []
