"""The schedule use case on both databases: hours, breaks, absences, closures and holidays of
the shown days, each clipped to its day, and a version that moves with what is shown."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tests.booking_support import ANNA, TENANT
from tests.clock_support import FakeClock, at

from frontdesk import demo
from frontdesk.booking.schedule import Schedule
from frontdesk.db.repositories import catalog
from frontdesk.db.seed import seed_demo
from frontdesk.db.tables import BranchClosure, StaffAbsence

BRANCH = demo.demo_id("branch", "mitte")


async def test_absences_and_closures_are_clipped_to_their_days(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    async with sessions() as session:
        await seed_demo(session, api_key="fd_x", password="pw")
        session.add(
            StaffAbsence(tenant_id=TENANT, staff_id=ANNA, starts_at=at(2, 15), ends_at=at(4, 12))
        )
        session.add(
            BranchClosure(tenant_id=TENANT, branch_id=BRANCH, starts_at=at(3, 0), ends_at=at(4, 0))
        )
        await catalog.bump_calendar_version(session, BRANCH)
        await session.commit()
    schedule = Schedule(sessions, clock)
    assert await schedule.today(TENANT) == date(2026, 12, 1)
    plan = await schedule.plan(TENANT, date(2026, 12, 2), 2)
    assert plan is not None
    wednesday, thursday = plan.days
    anna = next(m for m in wednesday.staff if m.staff_id == ANNA)
    absence = next(s for s in anna.spans if s.kind == "absence")
    assert (absence.start, absence.end) == (at(2, 15), at(3, 0))
    assert {s.kind for s in anna.spans} == {"hours", "break", "absence"}
    assert wednesday.closures == ()
    assert [(c.start, c.end) for c in thursday.closures] == [(at(3, 0), at(4, 0))]
    assert plan.tz.key == "Europe/Berlin"
    assert plan.days[0].holiday is None


async def test_the_version_changes_with_a_change_to_the_hours(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    async with sessions() as session:
        await seed_demo(session, api_key="fd_x", password="pw")
    schedule = Schedule(sessions, clock)
    before = await schedule.version(TENANT, date(2026, 12, 1), 1)
    plan = await schedule.plan(TENANT, date(2026, 12, 1), 1)
    assert plan is not None
    assert plan.version == before
    assert await schedule.version(TENANT, date(2026, 12, 2), 1) != before
    async with sessions() as session:
        await catalog.bump_calendar_version(session, BRANCH)
        await session.commit()
    assert await schedule.version(TENANT, date(2026, 12, 1), 1) != before


async def test_a_tenant_without_branches_has_no_schedule(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    schedule = Schedule(sessions, clock)
    assert await schedule.today(TENANT) is None
    assert await schedule.plan(TENANT, date(2026, 12, 1), 1) is None
    assert await schedule.version(TENANT, date(2026, 12, 1), 1) is None
